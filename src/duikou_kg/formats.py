"""Result formats: the short names users type, their media types and pyoxigraph's serialisers."""

from __future__ import annotations

import dataclasses

import pyoxigraph as ox


@dataclasses.dataclass(frozen=True)
class ResultFormat:
    name: str  # what ``format=`` / ``--format`` takes
    media_type: str  # what the response says it is
    aliases: tuple[str, ...]  # other media types a client may ask for
    oxigraph: ox.QueryResultsFormat | ox.RdfFormat
    other_names: tuple[str, ...] = ()  # ``format=`` values other clients send (SPARQLWrapper: "turtle")

    def answers_to(self, format_value: str) -> bool:
        """Does ``format=format_value`` (a short name or a media type) mean this format?"""
        value = format_value.strip().lower()
        return value == self.name or value in self.other_names or value in self.media_types

    @property
    def content_type(self) -> str:
        text_like = self.media_type.startswith("text/") or self.media_type.endswith(("+json", "+xml", "/n-triples", "/n-quads"))
        return f"{self.media_type}; charset=utf-8" if text_like else self.media_type

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


# First entry of each table is the default when the client accepts anything.
SOLUTION_FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat("json", "application/sparql-results+json", ("application/json",), ox.QueryResultsFormat.JSON),
    ResultFormat("xml", "application/sparql-results+xml", ("application/xml", "text/xml"), ox.QueryResultsFormat.XML),
    ResultFormat("csv", "text/csv", (), ox.QueryResultsFormat.CSV),
    ResultFormat("tsv", "text/tab-separated-values", (), ox.QueryResultsFormat.TSV),
)
GRAPH_FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat("ttl", "text/turtle", ("application/x-turtle",), ox.RdfFormat.TURTLE, ("turtle",)),
    ResultFormat("nt", "application/n-triples", ("text/plain",), ox.RdfFormat.N_TRIPLES, ("ntriples", "n-triples")),
    ResultFormat("jsonld", "application/ld+json", ("application/json",), ox.RdfFormat.JSON_LD, ("json-ld", "json")),
    ResultFormat("rdfxml", "application/rdf+xml", ("application/xml", "text/xml"), ox.RdfFormat.RDF_XML, ("rdf", "rdf+xml", "xml")),
)
DATASET_FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat("nq", "application/n-quads", (), ox.RdfFormat.N_QUADS),
    ResultFormat("trig", "application/trig", (), ox.RdfFormat.TRIG),
)


def by_name(formats: tuple[ResultFormat, ...]) -> dict[str, ResultFormat]:
    return {fmt.name: fmt for fmt in formats}


def is_graph_result(result: object) -> bool:
    return isinstance(result, ox.QueryTriples)


def formats_for(result: object) -> tuple[ResultFormat, ...]:
    return GRAPH_FORMATS if is_graph_result(result) else SOLUTION_FORMATS


def serialize_result(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, fmt: ResultFormat) -> bytes:
    """Serialise a query result with pyoxigraph; ``fmt`` must belong to the result's kind."""
    if fmt not in formats_for(result):
        raise ValueError(f"format {fmt.name!r} does not apply to this kind of result")
    return result.serialize(format=fmt.oxigraph)
