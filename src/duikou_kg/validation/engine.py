"""The validation entry points: ``validate_graph`` and ``validate_files``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import rdflib
from rdflib import URIRef

import pyoxigraph as ox

from ..hermit import HermitServer
from ..reasoning import ENGINE_OWLREADY2, ENGINE_SERVER, ReasoningError, check_consistency
from .checks import load_checks, run_checks
from .loading import parse_file, parse_files
from .materialise import BUILD_INFERENCE_AVAILABLE, materialised
from .paths import ProjectPaths
from .report import ValidationReport, ValidationResult
from .shacl import load_shapes, run_shacl

__all__ = ["OWL_CONSISTENCY", "OWL_COHERENCE", "load_base_graph", "owl_results", "validate_files", "validate_graph"]

ONTOLOGY_IRI = "https://w3id.org/duikou/ontology"
VALIDATION_NS = "https://w3id.org/duikou/validation#"
#: ``shape`` of results that come from HermiT rather than from a SHACL shape or a SPARQL check.
OWL_CONSISTENCY = VALIDATION_NS + "OwlConsistency"
OWL_COHERENCE = VALIDATION_NS + "OwlCoherence"


def load_base_graph(settings: Any) -> rdflib.Graph:
    """The current graph as asserted: the ontology and every file under data/ttl, parsed with rdflib.

    Inferred triples are added by ``validate_graph`` (the same rules as ``duikou-kg build``).
    """
    paths = ProjectPaths.from_settings(settings)
    graph = parse_file(paths.ontology)
    return parse_files(paths.data_files(), graph)


def owl_results(graph: rdflib.Graph | ox.Store | list[ox.Quad],
                server: HermitServer | None = None) -> tuple[list[ValidationResult], str]:
    """HermiT's findings on ``graph`` as results, and which engine ran (``hermit-server`` or ``owlready2``)."""
    try:
        outcome = check_consistency(graph, server=server)
    except ReasoningError as exc:
        return [
            ValidationResult(
                focus_node=URIRef(ONTOLOGY_IRI),
                path=None,
                shape=OWL_CONSISTENCY,
                severity="Violation",
                message_zh=f"OWL 推理机 HermiT 无法处理该图，未能检查一致性：{exc}",
                message_en=f"The OWL reasoner HermiT could not process the graph, so consistency is unchecked: {exc}",
                source="owl",
            )
        ], ENGINE_SERVER if server is not None and server.unavailable is None else ENGINE_OWLREADY2
    results = []
    if not outcome.consistent:
        results.append(
            ValidationResult(
                focus_node=URIRef(ONTOLOGY_IRI),
                path=None,
                shape=OWL_CONSISTENCY,
                severity="Violation",
                message_zh="本体与数据不一致（OWL）：常见原因是同一资源属于两个互斥的类，或函数型属性有两个不同的值。"
                + outcome.explanation,
                message_en=outcome.explanation,
                source="owl",
            )
        )
    for cls in outcome.unsatisfiable_classes:
        results.append(
            ValidationResult(
                focus_node=URIRef(cls),
                path=None,
                shape=OWL_COHERENCE,
                severity="Violation",
                message_zh=f"类 {cls} 不可满足（不可能有成员）：请检查其父类之间是否互斥。",
                message_en=f"Class {cls} is unsatisfiable (it can have no members): check whether its super-classes are disjoint.",
                source="owl",
            )
        )
    return results, outcome.engine


def validate_graph(
    candidate: rdflib.Graph,
    *,
    base: rdflib.Graph | None,
    settings: Any,
    reasoning: bool = True,
    checks: bool = True,
    reasoner: HermitServer | None = None,
) -> ValidationReport:
    """Validate ``candidate`` together with ``base`` (the current graph; ``None`` for the candidate alone).

    Runs the SHACL shapes of ``shapes/`` on the union plus its inferred triples, HermiT on the union with
    the ontology, and the SPARQL checks of ``queries/checks/``. ``settings`` is ``duikou_kg.config.Settings``
    or any object with a ``project_root`` attribute. ``reasoner``: a running HermiT to use instead of
    starting one through owlready2.
    """
    paths = ProjectPaths.from_settings(settings)
    timings: dict[str, float] = {}
    started = time.perf_counter()

    combined = parse_file(paths.ontology)
    if base is not None:
        combined += base
    combined += candidate

    t = time.perf_counter()
    data, store = materialised(combined)
    timings["inference"] = time.perf_counter() - t

    t = time.perf_counter()
    if BUILD_INFERENCE_AVAILABLE:
        results = run_shacl(data, load_shapes(paths.shape_files()))
    else:  # no build rules installed: pySHACL's own RDFS inference on the raw graph
        results = run_shacl(data, load_shapes(paths.shape_files()), inference="rdfs")
    timings["shacl"] = time.perf_counter() - t

    scope: dict[str, Any] = {"mode": "full"}
    if reasoning:
        t = time.perf_counter()
        owl, scope["reasoner"] = owl_results(combined, reasoner)
        results.extend(owl)
        timings["owl"] = time.perf_counter() - t

    if checks:
        t = time.perf_counter()
        results.extend(run_checks(store, load_checks(paths.checks_dir)))
        timings["checks"] = time.perf_counter() - t

    timings["total"] = time.perf_counter() - started
    return ValidationReport(results=results, timings=timings, triples=len(combined), scope=scope)


def validate_files(paths: list[Path], settings: Any, **options: Any) -> ValidationReport:
    """Validate RDF files (.ttl .nt .jsonld .rdf .owl .xml) together with the current graph."""
    candidate = parse_files([Path(p) for p in paths])
    t = time.perf_counter()
    base = load_base_graph(settings)
    loading = time.perf_counter() - t
    report = validate_graph(candidate, base=base, settings=settings, **options)
    report.timings["load_base"] = loading
    return report
