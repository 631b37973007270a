"""The ontology document itself: versioned, and every term labelled and defined in Chinese and English."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, SKOS

ROOT = Path(__file__).resolve().parents[1]
DKO = rdflib.Namespace("https://w3id.org/duikou/ontology#")
ONTOLOGY_IRI = rdflib.URIRef("https://w3id.org/duikou/ontology")
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ROOT / "ontology" / "duikou.ttl", format="turtle")


def own_terms(graph: rdflib.Graph) -> list[rdflib.URIRef]:
    terms = {s for t in TERM_TYPES for s in graph.subjects(RDF.type, t) if str(s).startswith(str(DKO))}
    return sorted(terms)


def languages(graph: rdflib.Graph, subject, predicate) -> set[str]:
    return {o.language for o in graph.objects(subject, predicate) if isinstance(o, rdflib.Literal)}


def test_the_ontology_is_versioned(ontology):
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    version_iri = ontology.value(ONTOLOGY_IRI, OWL.versionIRI)
    version_info = ontology.value(ONTOLOGY_IRI, OWL.versionInfo)
    assert version_iri is not None and version_info is not None
    assert str(version_iri).endswith(str(version_info))


def test_there_are_terms_to_check(ontology):
    # Guards the next test against passing vacuously if the namespace or the parse changed.
    assert len(own_terms(ontology)) > 60


@pytest.mark.parametrize("predicate", [RDFS.label, SKOS.definition], ids=["label", "definition"])
def test_every_term_has_chinese_and_english(ontology, predicate):
    missing = [str(term) for term in own_terms(ontology) if not {"zh", "en"} <= languages(ontology, term, predicate)]
    assert missing == []


def test_every_term_is_defined_by_the_ontology(ontology):
    assert [str(t) for t in own_terms(ontology) if (t, RDFS.isDefinedBy, ONTOLOGY_IRI) not in ontology] == []


def test_variant_shortcuts_are_sub_properties_of_paired_with(ontology):
    for shortcut in (DKO.supports, DKO.supportedBy, DKO.assists, DKO.assistedBy, DKO.cooperatesWith):
        assert (shortcut, RDFS.subPropertyOf, DKO.pairedWith) in ontology, shortcut
    assert (DKO.partOf, RDF.type, OWL.TransitiveProperty) in ontology
