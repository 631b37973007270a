"""Running pySHACL with the project's shapes and turning its report into ``ValidationResult`` records."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pyshacl
import rdflib
from rdflib import RDF, Literal
from rdflib.namespace import SH

from .loading import parse_file
from .report import ValidationResult

__all__ = ["load_shapes", "run_shacl", "results_from_report_graph"]


def load_shapes(files: Iterable[Path]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in files:
        parse_file(path, graph)
    return graph


def _messages(report: rdflib.Graph, node: rdflib.term.Node) -> tuple[str, str]:
    by_lang: dict[str | None, str] = {}
    for message in report.objects(node, SH.resultMessage):
        if isinstance(message, Literal):
            by_lang.setdefault(message.language, str(message))
    fallback = by_lang.get(None) or by_lang.get("en") or by_lang.get("zh") or ""
    return by_lang.get("zh", fallback), by_lang.get("en", fallback)


def _show(term: rdflib.term.Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal):
        return term.n3() if term.datatype else f'"{term}"' + (f"@{term.language}" if term.language else "")
    return f"<{term}>"


def _fill(message: str, focus, path, value) -> str:
    """Fill the ``{$this}``, ``{$path}`` and ``{$value}`` placeholders (also written ``{?var}``)."""
    for names, term in ((("{$this}", "{?this}"), focus), (("{$path}", "{?path}"), path), (("{$value}", "{?value}"), value)):
        for name in names:
            message = message.replace(name, _show(term))
    return message


def results_from_report_graph(report: rdflib.Graph) -> list[ValidationResult]:
    """Top-level results of a pySHACL report, de-duplicated.

    Nested ``sh:detail`` results and results whose focus node is a literal are left out.
    """
    results = []
    seen = set()
    for report_node in report.subjects(RDF.type, SH.ValidationReport):
        for node in report.objects(report_node, SH.result):
            focus = report.value(node, SH.focusNode)
            if isinstance(focus, Literal):
                # RDFS inference (rdfs3 on literal values) can type a literal; the value shapes already report
                # the literal on the resource that uses it, so a literal focus node adds only noise.
                continue
            path = report.value(node, SH.resultPath)
            value = report.value(node, SH.value)
            severity = report.value(node, SH.resultSeverity)
            message_zh, message_en = _messages(report, node)
            result = ValidationResult(
                focus_node=focus,
                path=path,
                shape=str(report.value(node, SH.sourceShape)),
                severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
                message_zh=_fill(message_zh, focus, path, value),
                message_en=_fill(message_en, focus, path, value),
                value=value,
                source="shacl",
            )
            if result not in seen:
                seen.add(result)
                results.append(result)
    results.sort(key=lambda r: (str(r.focus_node), r.shape, str(r.value)))
    return results


def run_shacl(
    data: rdflib.Graph,
    shapes: rdflib.Graph,
    *,
    ontology: rdflib.Graph | None = None,
    inference: str = "none",
    focus_nodes: list[rdflib.term.Node] | None = None,
) -> list[ValidationResult]:
    """Validate ``data`` (already holding its inferred triples unless ``inference`` says otherwise).

    ``advanced=True`` enables the SHACL-AF SPARQL targets some shapes use; owl:imports are never followed.
    ``focus_nodes`` restricts validation to those nodes (incremental validation).
    """
    options = {"focus_nodes": list(focus_nodes)} if focus_nodes is not None else {}
    _conforms, report, _text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference=inference,
        advanced=True,
        allow_warnings=True,
        allow_infos=True,
        do_owl_imports=False,
        meta_shacl=False,
        abort_on_first=False,
        **options,
    )
    return results_from_report_graph(report)
