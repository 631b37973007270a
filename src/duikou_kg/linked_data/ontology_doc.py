"""HTML documentation of the ontology, generated from its graph (our own generator, not pyLODE).

Every class and property gets an anchor ``#Term`` (its local name), so ``dko:Term`` IRIs land on their
entry when the namespace document is fetched by a browser. Labels and definitions are shown in both
languages, the requested one first.
"""

from __future__ import annotations

import pyoxigraph as ox

from ..namespaces import DKO, ONTOLOGY_IRI, OWL, RDF, RDFS, SKOS, graph_iri
from .describe import PropertyLookup, describe
from .iris import IriMapper
from .pages import value_view

ONTOLOGY_GRAPH = graph_iri("ontology/duikou")

_TERMS = f"""SELECT ?term ?kind WHERE {{
  GRAPH <{ONTOLOGY_GRAPH}> {{ ?term a ?kind }}
  VALUES ?kind {{ <{OWL}Class> <{OWL}ObjectProperty> <{OWL}DatatypeProperty> }}
  FILTER(STRSTARTS(STR(?term), "{DKO}"))
}}"""

_GRAPH = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}"

KIND_NAMES = {
    OWL + "Class": ("classes", "类", "Classes"),
    OWL + "ObjectProperty": ("object-properties", "对象属性", "Object properties"),
    OWL + "DatatypeProperty": ("datatype-properties", "数据属性", "Datatype properties"),
}
TEXT_PROPERTIES = (RDFS + "label", SKOS + "definition", SKOS + "example", SKOS + "note", RDFS + "comment")
SHOWN_AXIOMS = (RDF + "type", RDFS + "subClassOf", RDFS + "subPropertyOf", RDFS + "domain", RDFS + "range",
                OWL + "inverseOf", OWL + "disjointWith", OWL + "equivalentClass")


def ontology_graph_triples(store) -> list[ox.Triple]:
    return list(store.query(_GRAPH))


def _texts(d, prop: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if prop in d.properties:
        for v in d.properties[prop].values.values():
            if isinstance(v.term, ox.Literal):
                out.setdefault(v.term.language or "", []).append(v.term.value)
    return out


def ontology_view(store, lang: str, mapper: IriMapper) -> dict:
    properties = PropertyLookup()
    header = describe(store, ONTOLOGY_IRI, properties)
    langs = [lang, "en" if lang == "zh" else "zh"]
    sections = {kind: [] for kind in KIND_NAMES}
    for row in store.query(_TERMS):
        d = describe(store, row["term"].value, properties)
        entry = {
            "anchor": row["term"].value[len(DKO):],
            "iri": row["term"].value,
            "texts": {name: _texts(d, RDFS + "label" if name == "label" else SKOS + name if name != "comment" else RDFS + "comment")
                      for name in ("label", "definition", "example", "note", "comment")},
            "axioms": [],
        }
        for prop in SHOWN_AXIOMS:
            if prop in d.properties:
                values = [value_view(v, lang, mapper, {}) for v in d.properties[prop].values.values()
                          if not v.inferred and not (prop == RDF + "type" and v.iri == row["kind"].value)]
                if values:
                    entry["axioms"].append({"text": d.properties[prop].text(lang), "href": mapper.to_local(prop) or prop,
                                            "values": values})
        sections[row["kind"].value].append(entry)
    for entries in sections.values():
        entries.sort(key=lambda e: e["anchor"].lower())
    return {
        "iri": ONTOLOGY_IRI,
        "title": header.properties.get("http://purl.org/dc/terms/title") and _texts(header, "http://purl.org/dc/terms/title"),
        "description": _texts(header, "http://purl.org/dc/terms/description"),
        "version": _texts(header, OWL + "versionInfo"),
        "langs": langs,
        "sections": [
            {"id": KIND_NAMES[k][0], "name": KIND_NAMES[k][1] if lang == "zh" else KIND_NAMES[k][2], "entries": v}
            for k, v in sections.items()
        ],
    }
