"""SPARQL data-quality checks (``queries/checks/*-violation.rq``), run with pyoxigraph.

Each file is one check (ODK style): it selects what is wrong and must return no rows on good data.
A file opens with comment lines; lines of the form ``#+ key: value`` carry its metadata:

    #+ title: Pairing without a source
    #+ message_en: The pairing has no dko:hasSource …
    #+ message_zh: 结对关系没有来源 …
    #+ severity: Violation

The query binds ``?focus`` (the resource at fault) and may bind ``?path`` and ``?value``. Queries run over
the union of all graphs of the store, so they see the inferred graph as well as the asserted triples.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pyoxigraph as ox
import rdflib

from .report import SEVERITIES, ValidationResult

__all__ = ["CHECK_BASE", "Check", "CheckError", "load_check", "load_checks", "run_check", "run_checks"]

CHECK_BASE = "https://w3id.org/duikou/checks/"

_META = re.compile(r"^#\+\s*([A-Za-z_]+)\s*:\s*(.*?)\s*$")


class CheckError(ValueError):
    """A check file lacks metadata or does not select ?focus."""


@dataclasses.dataclass(frozen=True)
class Check:
    name: str
    query: str
    title: str
    message_en: str
    message_zh: str
    severity: str = "Violation"

    @property
    def iri(self) -> str:
        return CHECK_BASE + self.name


def load_check(path: Path) -> Check:
    text = Path(path).read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    for line in text.splitlines():
        match = _META.match(line)
        if match:
            meta[match.group(1)] = match.group(2)
    missing = {"title", "message_en", "message_zh"} - set(meta)
    if missing:
        raise CheckError(f"{path.name}: missing #+ metadata: {', '.join(sorted(missing))}")
    severity = meta.get("severity", "Violation")
    if severity not in SEVERITIES:
        raise CheckError(f"{path.name}: unknown severity {severity!r}")
    if "?focus" not in text:
        raise CheckError(f"{path.name}: the query must select ?focus")
    name = Path(path).name.removesuffix(".rq")
    return Check(name, text, meta["title"], meta["message_en"], meta["message_zh"], severity)


def load_checks(directory: Path) -> list[Check]:
    return [load_check(p) for p in sorted(Path(directory).glob("*-violation.rq"))]


def _to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> rdflib.term.Identifier | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def run_check(store: ox.Store, check: Check) -> list[ValidationResult]:
    solutions = store.query(check.query, use_default_graph_as_union=True)
    variables = {v.value for v in solutions.variables}
    results = []
    seen = set()
    for row in solutions:
        focus = _to_rdflib(row["focus"])
        path = _to_rdflib(row["path"]) if "path" in variables else None
        value = _to_rdflib(row["value"]) if "value" in variables else None
        key = (focus, path, value)
        if key in seen:
            continue
        seen.add(key)
        results.append(
            ValidationResult(
                focus_node=focus,
                path=path,
                shape=check.iri,
                severity=check.severity,
                message_zh=check.message_zh,
                message_en=check.message_en,
                value=value,
                source="check",
            )
        )
    return results


def run_checks(store: ox.Store, checks: list[Check]) -> list[ValidationResult]:
    results: list[ValidationResult] = []
    for check in checks:
        results.extend(run_check(store, check))
    return results
