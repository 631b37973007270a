"""What every validation of one project needs, parsed once: ontology, shapes, checks.

A ``ValidationContext`` is cheap to ask for again: it re-reads its files only when one of them changed
(size or modification time), so the web app and the curation path can keep one per app.
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib

from .checks import Check, load_checks
from .loading import parse_file
from .paths import ProjectPaths
from .shacl import load_shapes

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
    checks: list[Check]


class ValidationContext:
    """Ontology, shapes and checks of the project under ``settings.project_root``."""

    def __init__(self, settings: Any) -> None:
        self.paths = ProjectPaths.from_settings(settings)
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None

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
                self._loaded = _Loaded(
                    stamp, ontology, triples, terms,
                    load_shapes(self.paths.shape_files()), load_checks(self.paths.checks_dir),
                )
            return self._loaded

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
    def checks(self) -> list[Check]:
        return self._get().checks
