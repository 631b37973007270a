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

_OUT = _PREFIXES + f"""SELECT ?s ?p ?o ?plabel ?olabel ?inferred WHERE {{
  ?s ?p ?o .
  OPTIONAL {{ ?p {LABEL_PATH} ?plabel }}
  OPTIONAL {{ ?o {LABEL_PATH} ?olabel }}
  OPTIONAL {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} BIND(true AS ?inferred) }}
}}"""

_IN = _PREFIXES + f"""SELECT ?s ?x ?p ?xlabel ?plabel ?invlabel ?symmetric ?inferred WHERE {{
  ?x ?p ?s .
  OPTIONAL {{ ?p a <http://www.w3.org/2002/07/owl#SymmetricProperty> BIND(true AS ?symmetric) }}
  OPTIONAL {{ ?x {LABEL_PATH} ?xlabel }}
  OPTIONAL {{ ?p {LABEL_PATH} ?plabel }}
  OPTIONAL {{ {{ ?p <http://www.w3.org/2002/07/owl#inverseOf> ?inv }} UNION {{ ?inv <http://www.w3.org/2002/07/owl#inverseOf> ?p }}
             ?inv {LABEL_PATH} ?invlabel }}
  OPTIONAL {{ GRAPH <{INFERRED_GRAPH}> {{ ?x ?p ?s }} BIND(true AS ?inferred) }}
}}"""

_SOURCES = _PREFIXES + """SELECT ?s ?pairing ?cite ?work ?worklabel ?chapter ?page ?title ?url ?accessed ?docnum ?claimed WHERE {
  # Each branch binds ?s itself (right whether ?s comes as a VALUES row or not) and is one triple
  # pattern, so Oxigraph joins the bound ?s into it (a loop) instead of evaluating it unbound (a hash join).
  { ?s a dko:Pairing BIND(?s AS ?pairing) } UNION { ?s ?anyp ?pairing } UNION { ?pairing ?anyq ?s }
  ?pairing a dko:Pairing ; dko:hasSource ?cite .
  OPTIONAL { ?cite dko:citedWork ?work OPTIONAL { ?work rdfs:label ?worklabel } }
  OPTIONAL { ?cite dko:chapter ?chapter }
  OPTIONAL { ?cite dko:page ?page }
  OPTIONAL { ?cite dcterms:title ?title }
  OPTIONAL { ?cite dko:url ?url }
  OPTIONAL { ?cite dko:accessed ?accessed }
  OPTIONAL { ?cite dko:documentNumber ?docnum }
  OPTIONAL { ?cite dko:claimedStartYear ?claimed }
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


def describe(store, iri: str) -> Description:
    node = ox.NamedNode(iri)
    subs = {S: node}
    properties: dict[str, Property] = {}
    triples: dict[str, ox.Triple] = {}
    for row in store.query(_OUT, substitutions=subs):
        prop = properties.setdefault(row["p"].value, Property(row["p"].value))
        prop.labels.add(row["plabel"])
        value = prop.values.setdefault(_key(row["o"]), Value(row["o"]))
        value.labels.add(row["olabel"])
        value.inferred = row["inferred"] is not None
        triples.setdefault("o" + _key(row["p"]) + _key(row["o"]), ox.Triple(node, row["p"], row["o"]))
    inverse: dict[str, Property] = {}
    for row in store.query(_IN, substitutions=subs):
        prop = inverse.setdefault(row["p"].value, Property(row["p"].value))
        prop.labels.add(row["plabel"])
        prop.inverse_labels.add(row["plabel"] if row["symmetric"] is not None else row["invlabel"])
        value = prop.values.setdefault(_key(row["x"]), Value(row["x"]))
        value.labels.add(row["xlabel"])
        value.inferred = row["inferred"] is not None
        triples.setdefault("i" + _key(row["x"]) + _key(row["p"]), ox.Triple(row["x"], row["p"], node))
    sources: dict[str, dict[str, Citation]] = defaultdict(dict)
    for row in store.query(_SOURCES, substitutions=subs):
        cite = sources[row["pairing"].value].setdefault(row["cite"].value, Citation(row["cite"].value))
        if row["work"] is not None:
            cite.work = row["work"].value
            cite.work_labels.add(row["worklabel"])
        for name in ("chapter", "page", "title", "url", "accessed", "docnum", "claimed"):
            if row[name] is not None:
                cite.fields[name] = row[name].value
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
