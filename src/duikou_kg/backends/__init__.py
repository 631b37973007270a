"""Where the service reads the knowledge graph from: one interface, two implementations.

- the embedded store: ``duikou_kg.store.KnowledgeStore``, a read-only on-disk Oxigraph build;
- a remote SPARQL 1.1 store: ``duikou_kg.backends.remote.RemoteStore`` (SPARQLWrapper), chosen by the
  ``DUIKOU_KG_SPARQL_URL`` setting and filled by ``duikou-kg push``.

Both answer ``query`` with pyoxigraph result objects (``QuerySolutions``, ``QueryBoolean``,
``QueryTriples``), so the endpoint, canned queries, pages, search and dumps need not know which one
they have. Values are bound, never spliced: on both through a ``VALUES`` block built from pyoxigraph terms
(``duikou_kg.binding``; the embedded store falls back to pyoxigraph's ``substitutions`` for blank nodes).
See docs/backends.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol, runtime_checkable

import pyoxigraph as ox

from ..config import Settings

__all__ = ["Backend", "open_backend"]

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


@runtime_checkable
class Backend(Protocol):
    """What every part of the service may ask of the store it reads."""

    @property
    def version(self) -> str:
        """Fingerprint of the data; changes when the data does (caches and ETags key on it)."""

    @property
    def manifest(self) -> Any:
        """The ``BuildInfo`` of the data served: build id, graphs with their triple counts, inferred count."""

    @property
    def triple_count(self) -> int: ...

    @property
    def graphs(self) -> list[str]:
        """Named graphs: the asserted ones in source order, then the inferred graph."""

    def query(
        self,
        sparql: str,
        *,
        substitutions: dict[ox.Variable, Any] | None = None,
        default_graph: list[str | ox.NamedNode] | None = None,
        named_graphs: list[str | ox.NamedNode] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Evaluate SPARQL with a union default graph (unless a dataset is given or declared with FROM);
        refuse SERVICE; raise ``MalformedQuery`` for a syntax error."""

    def quads(self, *, include_inferred: bool = True) -> Iterator[ox.Quad]: ...


def open_backend(settings: Settings, *, rebuild_if_stale: bool = True) -> Backend:
    """The remote store when ``settings.sparql_url`` is set, else the current embedded build."""
    if settings.remote:
        from .remote import RemoteStore

        return RemoteStore(settings)
    from ..store import open_store

    return open_store(settings, rebuild_if_stale=rebuild_if_stale)
