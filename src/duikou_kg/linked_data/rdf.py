"""Serialising triples: Turtle, N-Triples and RDF/XML by pyoxigraph, JSON-LD compacted against our context.

The JSON-LD context is prefixes only (no term aliases), so compaction is a plain prefix substitution and a
document stays readable by any JSON-LD 1.1 processor that loads the published context.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable

import pyoxigraph as ox

from ..namespaces import all_prefixes
from .formats import JSONLD, Format

EXTRA_PREFIXES = {
    "owl": "http://www.w3.org/2002/07/owl#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "time": "http://www.w3.org/2006/time#",
    "vann": "http://purl.org/vocab/vann/",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "spdx": "http://spdx.org/rdf/terms#",
    "wd": "http://www.wikidata.org/entity/",
}


def prefixes() -> dict[str, str]:
    """Every prefix the service writes, vocabularies before identifiers."""
    return {**all_prefixes(), **{k: v for k, v in EXTRA_PREFIXES.items() if k not in all_prefixes()}}


def jsonld_context() -> dict:
    """The published JSON-LD context (``/context.jsonld``)."""
    return {"@context": {"@version": 1.1, **prefixes()}}


def compact_iri(iri: str, table: dict[str, str] | None = None) -> str:
    """``https://w3id.org/duikou/ontology#partOf`` → ``dko:partOf``; the longest matching namespace wins."""
    if table is None:
        return _compact_with_service_prefixes(iri)
    best = None
    for prefix, namespace in table.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            if best is None or len(namespace) > len(table[best]):
                best = prefix
    return f"{best}:{iri[len(table[best]):]}" if best else iri


@functools.lru_cache(maxsize=8192)
def _compact_with_service_prefixes(iri: str) -> str:
    # A page compacts a few dozen IRIs, mostly the same properties and classes: 1 ms of a 4 ms page before.
    return compact_iri(iri, prefixes())


def _term_id(term: ox.NamedNode | ox.BlankNode, table: dict[str, str]) -> str:
    return compact_iri(term.value, table) if isinstance(term, ox.NamedNode) else f"_:{term.value}"


def to_jsonld(triples: Iterable[ox.Triple], context_url: str) -> bytes:
    """Compacted JSON-LD: one node object per subject, ``@context`` pointing to the published context."""
    table = prefixes()
    nodes: dict[str, dict] = {}
    for t in triples:
        node = nodes.setdefault(_term_id(t.subject, table), {"@id": _term_id(t.subject, table)})
        if t.predicate.value == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" and not isinstance(t.object, ox.Literal):
            node.setdefault("@type", []).append(_term_id(t.object, table))
            continue
        if isinstance(t.object, ox.Literal):
            value = {"@value": t.object.value}
            if t.object.language:
                value["@language"] = t.object.language
            elif t.object.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
                value["@type"] = compact_iri(t.object.datatype.value, table)
        else:
            value = {"@id": _term_id(t.object, table)}
        node.setdefault(compact_iri(t.predicate.value, table), []).append(value)
    for node in nodes.values():  # stable output: sorted values
        for key, values in node.items():
            if isinstance(values, list):
                values.sort(key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
    doc = {"@context": context_url, "@graph": [nodes[k] for k in sorted(nodes)]}
    return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")


def serialize(triples: list[ox.Triple], fmt: Format, *, context_url: str) -> bytes:
    if fmt is JSONLD:
        return to_jsonld(triples, context_url)
    if fmt.rdf_format is None:
        raise ValueError(f"{fmt.name} is not an RDF format")
    # Only the prefixes a document uses, so a one-resource Turtle file does not open with 30 prefix lines.
    iris = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    used = {p: ns for p, ns in prefixes().items() if any(iri.startswith(ns) for iri in iris)}
    return ox.serialize(triples, format=fmt.rdf_format, prefixes=used)
