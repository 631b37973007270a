"""VoID + DCAT description of the dataset, built from the store and the dump manifest."""

from __future__ import annotations

import pyoxigraph as ox

from ..namespaces import DCTERMS, INFERRED_GRAPH, OWL, RDF, XSD
from .rdf import EXTRA_PREFIXES, prefixes

VOID = EXTRA_PREFIXES["void"]
DCAT = EXTRA_PREFIXES["dcat"]
SPDX = EXTRA_PREFIXES["spdx"]
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
EXAMPLE_PATHS = ("id/actor/beijing", "id/pairing/seed-1979-beijing-neimenggu", "id/program/border-and-minority-regions")

_TOTAL = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
_PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
_TERMS = f"""SELECT DISTINCT ?t WHERE {{ {{ ?s ?t ?o }} UNION {{ ?s <{RDF}type> ?t }} FILTER(isIRI(?t)) }}"""
_VERSION = f"SELECT ?v WHERE {{ ?o a <{OWL}Ontology> ; <{OWL}versionInfo> ?v }}"
_EXISTS = "ASK { { ?s ?p ?o } UNION { ?o ?p ?s } }"


def _lit(text: str, lang: str | None = None) -> ox.Literal:
    return ox.Literal(text, language=lang) if lang else ox.Literal(text)


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))


def void_triples(store, *, public_base: str, service_url: str, manifest: dict | None) -> list[ox.Triple]:
    """``service_url`` is the absolute URL of the service root (ends with ``/``)."""
    N = ox.NamedNode
    dataset = N(public_base + ".well-known/void#dataset")
    out: list[ox.Triple] = []

    def add(s, p, o) -> None:
        out.append(ox.Triple(s, N(p), o))

    add(dataset, RDF + "type", N(VOID + "Dataset"))
    add(dataset, RDF + "type", N(DCAT + "Dataset"))
    add(dataset, DCTERMS + "title", _lit("对口支援政策知识图谱", "zh"))
    add(dataset, DCTERMS + "title", _lit("duikou-kg: knowledge graph of China's counterpart-support policy", "en"))
    add(dataset, DCTERMS + "description", _lit(
        "对口支援、对口帮扶（扶贫协作）与对口合作的结对关系、参与主体、项目、政策事件及其来源。", "zh"))
    add(dataset, DCTERMS + "description", _lit(
        "Pairings of China's counterpart-support, -assistance and -cooperation programs, their actors, programs, "
        "policy events and sources.", "en"))
    add(dataset, DCTERMS + "license", N(CC_BY))
    for row in store.query(_VERSION):
        add(dataset, OWL + "versionInfo", row["v"])
        add(dataset, DCAT + "version", row["v"])
    version = getattr(store, "version", None)
    if version:
        add(dataset, DCTERMS + "hasVersion", _lit(str(version)))
    add(dataset, VOID + "sparqlEndpoint", N(service_url + "sparql"))
    add(dataset, VOID + "uriSpace", _lit(public_base + "id/"))
    add(dataset, VOID + "rootResource", N(public_base + "ontology"))
    total = int(next(iter(store.query(_TOTAL)))["n"].value)
    add(dataset, VOID + "triples", _int(total))
    for path in EXAMPLE_PATHS:
        node = N(public_base + path)
        if store.query(_EXISTS, substitutions={ox.Variable("s"): node}):
            add(dataset, VOID + "exampleResource", node)
    for row in store.query(_PER_GRAPH):
        graph = row["g"]
        add(dataset, VOID + "subset", graph)
        add(graph, RDF + "type", N(VOID + "Dataset"))
        add(graph, VOID + "triples", _int(int(row["n"].value)))
        if graph.value == INFERRED_GRAPH:
            add(graph, DCTERMS + "description", _lit("Triples derived by `duikou-kg build` (inference rules)", "en"))
            add(graph, DCTERMS + "description", _lit("由 `duikou-kg build` 推理得出的三元组", "zh"))
    used = {r["t"].value for r in store.query(_TERMS)}
    for namespace in sorted({ns for ns in prefixes().values() if any(t.startswith(ns) for t in used)}):
        if not namespace.startswith(public_base + "id/"):
            add(dataset, VOID + "vocabulary", N(namespace))
    for f in (manifest or {}).get("files", []):
        dist = N(f"{service_url}dumps/{f['name']}")
        add(dataset, DCAT + "distribution", dist)
        add(dataset, VOID + "dataDump", dist)
        add(dist, RDF + "type", N(DCAT + "Distribution"))
        add(dist, DCAT + "downloadURL", dist)
        add(dist, DCAT + "mediaType", N("https://www.iana.org/assignments/media-types/" + f["media_type"]))
        add(dist, DCAT + "compressFormat", N("https://www.iana.org/assignments/media-types/application/gzip"))
        add(dist, DCAT + "byteSize", _int(f["bytes"]))
        add(dist, DCTERMS + "title", _lit(
            f"{'with' if f['variant'] == 'all' else 'without'} inferred triples, {f['extension']}", "en"))
        add(dist, DCTERMS + "license", N(CC_BY))
        checksum = ox.BlankNode()
        add(dist, SPDX + "checksum", checksum)
        add(checksum, RDF + "type", N(SPDX + "Checksum"))
        add(checksum, SPDX + "algorithm", N(SPDX + "checksumAlgorithm_sha256"))
        add(checksum, SPDX + "checksumValue", ox.Literal(f["sha256"], datatype=N(XSD + "hexBinary")))
    return out
