"""Build the graph that shapes and checks see: asserted triples plus the build's inferred triples.

The triples go into an in-memory pyoxigraph store and ``duikou_kg.inference.materialise`` adds what
``duikou-kg build`` adds (sub-class and sub-property closure, domains, ranges, inverses, transitive and
symmetric closure, derived shortcut properties). The same store then answers the SPARQL checks.

Where the build's inference module is not installed, ``materialised`` returns the graph as it is and
says so; ``validate_graph`` then lets pySHACL run its own RDFS inference instead.
"""

from __future__ import annotations

import pyoxigraph as ox
import rdflib

try:  # the build's rule engine (duikou_kg.inference); optional so that validation works without it
    from ..inference import materialise as _build_materialise
except ImportError:  # pragma: no cover - depends on the installed package
    _build_materialise = None

__all__ = ["BUILD_INFERENCE_AVAILABLE", "materialised", "store_to_graph", "to_store"]

BUILD_INFERENCE_AVAILABLE = _build_materialise is not None


def to_store(graph: rdflib.Graph) -> ox.Store:
    store = ox.Store()
    data = graph.serialize(format="nt", encoding="utf-8")
    store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    return store


def store_to_graph(store: ox.Store) -> rdflib.Graph:
    """Every triple of every graph of ``store`` (the union) as one rdflib graph."""
    triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    graph = rdflib.Graph()
    graph.parse(data=triples.serialize(format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


def materialised(graph: rdflib.Graph) -> tuple[rdflib.Graph, ox.Store]:
    """``graph`` plus its inferred triples, as an rdflib graph and as a pyoxigraph store.

    Without the build's inference module the graph comes back unchanged (check ``BUILD_INFERENCE_AVAILABLE``).
    """
    store = to_store(graph)
    if _build_materialise is None:
        return graph, store
    _build_materialise(store)
    return store_to_graph(store), store
