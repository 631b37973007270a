"""Materialise inferred triples: SPARQL rules evaluated by pyoxigraph, iterated to a fixpoint.

Each rule is a SPARQL CONSTRUCT evaluated over the union of all graphs of a store (asserted plus
what was inferred so far) that returns only triples not yet in the store (``MINUS { head }``).
Rounds repeat until one adds nothing. Evaluation is semi-naive: round 1 runs each rule in full,
later rounds only join with the triples the round before added, kept in a scratch graph per round.

The rules take the schema from the data, so a new sub-class, sub-property, inverse, symmetric or
transitive property, or IRI domain/range in the ontology needs no code change. Each schema rule
first asks the store for its axioms (e.g. all sub-class pairs) and evaluates its data part with
those rows as a VALUES block: IRIs the store returned, written by pyoxigraph's own term
serialiser. (pyoxigraph 0.5's ``substitutions`` do not reach into MINUS / NOT EXISTS.)

The shortcut rules come from the ontology as well: a property whose ``skos:note`` reads
``Derived rule: BODY ⇒ HEAD`` gets the rule ``CONSTRUCT { HEAD } WHERE { BODY }``.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Iterator

import pyoxigraph as ox

from .namespaces import INFERRED_GRAPH, OWL, RDF, RDFS, SKOS, all_prefixes
from .sparql_guard import forbidden_keywords

DERIVED_RULE_MARKER = "Derived rule:"
RULE_ARROW = "⇒"
DELTA_GRAPH_BASE = "urn:x-duikou-kg:inference:round:"
RDF_TYPE = RDF + "type"

# If a round derives one of these, the schema changed: re-read it and run the next round in full.
SCHEMA_PREDICATES = frozenset(
    {RDFS + "subClassOf", RDFS + "subPropertyOf", RDFS + "domain", RDFS + "range", OWL + "inverseOf"}
)
SCHEMA_CLASSES = frozenset({OWL + "SymmetricProperty", OWL + "TransitiveProperty", OWL + "DatatypeProperty"})


class RuleError(ValueError):
    """A derived-rule note in the ontology that cannot become a rule."""


@dataclasses.dataclass(frozen=True)
class Rule:
    """``CONSTRUCT { head } WHERE { VALUES(schema rows) atoms filters } MINUS { head }``.

    ``schema`` is a pattern over ontology axioms binding ``schema_vars`` (all IRIs); ``atoms``
    are the triple patterns over instance data, which later rounds restrict to the last delta.
    A rule read from a note has only a free-form ``body`` and the IRIs it names (``triggers``).
    """

    name: str
    head: str
    schema: str = ""
    schema_vars: tuple[str, ...] = ()
    atoms: tuple[str, ...] = ()
    filters: str = ""
    body: str = ""
    triggers: frozenset[str] = frozenset()

    def head_schema_vars(self) -> tuple[str, ...]:
        return tuple(var for var in self.schema_vars if f"?{var}" in self.head.split())


def _values_block(variables: tuple[str, ...], rows: list[tuple[ox.NamedNode, ...]]) -> str:
    if not variables:
        return ""
    header = " ".join(f"?{var}" for var in variables)
    body = " ".join("(" + " ".join(str(term) for term in row) + ")" for row in rows)
    return f"VALUES ({header}) {{ {body} }}"


@dataclasses.dataclass(frozen=True)
class _BoundRule:
    """A rule with its schema rows read from the store, ready to write queries."""

    rule: Rule
    values: str  # VALUES block over schema_vars
    head_values: str  # VALUES block over the schema vars of the head (restricts MINUS)

    def query(self, delta_graph: str | None = None, delta_atom: int | None = None) -> str:
        rule = self.rule
        if rule.body:
            where = rule.body
        else:
            atoms = [
                f"GRAPH <{delta_graph}> {{ {atom} }}" if index == delta_atom else f"{atom} ."
                for index, atom in enumerate(rule.atoms)
            ]
            where = " ".join([self.values, *atoms, rule.filters])
        return f"CONSTRUCT {{ {rule.head} . }} WHERE {{ {{ {where} }} MINUS {{ {self.head_values} {rule.head} . }} }}"


_SCHEMA_RULES: tuple[Rule, ...] = (
    # Sub-properties first, so shortcut triples also yield their super-properties within round 1.
    Rule("rdfs:subPropertyOf", head="?s ?super ?o",
         schema="?sub rdfs:subPropertyOf+ ?super . FILTER(isIRI(?sub) && isIRI(?super) && ?sub != ?super)",
         schema_vars=("sub", "super"), atoms=("?s ?sub ?o",)),
    Rule("owl:inverseOf", head="?o ?inverse ?s",
         schema="{ ?p owl:inverseOf ?inverse } UNION { ?inverse owl:inverseOf ?p } FILTER(isIRI(?p) && isIRI(?inverse))",
         schema_vars=("p", "inverse"), atoms=("?s ?p ?o",), filters="FILTER(!isLiteral(?o))"),
    Rule("owl:SymmetricProperty", head="?o ?p ?s",
         schema="?p a owl:SymmetricProperty . FILTER(isIRI(?p))",
         schema_vars=("p",), atoms=("?s ?p ?o",), filters="FILTER(!isLiteral(?o))"),
    # One join step per evaluation; the rounds extend chains until nothing is new.
    Rule("owl:TransitiveProperty", head="?a ?p ?c",
         schema="?p a owl:TransitiveProperty . FILTER(isIRI(?p))",
         schema_vars=("p",), atoms=("?a ?p ?b", "?b ?p ?c"), filters="FILTER(!isLiteral(?c))"),
    Rule("rdfs:domain", head="?s a ?class",
         schema="?p rdfs:domain ?class . FILTER(isIRI(?p) && isIRI(?class))",
         schema_vars=("p", "class"), atoms=("?s ?p ?o",)),
    # Ranges of datatype properties name datatypes, not classes of (literal) values.
    Rule("rdfs:range", head="?o a ?class",
         schema="?p rdfs:range ?class . FILTER(isIRI(?p) && isIRI(?class) && ?class != rdfs:Literal) "
                "FILTER NOT EXISTS { ?p a owl:DatatypeProperty }",
         schema_vars=("p", "class"), atoms=("?s ?p ?o",), filters="FILTER(!isLiteral(?o))"),
    # Last, so types from domain, range and shortcuts climb their class chains within round 1.
    Rule("rdfs:subClassOf", head="?x a ?super",
         schema="?class rdfs:subClassOf+ ?super . FILTER(isIRI(?class) && isIRI(?super) && ?class != ?super)",
         schema_vars=("class", "super"), atoms=("?x a ?class",)),
)


@dataclasses.dataclass(frozen=True)
class InferenceReport:
    inferred_triples: int
    rounds: int
    seconds: float
    per_rule: dict[str, int]
    graphs: tuple[str, ...]  # the named graphs that now hold the inferred triples


def schema_rules() -> list[Rule]:
    """The RDFS/OWL rules, independent of which ontology is loaded."""
    return list(_SCHEMA_RULES)


def derived_rules(store: ox.Store) -> list[Rule]:
    """Rules written as ``skos:note "Derived rule: BODY ⇒ HEAD"`` on properties, by property IRI."""
    notes = store.query(
        "SELECT ?property ?note WHERE { ?property skos:note ?note . FILTER(isLiteral(?note)) } ORDER BY ?property",
        use_default_graph_as_union=True,
        prefixes={"skos": SKOS},
    )
    return [
        rule_from_note(row["property"].value, row["note"].value)
        for row in notes
        if row["note"].value.startswith(DERIVED_RULE_MARKER)
    ]


_IRI_IN_TEXT = re.compile(r"<([^<>\"{}|^`\\\x00-\x20]*)>")
_PREFIXED_NAME = re.compile(r"(?<![\w?$])([A-Za-z][\w\-]*)?:([\w\-]+)")
_RDF_TYPE_KEYWORD = re.compile(r"(?<![\w?$:])a(?![\w:])")


def _named_iris(text: str) -> frozenset[str]:
    """IRIs written in rule text (full or prefixed; the keyword ``a`` is rdf:type)."""
    prefixes = all_prefixes()
    found = set(_IRI_IN_TEXT.findall(text))
    found.update(prefixes[p] + local for p, local in _PREFIXED_NAME.findall(text) if p in prefixes)
    if _RDF_TYPE_KEYWORD.search(text):
        found.add(RDF_TYPE)
    return frozenset(found)


def rule_from_note(property_iri: str, note: str) -> Rule:
    """Turn ``Derived rule: BODY ⇒ HEAD`` into a rule, or raise ``RuleError`` naming the property."""
    text = note[len(DERIVED_RULE_MARKER):]
    if text.count(RULE_ARROW) != 1:
        raise RuleError(f"derived rule of <{property_iri}> needs exactly one '{RULE_ARROW}': {note!r}")
    body, head = (part.strip() for part in text.split(RULE_ARROW))
    head = head.rstrip(" .")
    if not body or not head:
        raise RuleError(f"derived rule of <{property_iri}> has an empty side: {note!r}")
    if forbidden_keywords(body + " " + head):
        raise RuleError(f"derived rule of <{property_iri}> uses SERVICE: {note!r}")
    rule = Rule(f"<{property_iri}>", head=head, body=body, triggers=_named_iris(body))
    try:  # parse now, so a bad note fails naming the property rather than mid-build
        ox.Store().query(_BoundRule(rule, "", "").query(), prefixes=all_prefixes())
    except SyntaxError as exc:
        raise RuleError(f"derived rule of <{property_iri}> does not parse: {exc}") from None
    return rule


def all_rules(store: ox.Store) -> list[Rule]:
    """Derived shortcut rules first (they feed the sub-property and inverse rules), then schema rules."""
    return derived_rules(store) + schema_rules()


def _bind(rules: list[Rule], store: ox.Store) -> list[_BoundRule]:
    """Read each schema rule's axioms; rules whose axioms are absent drop out."""
    bound = []
    for rule in rules:
        if rule.body or not rule.schema_vars:
            bound.append(_BoundRule(rule, "", ""))
            continue
        projection = " ".join(f"?{var}" for var in rule.schema_vars)
        rows = [
            tuple(row[var] for var in rule.schema_vars)
            for row in store.query(f"SELECT DISTINCT {projection} WHERE {{ {rule.schema} }}",
                                   use_default_graph_as_union=True, prefixes=all_prefixes())
        ]
        if not rows:
            continue
        head_vars = rule.head_schema_vars()
        head_rows = sorted({tuple(row[rule.schema_vars.index(v)] for v in head_vars) for row in rows}, key=str)
        bound.append(_BoundRule(rule, _values_block(rule.schema_vars, rows), _values_block(head_vars, head_rows)))
    return bound


def _what_changed(store: ox.Store, delta_graph: str) -> tuple[frozenset[str], frozenset[str]]:
    """Predicates, and rdf:type classes, of the triples in ``delta_graph``."""
    graph = [ox.NamedNode(delta_graph)]
    predicates = frozenset(
        row["p"].value for row in store.query("SELECT DISTINCT ?p WHERE { ?s ?p ?o }", default_graph=graph)
    )
    classes = frozenset(
        row["c"].value
        for row in store.query("SELECT DISTINCT ?c WHERE { ?s a ?c }", default_graph=graph)
        if isinstance(row["c"], ox.NamedNode)
    )
    return predicates, classes


def _round_queries(
    rules: list[Rule], store: ox.Store, previous_delta: str | None
) -> Iterator[tuple[Rule, str]]:
    """This round's queries: every rule in full in round 1, else joined with the last delta."""
    if previous_delta is None:
        for bound in _bind(rules, store):
            yield bound.rule, bound.query()
        return
    predicates, classes = _what_changed(store, previous_delta)
    schema_changed = bool(predicates & SCHEMA_PREDICATES or classes & SCHEMA_CLASSES)
    changed = (predicates - {RDF_TYPE}) | classes
    for bound in _bind(rules, store):
        rule = bound.rule
        if rule.body:
            # Free-form rule: rerun in full when the last round touched something it names.
            if schema_changed or rule.triggers & changed or not rule.triggers - {RDF_TYPE}:
                yield rule, bound.query()
        elif schema_changed:
            yield rule, bound.query()
        else:
            for index in range(len(rule.atoms)):
                yield rule, bound.query(previous_delta, index)


def materialise(
    store: ox.Store,
    *,
    inferred_graph: str = INFERRED_GRAPH,
    rules: list[Rule] | None = None,
    max_rounds: int = 100,
    keep_round_graphs: bool = False,
) -> InferenceReport:
    """Run ``rules`` (default ``all_rules(store)``) over the union of ``store``'s graphs to a fixpoint.

    Triples new in round *k* go to the scratch graph ``DELTA_GRAPH_BASE + str(k)``; at the end they
    are moved into ``inferred_graph``. With ``keep_round_graphs`` they stay where they are (the
    build relabels them while copying to disk, which saves a second write) and
    ``report.graphs`` names them.
    """
    started = time.perf_counter()
    rules = all_rules(store) if rules is None else rules
    prefixes = all_prefixes()
    per_rule = {rule.name: 0 for rule in rules}
    round_graphs: list[str] = []
    for round_number in range(1, max_rounds + 1):
        delta = ox.NamedNode(DELTA_GRAPH_BASE + str(round_number))
        added = 0
        previous = round_graphs[-1] if round_graphs else None
        for rule, text in list(_round_queries(rules, store, previous)):
            # Collect before writing: the query reads the store being extended.
            new = set(store.query(text, use_default_graph_as_union=True, prefixes=prefixes))
            if new:
                store.extend(ox.Quad(t.subject, t.predicate, t.object, delta) for t in new)
                per_rule[rule.name] += len(new)
                added += len(new)
        if not added:
            graphs = tuple(round_graphs) if keep_round_graphs else _merge(store, round_graphs, inferred_graph)
            return InferenceReport(
                inferred_triples=sum(per_rule.values()),
                rounds=round_number,
                seconds=time.perf_counter() - started,
                per_rule=per_rule,
                graphs=graphs,
            )
        round_graphs.append(delta.value)
    raise RuntimeError(f"inference did not reach a fixpoint in {max_rounds} rounds")


def _merge(store: ox.Store, round_graphs: list[str], inferred_graph: str) -> tuple[str, ...]:
    target = ox.NamedNode(inferred_graph)
    for graph in round_graphs:
        node = ox.NamedNode(graph)
        quads = list(store.quads_for_pattern(None, None, None, node))  # read fully before writing
        store.extend(ox.Quad(q.subject, q.predicate, q.object, target) for q in quads)
        store.remove_graph(node)
    return (inferred_graph,) if round_graphs else ()
