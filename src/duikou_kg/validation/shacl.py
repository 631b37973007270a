"""Running pySHACL with the project's shapes and turning its report into ``ValidationResult`` records.

``run_shacl`` validates a whole graph (or pySHACL's own ``focus_nodes``). ``CompiledShapes`` is for
incremental validation: the shapes are parsed into pySHACL shapes once and reused, and only the
*top-level* focus nodes are restricted. (pySHACL's ``focus_nodes`` option also filters the value nodes
that nested ``sh:node``/``sh:not``/``sh:or`` shapes are evaluated on, so a caller has to name every
value as a focus node too, and pySHACL then validates all of those against their own shapes: on a
100-triple submission about 240 nodes instead of 30.)
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import rdflib
from rdflib import RDF, Literal
from rdflib.namespace import SH

from .loading import parse_file
from .report import ValidationResult

if TYPE_CHECKING:  # pySHACL (and rdflib's SPARQL engine with it) is imported on first use: 0.4 s off start-up
    from pyshacl.shapes_graph import ShapesGraph

__all__ = ["CompiledShapes", "load_shapes", "run_shacl", "results_from_report_graph"]


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
    import pyshacl

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


class CompiledShapes:
    """A shapes graph parsed into pySHACL shapes once, for validating chosen focus nodes of many small graphs.

    For each shape, its targets in the data graph that are focus nodes are validated; nested shapes see
    every value node, as in a full run. Shapes are evaluated under a lock (pySHACL keeps state on them).
    """

    def __init__(self, shapes: rdflib.Graph) -> None:
        self.supported = not _needs_full_pyshacl(shapes)
        self._shapes_graph = shapes
        self._lock = threading.Lock()
        self._compiled: tuple[ShapesGraph, list] | None = None

    def _get(self) -> tuple[ShapesGraph, list]:
        if self._compiled is None:
            from pyshacl.shapes_graph import ShapesGraph
            from pyshacl.target import apply_target_types, gather_target_types

            sg = ShapesGraph(self._shapes_graph)
            shapes = list(sg.shapes)  # the getter harvests the shapes
            for shape in shapes:
                shape.set_advanced(True)  # SPARQL targets (SHACL-AF), as run_shacl's advanced=True
            apply_target_types(gather_target_types(sg))
            self._compiled = (sg, shapes)
        return self._compiled

    def validate(self, data: rdflib.Graph, focus: Collection[rdflib.term.Node]) -> list[ValidationResult]:
        """Results of ``focus`` in ``data`` (which already holds its inferred triples)."""
        if not self.supported:
            return [r for r in run_shacl(data, self._shapes_graph, focus_nodes=list(focus)) if r.focus_node in focus]
        import pyshacl
        from pyshacl.pytypes import SHACLExecutor

        focus = set(focus)
        executor = SHACLExecutor(advanced_mode=True, allow_infos=True, allow_warnings=True)
        reports: list = []
        conforms = True
        with self._lock:
            sg, shapes = self._get()
            for shape in shapes:
                targets = [node for node in shape.focus_nodes(data) if node in focus]
                if targets:
                    ok, found = shape.validate(executor, data, focus=targets)
                    conforms = conforms and ok
                    reports.extend(found)
            report, _text = pyshacl.Validator.create_validation_report(sg, conforms, reports)
        return results_from_report_graph(report)


def _needs_full_pyshacl(shapes: rdflib.Graph) -> bool:
    """SHACL rules and functions change the data graph in pySHACL's own run: leave those shapes to it."""
    return (None, SH.rule, None) in shapes or any(
        (None, RDF.type, kind) in shapes for kind in (SH.SPARQLFunction, SH.JSFunction, SH.JSTarget))
