"""Validation results and the report that groups and renders them.

A ``ValidationReport`` gathers results from three sources: SHACL shapes (``source="shacl"``), the OWL
reasoner (``source="owl"``) and the SPARQL data-quality checks (``source="check"``). It renders them as
text in Chinese or English, as a JSON-ready dict, and as a standard ``sh:ValidationReport`` in Turtle.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Any

import rdflib
from rdflib import RDF, BNode, Literal, URIRef
from rdflib.namespace import SH

__all__ = ["SEVERITIES", "ValidationReport", "ValidationResult"]

#: Severity names, most severe first (the local names of sh:Violation, sh:Warning, sh:Info).
SEVERITIES = ("Violation", "Warning", "Info")


@dataclasses.dataclass(frozen=True)
class ValidationResult:
    """One finding: which resource, which property, which shape or check, how severe, and why."""

    focus_node: rdflib.term.Identifier
    path: rdflib.term.Identifier | None
    shape: str
    severity: str
    message_zh: str
    message_en: str
    value: rdflib.term.Identifier | None = None
    source: str = "shacl"

    def message(self, lang: str = "en") -> str:
        return self.message_zh if lang == "zh" else self.message_en

    def to_json(self) -> dict[str, Any]:
        return {
            "focus_node": _term_json(self.focus_node),
            "path": str(self.path) if self.path is not None else None,
            "shape": self.shape,
            "severity": self.severity,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            "value": _term_json(self.value),
            "source": self.source,
        }


def _term_json(term: rdflib.term.Identifier | None) -> dict[str, str] | None:
    """A term in the style of the SPARQL 1.1 JSON results format."""
    if term is None:
        return None
    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype is not None:
            out["datatype"] = str(term.datatype)
        return out
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    return {"type": "uri", "value": str(term)}


def _short(term: rdflib.term.Identifier | str | None) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal):
        return term.n3()
    return str(term)


_TEXT = {
    "en": {
        "ok": "Conforms: no violations ({warnings} warning(s), {infos} info(s)).",
        "fail": "Does not conform: {violations} violation(s), {warnings} warning(s), {infos} info(s).",
        "resource": "Resource",
        "shape": "shape",
        "path": "path",
        "value": "value",
        "severity": {"Violation": "Violation", "Warning": "Warning", "Info": "Info"},
    },
    "zh": {
        "ok": "符合：没有违规（{warnings} 个警告，{infos} 个提示）。",
        "fail": "不符合：{violations} 个违规，{warnings} 个警告，{infos} 个提示。",
        "resource": "资源",
        "shape": "形状",
        "path": "属性",
        "value": "值",
        "severity": {"Violation": "违规", "Warning": "警告", "Info": "提示"},
    },
}


@dataclasses.dataclass
class ValidationReport:
    """The outcome of one validation run."""

    results: list[ValidationResult]
    timings: dict[str, float] = dataclasses.field(default_factory=dict)
    triples: int = 0
    #: How much was validated, e.g. ``{"mode": "incremental", "focus_nodes": 12, …}`` (empty for a full run).
    scope: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def conforms(self) -> bool:
        """True when no result has severity Violation (warnings and infos do not fail a graph)."""
        return not any(r.severity == "Violation" for r in self.results)

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    def grouped_by_resource(self) -> dict[str, list[ValidationResult]]:
        """Results keyed by focus node (IRI text), in first-seen order."""
        groups: dict[str, list[ValidationResult]] = defaultdict(list)
        for r in self.results:
            groups[str(r.focus_node)].append(r)
        return dict(groups)

    def grouped_by_shape(self) -> dict[str, list[ValidationResult]]:
        """Results keyed by the shape or check that produced them."""
        groups: dict[str, list[ValidationResult]] = defaultdict(list)
        for r in self.results:
            groups[r.shape].append(r)
        return dict(groups)

    def shapes(self) -> set[str]:
        return {r.shape for r in self.results}

    def to_text(self, lang: str = "en") -> str:
        if lang not in _TEXT:
            raise ValueError(f"lang must be 'en' or 'zh', not {lang!r}")
        t = _TEXT[lang]
        counts = {"violations": self.count("Violation"), "warnings": self.count("Warning"), "infos": self.count("Info")}
        lines = [(t["ok"] if self.conforms else t["fail"]).format(**counts)]
        for focus, results in self.grouped_by_resource().items():
            lines.append("")
            lines.append(f"{t['resource']} <{focus}>")
            for r in results:
                lines.append(f"  [{t['severity'].get(r.severity, r.severity)}] {r.message(lang)}")
                detail = [f"{t['shape']}: {r.shape}"]
                if r.path is not None:
                    detail.append(f"{t['path']}: {r.path}")
                if r.value is not None:
                    detail.append(f"{t['value']}: {_short(r.value)}")
                lines.append("      " + "; ".join(detail))
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        return {
            "conforms": self.conforms,
            "counts": {s: self.count(s) for s in SEVERITIES},
            "triples": self.triples,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "scope": self.scope or {"mode": "full"},
            "results": [r.to_json() for r in self.results],
        }

    def to_graph(self) -> rdflib.Graph:
        """The results as a standard ``sh:ValidationReport`` graph."""
        g = rdflib.Graph()
        g.bind("sh", SH)
        g.bind("dksh", "https://w3id.org/duikou/shapes#")
        report = BNode()
        g.add((report, RDF.type, SH.ValidationReport))
        g.add((report, SH.conforms, Literal(self.conforms)))
        for r in self.results:
            node = BNode()
            g.add((report, SH.result, node))
            g.add((node, RDF.type, SH.ValidationResult))
            g.add((node, SH.focusNode, r.focus_node))
            if r.path is not None:
                g.add((node, SH.resultPath, r.path))
            g.add((node, SH.sourceShape, URIRef(r.shape)))
            g.add((node, SH.resultSeverity, SH[r.severity]))
            g.add((node, SH.resultMessage, Literal(r.message_zh, lang="zh")))
            g.add((node, SH.resultMessage, Literal(r.message_en, lang="en")))
            if r.value is not None:
                g.add((node, SH.value, r.value))
        return g

    def to_turtle(self) -> str:
        return self.to_graph().serialize(format="turtle")
