"""An in-memory store built straight from the Turtle sources, with the same ``query`` contract as the
service's ``KnowledgeStore``: for tests and for `duikou-kg dump` run against a checkout without a build."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from ..inference import materialise
from ..namespaces import INFERRED_GRAPH
from ..rollups import materialise_rollups
from ..sources import discover_sources, fingerprint
from ..store import apply_removals


class MemoryStore:
    def __init__(self, store: ox.Store, version: str) -> None:
        self._store = store
        self.version = version

    @classmethod
    def from_sources(cls, project_root: Path, *, extra_turtle: dict[str, str] | None = None) -> "MemoryStore":
        """Load ``ontology/`` and ``data/ttl/`` (one named graph per file), then materialise inferences.

        ``extra_turtle`` maps graph IRIs to Turtle text added before inference (tests use it).
        """
        store = ox.Store()
        sources = discover_sources(project_root)
        for source in sources:
            if source.removals is not None:  # accepted curation submissions replay in order
                apply_removals(store, source.removals)
            store.load(path=str(source.path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(source.graph))
        version = fingerprint(sources)
        for graph, text in (extra_turtle or {}).items():
            store.load(text.encode("utf-8"), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph))
            version += "+" + str(abs(hash(text)))
        materialise(store)
        materialise_rollups(store, INFERRED_GRAPH)  # as a build does
        return cls(store, version)

    def quads(self, *, include_inferred: bool = True):
        """The quads of the named graphs (sources, and the inferred graph unless left out)."""
        inferred = ox.NamedNode(INFERRED_GRAPH)
        for quad in self._store:
            if quad.graph_name != ox.DefaultGraph() and (include_inferred or quad.graph_name != inferred):
                yield quad

    def query(self, sparql: str, *, substitutions=None, default_graph=None, named_graphs=None):
        kwargs = {"substitutions": substitutions} if substitutions else {}
        if default_graph is not None:
            kwargs["default_graph"] = default_graph
        else:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs is not None:
            kwargs["named_graphs"] = named_graphs
        return self._store.query(sparql, **kwargs)
