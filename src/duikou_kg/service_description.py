"""SPARQL 1.1 Service Description of the endpoint, as RDF triples (sd: vocabulary)."""

from __future__ import annotations

import pyoxigraph as ox

from .formats import GRAPH_FORMATS, SOLUTION_FORMATS
from .namespaces import INFERRED_GRAPH, RDF, SD, VOID

_TYPE = ox.NamedNode(RDF + "type")


def _sd(term: str) -> ox.NamedNode:
    return ox.NamedNode(SD + term)


def service_description(endpoint_url: str, graph_counts: dict[str, int], inferred_count: int) -> list[ox.Triple]:
    """Describe the endpoint at ``endpoint_url`` and its dataset (named graphs with triple counts).

    The default graph is the union of all named graphs (feature sd:UnionDefaultGraph).
    """
    service = ox.NamedNode(endpoint_url)
    dataset = ox.BlankNode("dataset")
    default_graph = ox.BlankNode("defaultGraph")
    triples = [
        ox.Triple(service, _TYPE, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), service),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(dataset, _TYPE, _sd("Dataset")),
        ox.Triple(dataset, _sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, _TYPE, _sd("Graph")),
        ox.Triple(default_graph, ox.NamedNode(VOID + "triples"),
                  ox.Literal(str(sum(graph_counts.values()) + inferred_count), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
    ]
    for fmt in SOLUTION_FORMATS + GRAPH_FORMATS:
        triples.append(ox.Triple(service, _sd("resultFormat"), ox.NamedNode(fmt.oxigraph.iri)))
    for index, (graph_iri, count) in enumerate([*graph_counts.items(), (INFERRED_GRAPH, inferred_count)]):
        named = ox.BlankNode(f"namedGraph{index}")
        graph = ox.BlankNode(f"graph{index}")
        triples += [
            ox.Triple(dataset, _sd("namedGraph"), named),
            ox.Triple(named, _TYPE, _sd("NamedGraph")),
            ox.Triple(named, _sd("name"), ox.NamedNode(graph_iri)),
            ox.Triple(named, _sd("graph"), graph),
            ox.Triple(graph, _TYPE, _sd("Graph")),
            ox.Triple(graph, ox.NamedNode(VOID + "triples"),
                      ox.Literal(str(count), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
        ]
    return triples
