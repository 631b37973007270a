"""Inference rules on a tiny in-memory dataset: each rule family, fixpoint, only-new triples."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from duikou_kg.inference import RuleError, derived_rules, materialise, rule_from_note
from duikou_kg.namespaces import DKO, ID_PREFIXES, INFERRED_GRAPH, RDF, all_prefixes

from conftest import PREFIXES, TINY_ONTOLOGY, TINY_PAIRINGS, TINY_PLACES

ACTOR = ID_PREFIXES["actor"]
PAIRING = ID_PREFIXES["pairing"]


def load(store: ox.Store, graph: str, turtle: str) -> None:
    store.load(turtle.encode("utf-8"), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph))


@pytest.fixture
def store() -> ox.Store:
    store = ox.Store()
    load(store, "urn:g:ontology", TINY_ONTOLOGY)
    load(store, "urn:g:pairings", TINY_PAIRINGS)
    load(store, "urn:g:places", TINY_PLACES)
    materialise(store)
    return store


def inferred(store: ox.Store, s: str, p: str, o: str | ox.Literal) -> bool:
    obj = o if isinstance(o, ox.Literal) else ox.NamedNode(o)
    quad = ox.Quad(ox.NamedNode(s), ox.NamedNode(p), obj, ox.NamedNode(INFERRED_GRAPH))
    return quad in store


def test_shortcut_rules_come_from_the_ontology_notes(store):
    names = [rule.name for rule in derived_rules(store)]
    assert names == [f"<{DKO}assists>", f"<{DKO}cooperatesWith>", f"<{DKO}supports>"]


def test_support_pairing_yields_supports_its_inverse_and_paired_with_both_ways(store):
    assert inferred(store, ACTOR + "beijing", DKO + "supports", ACTOR + "county")
    assert inferred(store, ACTOR + "county", DKO + "supportedBy", ACTOR + "beijing")
    assert inferred(store, ACTOR + "beijing", DKO + "pairedWith", ACTOR + "county")
    assert inferred(store, ACTOR + "county", DKO + "pairedWith", ACTOR + "beijing")
    # the variant decides the shortcut: a support pairing never yields assists
    assert not inferred(store, ACTOR + "beijing", DKO + "assists", ACTOR + "county")


def test_assistance_pairing_yields_assists_and_assisted_by(store):
    assert inferred(store, ACTOR + "shanghai", DKO + "assists", ACTOR + "prefecture")
    assert inferred(store, ACTOR + "prefecture", DKO + "assistedBy", ACTOR + "shanghai")
    assert not inferred(store, ACTOR + "shanghai", DKO + "supports", ACTOR + "prefecture")


def test_cooperation_yields_cooperates_with_both_ways_and_never_with_itself(store):
    assert inferred(store, ACTOR + "jilin", DKO + "cooperatesWith", ACTOR + "zhejiang")
    assert inferred(store, ACTOR + "zhejiang", DKO + "cooperatesWith", ACTOR + "jilin")
    assert not inferred(store, ACTOR + "jilin", DKO + "cooperatesWith", ACTOR + "jilin")


def test_transitive_part_of_and_its_inverse(store):
    assert inferred(store, ACTOR + "county", DKO + "partOf", ACTOR + "province")
    assert inferred(store, ACTOR + "province", DKO + "hasPart", ACTOR + "county")
    assert inferred(store, ACTOR + "province", DKO + "hasPart", ACTOR + "prefecture")


def test_types_climb_sub_class_chains_and_come_from_domains_and_ranges(store):
    assert inferred(store, ACTOR + "county", RDF + "type", DKO + "Actor")  # CountyLevelUnit ⊑ … ⊑ Actor
    assert inferred(store, PAIRING + "beijing-county", RDF + "type", DKO + "Pairing")
    assert inferred(store, ACTOR + "province", RDF + "type", DKO + "AdministrativeUnit")  # range of partOf
    assert inferred(store, ACTOR + "jilin", RDF + "type", DKO + "Actor")  # range of participant via partner
    assert inferred(store, PAIRING + "beijing-county", DKO + "participant", ACTOR + "county")


def test_no_typing_from_union_ranges_or_datatype_ranges(store):
    meeting_types = list(store.quads_for_pattern(
        ox.NamedNode(ID_PREFIXES["event"] + "meeting"), ox.NamedNode(RDF + "type"), None, None))
    assert meeting_types == []
    literal_subjects = store.query(
        "ASK { GRAPH ?g { ?s ?p ?o } FILTER(isLiteral(?s)) }")
    assert not literal_subjects
    assert not store.query("ASK { ?x a xsd:integer }", use_default_graph_as_union=True, prefixes=all_prefixes())


def test_only_triples_not_asserted_are_stored(store):
    # asserted in the pairings file, also derivable from the range of participant
    assert not inferred(store, ACTOR + "beijing", RDF + "type", DKO + "Actor")
    overlap = store.query(
        "ASK { GRAPH ?inferred { ?s ?p ?o } GRAPH ?g { ?s ?p ?o } FILTER(?g != ?inferred) }",
        substitutions={ox.Variable("inferred"): ox.NamedNode(INFERRED_GRAPH)},
    )
    assert not overlap


def test_a_second_run_finds_nothing_new(store):
    report = materialise(store)
    assert report.inferred_triples == 0
    assert report.rounds == 1


def test_a_new_sub_class_axiom_needs_no_code_change():
    store = ox.Store()
    load(store, "urn:g:o", TINY_ONTOLOGY + "dko:XPCCDivision rdfs:subClassOf dko:AdministrativeUnit .\n")
    load(store, "urn:g:d", PREFIXES + "actor:division-1 a dko:XPCCDivision .\n")
    materialise(store)
    assert inferred(store, ACTOR + "division-1", RDF + "type", DKO + "Actor")


def test_long_part_of_chains_close_over_several_rounds():
    chain = "".join(f"actor:u{i} dko:partOf actor:u{i + 1} .\n" for i in range(9))
    store = ox.Store()
    load(store, "urn:g:o", TINY_ONTOLOGY)
    load(store, "urn:g:d", PREFIXES + chain)
    report = materialise(store)
    assert inferred(store, ACTOR + "u0", DKO + "partOf", ACTOR + "u9")
    assert inferred(store, ACTOR + "u9", DKO + "hasPart", ACTOR + "u0")
    part_of = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?a dko:partOf ?b }",
                          use_default_graph_as_union=True, prefixes=all_prefixes())
    assert int(next(iter(part_of))["n"].value) == 45  # all pairs i < j of 10 units
    assert report.rounds > 2


def test_round_graphs_can_be_kept_for_the_build():
    store = ox.Store()
    load(store, "urn:g:o", TINY_ONTOLOGY)
    load(store, "urn:g:d", TINY_PLACES)
    report = materialise(store, keep_round_graphs=True)
    assert report.graphs and all(g.startswith("urn:x-duikou-kg:inference:round:") for g in report.graphs)
    assert ox.NamedNode(INFERRED_GRAPH) not in set(store.named_graphs())


@pytest.mark.parametrize("note, fragment", [
    ("Derived rule: ?p a dko:CounterpartSupport", "exactly one"),
    ("Derived rule: ?p a dko:X ⇒ ", "empty side"),
    ("Derived rule: SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } ⇒ ?s dko:supports ?o", "SERVICE"),
    ("Derived rule: ?p a dko:X ; ⇒ ?s dko:supports", "does not parse"),
])
def test_bad_rule_notes_fail_naming_the_property(note, fragment):
    with pytest.raises(RuleError, match=fragment) as caught:
        rule_from_note(DKO + "supports", note)
    assert DKO + "supports" in str(caught.value)
