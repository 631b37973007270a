"""The IRIs fixed by docs/CONVENTIONS.md, in one place."""

from __future__ import annotations

BASE = "https://w3id.org/duikou/"
ONTOLOGY_IRI = BASE + "ontology"
DKO = ONTOLOGY_IRI + "#"
ID_BASE = BASE + "id/"
GRAPH_BASE = BASE + "graph/"
INFERRED_GRAPH = GRAPH_BASE + "inferred"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
QB = "http://purl.org/linked-data/cube#"

# Prefixes of the project's own identifiers (CONVENTIONS.md, table "IRIs").
ID_PREFIXES = {
    "actor": ID_BASE + "actor/",
    "pairing": ID_BASE + "pairing/",
    "event": ID_BASE + "event/",
    "doc": ID_BASE + "document/",
    "cite": ID_BASE + "citation/",
    "work": ID_BASE + "source/",
    "program": ID_BASE + "program/",
    "sector": ID_BASE + "concept/sector/",
    "instrument": ID_BASE + "concept/instrument/",
    "mechanism": ID_BASE + "concept/mechanism/",
    "phase": ID_BASE + "concept/phase/",
    "status": ID_BASE + "concept/status/",
    "scheme": ID_BASE + "scheme/",
}

VOCABULARY_PREFIXES = {
    "dko": DKO,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "geo": GEO,
    "qb": QB,
}


def all_prefixes() -> dict[str, str]:
    """Prefixes for serialisers and rule text: vocabularies first, then identifiers."""
    return {**VOCABULARY_PREFIXES, **ID_PREFIXES}


def graph_iri(relative_path_without_suffix: str) -> str:
    """Named graph of a source file, e.g. ``data/ttl/seed/pairings`` → ``…/graph/data/ttl/seed/pairings``."""
    return GRAPH_BASE + relative_path_without_suffix
