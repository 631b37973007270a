"""What the service says about one IRI: its triples, the triples pointing at it, labels, and sources.

The IRI is bound as a ``VALUES`` row by the store (``duikou_kg.binding``), never spliced into query text;
so every query here reads correctly when the bound variable joins from outside its groups.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..namespaces import DCTERMS, DKO, INFERRED_GRAPH, RDF, RDFS, SKOS
from .rdf import compact_iri

S = ox.Variable("s")
LABEL_PATH = "rdfs:label|skos:prefLabel"
_PREFIXES = f"""PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
PREFIX dko: <{DKO}>
PREFIX dcterms: <{DCTERMS}>
"""

# The properties' own labels come from ``PropertyTerms`` (a handful of properties, looked up once each):
# asked here per row, they multiplied the rows by the languages: these two queries took 2.4 ms instead of 1.0.
_OUT = _PREFIXES + f"""SELECT ?s ?p ?o ?olabel ?inferred WHERE {{
  ?s ?p ?o .
  OPTIONAL {{ ?o {LABEL_PATH} ?olabel }}
  OPTIONAL {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} BIND(true AS ?inferred) }}
}}"""

_IN = _PREFIXES + f"""SELECT ?s ?x ?p ?xlabel ?inferred WHERE {{
  ?x ?p ?s .
  OPTIONAL {{ ?x {LABEL_PATH} ?xlabel }}
  OPTIONAL {{ GRAPH <{INFERRED_GRAPH}> {{ ?x ?p ?s }} BIND(true AS ?inferred) }}
}}"""

_PROPERTY = _PREFIXES + f"""SELECT ?s ?plabel ?invlabel ?symmetric WHERE {{
  {{ ?s a <http://www.w3.org/2002/07/owl#SymmetricProperty> BIND(true AS ?symmetric) }}
  UNION {{ ?s {LABEL_PATH} ?plabel }}
  UNION {{ {{ ?s <http://www.w3.org/2002/07/owl#inverseOf> ?inv }} UNION {{ ?inv <http://www.w3.org/2002/07/owl#inverseOf> ?s }}
          ?inv {LABEL_PATH} ?invlabel }}
}}"""

_CITATION_FIELDS = {DKO + "chapter": "chapter", DKO + "page": "page", DCTERMS + "title": "title", DKO + "url": "url",
                    DKO + "accessed": "accessed", DKO + "documentNumber": "docnum", DKO + "claimedStartYear": "claimed"}

_SOURCES = _PREFIXES + """SELECT ?s ?pairing ?cite ?field ?value ?worklabel WHERE {
  # Each branch binds ?s itself (right whether ?s comes as a VALUES row or not) and is one triple
  # pattern, so Oxigraph joins the bound ?s into it (a loop) instead of evaluating it unbound (a hash join).
  { ?s a dko:Pairing BIND(?s AS ?pairing) } UNION { ?s ?anyp ?pairing } UNION { ?pairing ?anyq ?s }
  ?pairing a dko:Pairing ; dko:hasSource ?cite .
  # One row per field of the citation (every citation has its dko:citedWork): one look-up instead of eight
  # OPTIONALs, 2.4x faster.
  ?cite ?field ?value .
  VALUES ?field { dko:citedWork dko:chapter dko:page dcterms:title dko:url dko:accessed dko:documentNumber
                  dko:claimedStartYear }
  OPTIONAL { ?value rdfs:label ?worklabel }
}"""

_GRAPH_SIZE = "SELECT ?s (COUNT(*) AS ?n) WHERE { GRAPH ?s { ?a ?b ?c } } GROUP BY ?s"

DESCRIPTION_PROPERTIES = (SKOS + "definition", RDFS + "comment", DCTERMS + "description")
LABEL_PROPERTIES = (RDFS + "label", SKOS + "prefLabel")


class Labels:
    """Texts by language tag; ``pick("en")`` falls back to the other language, then to a fallback."""

    def __init__(self) -> None:
        self.by_lang: dict[str, list[str]] = defaultdict(list)

    def add(self, term) -> None:
        if isinstance(term, ox.Literal) and term.value not in self.by_lang[term.language or ""]:
            self.by_lang[term.language or ""].append(term.value)

    def pick(self, lang: str, fallback: str = "") -> str:
        for wanted in (lang, "zh" if lang == "en" else "en", ""):
            for tag, texts in sorted(self.by_lang.items()):
                if texts and (tag == wanted or tag.startswith(wanted + "-")):
                    return texts[0]
        return fallback

    def __bool__(self) -> bool:
        return any(self.by_lang.values())


@dataclass
class Value:
    term: object  # ox.NamedNode | ox.BlankNode | ox.Literal
    labels: Labels = field(default_factory=Labels)
    inferred: bool = False

    @property
    def is_literal(self) -> bool:
        return isinstance(self.term, ox.Literal)

    @property
    def iri(self) -> str | None:
        return self.term.value if isinstance(self.term, ox.NamedNode) else None

    def text(self, lang: str) -> str:
        if self.is_literal:
            return self.term.value
        return self.labels.pick(lang, compact_iri(self.term.value) if self.iri else f"_:{self.term.value}")


@dataclass
class Property:
    iri: str
    labels: Labels = field(default_factory=Labels)
    inverse_labels: Labels = field(default_factory=Labels)
    values: dict[str, Value] = field(default_factory=dict)

    @classmethod
    def from_terms(cls, iri: str, terms: "PropertyTerms", *, inverse: bool = False) -> "Property":
        """The property as a table row: its labels, and for an inverse row the labels read backwards."""
        return cls(iri, terms.labels, terms.inverse_labels if inverse else Labels())

    def text(self, lang: str) -> str:
        return self.labels.pick(lang, compact_iri(self.iri))

    def inverse_text(self, lang: str) -> str:
        """Label for "this resource is the object": the inverse property's label, else "<label> of"."""
        if self.inverse_labels:
            return self.inverse_labels.pick(lang)
        label = self.text(lang)
        return f"是其{label}" if lang == "zh" else f"is {label} of"


@dataclass
class Citation:
    iri: str
    work: str | None = None
    work_labels: Labels = field(default_factory=Labels)
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class Description:
    iri: str
    properties: dict[str, Property]
    inverse: dict[str, Property]
    sources: dict[str, dict[str, Citation]]  # pairing IRI → citation IRI → citation
    graph_triples: int | None  # set when the IRI names a graph of the store
    triples: list  # the RDF representation: outgoing then incoming triples

    @property
    def exists(self) -> bool:
        return bool(self.properties or self.inverse or self.graph_triples)

    def labels(self) -> Labels:
        found = Labels()
        for prop in LABEL_PROPERTIES:
            if prop in self.properties:
                for value in self.properties[prop].values.values():
                    found.add(value.term)
        return found

    def description(self) -> Labels:
        found = Labels()
        for prop in DESCRIPTION_PROPERTIES:
            if prop in self.properties:
                for value in self.properties[prop].values.values():
                    found.add(value.term)
        return found

    def types(self) -> list[Value]:
        prop = self.properties.get(RDF + "type")
        return list(prop.values.values()) if prop else []


def _key(term) -> str:
    return str(term)


@dataclass(frozen=True)
class PropertyTerms:
    """What a page shows of a property: its labels, and the labels of the property read backwards (its
    inverse's labels; a symmetric property's own)."""
    labels: Labels
    inverse_labels: Labels


def property_terms(store, iri: str) -> PropertyTerms:
    labels, inverse_labels, symmetric = Labels(), Labels(), False
    for row in store.query(_PROPERTY, substitutions={S: ox.NamedNode(iri)}):
        labels.add(row["plabel"])
        inverse_labels.add(row["invlabel"])
        symmetric = symmetric or row["symmetric"] is not None
    return PropertyTerms(labels, labels if symmetric else inverse_labels)


class PropertyLookup:
    """``PropertyTerms`` of each property, looked up once (keep one per store version: see ``describe``)."""

    def __init__(self) -> None:
        self._known: dict[str, PropertyTerms] = {}

    def get(self, store, iri: str) -> PropertyTerms:
        terms = self._known.get(iri)
        if terms is None:  # two threads may both look it up: the same answer, stored twice
            terms = self._known[iri] = property_terms(store, iri)
        return terms


def describe(store, iri: str, property_lookup: PropertyLookup | None = None) -> Description:
    """Everything about ``iri``. ``property_lookup`` gives the properties' labels: pass one lookup kept for the
    store's version when describing many IRIs (without it, the store is asked once for each property)."""
    lookup = property_lookup or PropertyLookup()
    node = ox.NamedNode(iri)
    subs = {S: node}
    properties: dict[str, Property] = {}
    triples: dict[str, ox.Triple] = {}
    for row in store.query(_OUT, substitutions=subs):
        p = row["p"].value
        prop = properties.get(p) or properties.setdefault(p, Property.from_terms(p, lookup.get(store, p)))
        value = prop.values.setdefault(_key(row["o"]), Value(row["o"]))
        value.labels.add(row["olabel"])
        value.inferred = row["inferred"] is not None
        triples.setdefault("o" + _key(row["p"]) + _key(row["o"]), ox.Triple(node, row["p"], row["o"]))
    inverse: dict[str, Property] = {}
    for row in store.query(_IN, substitutions=subs):
        p = row["p"].value
        prop = inverse.get(p) or inverse.setdefault(p, Property.from_terms(p, lookup.get(store, p), inverse=True))
        value = prop.values.setdefault(_key(row["x"]), Value(row["x"]))
        value.labels.add(row["xlabel"])
        value.inferred = row["inferred"] is not None
        triples.setdefault("i" + _key(row["x"]) + _key(row["p"]), ox.Triple(row["x"], row["p"], node))
    sources: dict[str, dict[str, Citation]] = defaultdict(dict)
    for row in store.query(_SOURCES, substitutions=subs):
        cite = sources[row["pairing"].value].setdefault(row["cite"].value, Citation(row["cite"].value))
        field_iri = row["field"].value
        if field_iri == DKO + "citedWork":
            cite.work = row["value"].value
            cite.work_labels.add(row["worklabel"])
        else:
            cite.fields[_CITATION_FIELDS[field_iri]] = row["value"].value
    graph_triples = sum(int(row["n"].value) for row in store.query(_GRAPH_SIZE, substitutions=subs))
    return Description(
        iri=iri,
        properties=properties,
        inverse=inverse,
        sources=dict(sources),
        graph_triples=graph_triples or None,
        triples=list(triples.values()),
    )


def reproducing_query(iri: str) -> str:
    """SPARQL that returns what the page shows (linked from every page)."""
    if any(c in iri for c in '<>"{}|^`\\ '):
        raise ValueError(f"not a plain IRI: {iri!r}")
    return (
        f"# Everything the page of <{iri}> shows: its triples and the triples pointing at it\n"
        f"PREFIX rdfs: <{RDFS}>\n"
        "SELECT ?direction ?property ?value ?valueLabel WHERE {\n"
        f"  {{ <{iri}> ?property ?value BIND(\"out\" AS ?direction) }}\n"
        f"  UNION {{ ?value ?property <{iri}> BIND(\"in\" AS ?direction) }}\n"
        "  OPTIONAL { ?value rdfs:label ?valueLabel }\n"
        "}\nORDER BY ?direction ?property"
    )
