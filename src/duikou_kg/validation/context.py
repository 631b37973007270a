"""What every validation of one project needs, parsed once: ontology, shapes, checks, and a running HermiT.

A ``ValidationContext`` is cheap to ask for again: it re-reads its files only when one of them changed
(size or modification time), so the web app and the curation path can keep one per app.

It also owns the long-lived HermiT process (``duikou_kg.hermit.HermitServer``) that its validations use:
``start_reasoner()`` starts and warms it ahead of the first request, ``close()`` ends it (the context is
a context manager). Without Java the reasoner is ``None`` and HermiT runs through owlready2.
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib

from ..hermit import HermitServer, JavaUnavailable
from ..reasoning import hermit_document
from .checks import Check, load_checks
from .loading import parse_file
from .paths import ProjectPaths
from .shacl import CompiledShapes, load_shapes

__all__ = ["ValidationContext", "rdflib_to_quads"]


def rdflib_to_quads(graph: rdflib.Graph) -> list[ox.Triple]:
    """The triples of an rdflib graph as pyoxigraph triples (through N-Triples, no term-by-term mapping)."""
    if len(graph) == 0:
        return []
    data = graph.serialize(format="nt", encoding="utf-8")
    return list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))


@dataclasses.dataclass(frozen=True)
class _Loaded:
    stamp: tuple
    ontology: rdflib.Graph
    ontology_triples: list[ox.Triple]
    ontology_terms: frozenset[ox.NamedNode]
    shapes: rdflib.Graph
    compiled_shapes: CompiledShapes
    checks: list[Check]


class ValidationContext:
    """Ontology, shapes and checks of the project under ``settings.project_root``."""

    def __init__(self, settings: Any, *, persistent_reasoner: bool = True, reasoner_timeout: float = 120.0) -> None:
        self.paths = ProjectPaths.from_settings(settings)
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None
        self._use_server = persistent_reasoner
        self._reasoner_timeout = reasoner_timeout
        self._reasoner: HermitServer | None = None
        self.reasoner_unavailable: str | None = None  # why HermiT runs through owlready2, if it does

    def _files(self) -> list[Path]:
        return [self.paths.ontology, *self.paths.shape_files(), *self.paths.check_files()]

    def _stamp(self) -> tuple:
        stamp = []
        for path in self._files():
            info = path.stat()
            stamp.append((str(path), info.st_size, info.st_mtime_ns))
        return tuple(stamp)

    def _get(self) -> _Loaded:
        stamp = self._stamp()
        with self._lock:
            if self._loaded is None or self._loaded.stamp != stamp:
                ontology = parse_file(self.paths.ontology)
                triples = rdflib_to_quads(ontology)
                terms = frozenset(t.subject for t in triples if isinstance(t.subject, ox.NamedNode))
                shapes = load_shapes(self.paths.shape_files())
                self._loaded = _Loaded(
                    stamp, ontology, triples, terms, shapes, CompiledShapes(shapes), load_checks(self.paths.checks_dir),
                )
            return self._loaded

    # -- the long-lived HermiT -------------------------------------------------------------------

    @property
    def reasoner(self) -> HermitServer | None:
        """The HermiT process validations use (created on first use), or None: use owlready2."""
        with self._lock:
            if self._reasoner is None and self._use_server and self.reasoner_unavailable is None:
                self._reasoner = HermitServer(timeout=self._reasoner_timeout, warm_document=self._warm_document())
            if self._reasoner is not None and self._reasoner.unavailable is not None:
                self.reasoner_unavailable = self._reasoner.unavailable
                return None
            return self._reasoner

    def _warm_document(self) -> bytes | None:
        """The ontology alone, for HermiT's first check: real checks then find its classes loaded and compiled."""
        try:
            ontology = self._loaded.ontology if self._loaded else parse_file(self.paths.ontology)
        except (OSError, ValueError):
            return None  # no readable ontology: validations will say so; the JVM still starts
        return hermit_document(ontology)[0]

    def start_reasoner(self, *, wait: bool = False) -> bool:
        """Start and warm HermiT now (in the background unless ``wait``); False when Java is known not to run
        (in the background, a failed start shows on the next validation, which then uses owlready2)."""
        reasoner = self.reasoner
        if reasoner is None:
            return False
        try:
            reasoner.start(wait=wait)
        except JavaUnavailable as exc:
            self.reasoner_unavailable = str(exc)
            with self._lock:
                self._reasoner = None
            reasoner.close()
            return False
        return True

    def close(self) -> None:
        """End the HermiT process (a later validation starts a new one)."""
        with self._lock:
            reasoner, self._reasoner = self._reasoner, None
        if reasoner is not None:
            reasoner.close()

    def __enter__(self) -> ValidationContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def ontology(self) -> rdflib.Graph:
        return self._get().ontology

    @property
    def ontology_triples(self) -> list[ox.Triple]:
        return self._get().ontology_triples

    @property
    def ontology_terms(self) -> frozenset[ox.NamedNode]:
        """IRIs the ontology describes (classes, properties, the ontology itself)."""
        return self._get().ontology_terms

    @property
    def shapes(self) -> rdflib.Graph:
        return self._get().shapes

    @property
    def compiled_shapes(self) -> CompiledShapes:
        return self._get().compiled_shapes

    @property
    def checks(self) -> list[Check]:
        return self._get().checks
