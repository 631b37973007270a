"""Build the graph that shapes and checks see: asserted triples plus the build's inferred triples.

The triples go into an in-memory pyoxigraph store and ``duikou_kg.inference.materialise`` adds what
``duikou-kg build`` adds (sub-class and sub-property closure, domains, ranges, inverses, transitive and
symmetric closure, derived shortcut properties). The same store then answers the SPARQL checks.
"""

from __future__ import annotations

import pyoxigraph as ox
import rdflib

from ..inference import materialise

__all__ = ["to_store", "materialised", "store_to_graph"]


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
    """``graph`` plus its inferred triples, as an rdflib graph and as a pyoxigraph store."""
    store = to_store(graph)
    materialise(store)
    return store_to_graph(store), store
