"""HermiT consistency checking (duikou_kg.reasoning)."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, XSD, Literal, Namespace, URIRef

from duikou_kg.reasoning import check_consistency, prepare_for_hermit
from duikou_kg.validation import parse_file, parse_files

ROOT = Path(__file__).resolve().parents[1]
DKO = Namespace("https://w3id.org/duikou/ontology#")
ACTOR = Namespace("https://w3id.org/duikou/id/actor/")
PAIRING = Namespace("https://w3id.org/duikou/id/pairing/")


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return parse_file(ROOT / "ontology" / "duikou.ttl")


def _copy(graph: rdflib.Graph) -> rdflib.Graph:
    out = rdflib.Graph()
    for triple in graph:
        out.add(triple)
    return out


def test_ontology_alone_is_consistent_and_coherent(ontology):
    result = check_consistency(ontology)
    assert result.consistent, result.explanation
    assert result.unsatisfiable_classes == []
    assert result.coherent
    assert result.seconds > 0


def test_ontology_with_real_data_is_consistent(ontology):
    g = parse_files(sorted((ROOT / "data" / "ttl").rglob("*.ttl")), _copy(ontology))
    result = check_consistency(g)
    assert result.consistent, result.explanation
    assert result.unsatisfiable_classes == []


def test_central_agency_and_province_is_inconsistent(ontology):
    g = _copy(ontology)
    thing = ACTOR["both"]
    g.add((thing, RDF.type, DKO.CentralAgency))
    g.add((thing, RDF.type, DKO.ProvinceLevelUnit))
    result = check_consistency(g)
    assert not result.consistent
    assert "inconsistent" in result.explanation
    assert str(thing) in result.explanation  # the diagnosis names the culprit


def test_two_different_supporters_is_inconsistent(ontology):
    g = _copy(ontology)
    pairing = PAIRING["two-supporters"]
    g.add((pairing, RDF.type, DKO.CounterpartSupport))
    g.add((pairing, DKO.supporter, ACTOR["beijing"]))
    g.add((pairing, DKO.supporter, ACTOR["shanghai"]))
    g.add((ACTOR["beijing"], OWL.differentFrom, ACTOR["shanghai"]))
    result = check_consistency(g)
    assert not result.consistent
    assert str(DKO.supporter) in result.explanation


def test_two_supporters_without_difference_is_consistent(ontology):
    # Without owl:differentFrom, OWL (no unique-name assumption) merges the two supporters.
    g = _copy(ontology)
    pairing = PAIRING["two-supporters"]
    g.add((pairing, DKO.supporter, ACTOR["beijing"]))
    g.add((pairing, DKO.supporter, ACTOR["shanghai"]))
    assert check_consistency(g).consistent


def test_unsatisfiable_class_is_reported(ontology):
    g = _copy(ontology)
    weird = DKO["UniversityHospital"]
    g.add((weird, RDF.type, OWL.Class))
    g.add((weird, RDFS.subClassOf, DKO.University))
    g.add((weird, RDFS.subClassOf, DKO.Hospital))
    result = check_consistency(g)
    assert result.consistent
    assert result.unsatisfiable_classes == [str(weird)]
    assert not result.coherent


def test_datatypes_outside_owl2_map_and_imports_are_dropped():
    g = rdflib.Graph()
    s = URIRef("https://w3id.org/duikou/id/pairing/x")
    g.add((s, DKO.startYear, Literal("1979", datatype=XSD.gYear)))
    g.add((s, DKO.date, Literal("1979-04-25", datatype=XSD.date)))
    g.add((s, DKO.endYear, Literal(1990)))
    g.add((DKO.date, RDFS.range, XSD.date))
    g.add((URIRef("https://w3id.org/duikou/ontology"), OWL.imports, URIRef("http://127.0.0.1:9/x")))
    g.add((s, DKO.url, Literal("http://example.org/对口援疆/1", datatype=XSD.anyURI)))
    prepared, dropped = prepare_for_hermit(g)
    assert dropped == 4
    assert set(prepared) == {
        (s, DKO.endYear, Literal(1990)),
        (s, DKO.url, Literal("http://example.org/%E5%AF%B9%E5%8F%A3%E6%8F%B4%E7%96%86/1", datatype=XSD.anyURI)),
    }


def test_gyear_and_date_literals_do_not_break_hermit(ontology):
    g = _copy(ontology)
    s = PAIRING["dated"]
    g.add((s, RDF.type, DKO.CounterpartSupport))
    g.add((s, DKO.startYear, Literal("1979", datatype=XSD.gYear)))
    g.add((s, DKO.date, Literal("1979-04-25", datatype=XSD.date)))
    assert check_consistency(g).consistent
