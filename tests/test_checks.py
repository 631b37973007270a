"""SPARQL data-quality checks (queries/checks/*-violation.rq), run with pyoxigraph.

Each check must return no rows on the real data (apart from the known issues listed in
tests/shape_cases/_known-data-issues.txt) and at least one row on a broken fixture, so that it can fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib

from duikou_kg.validation import load_checks, materialised, parse_bytes, parse_file, parse_files
from duikou_kg.validation.checks import CHECK_BASE, load_check, run_check

ROOT = Path(__file__).resolve().parents[1]
CHECKS = load_checks(ROOT / "queries" / "checks")

PREFIXES = """
@prefix dko:    <https://w3id.org/duikou/ontology#> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .
@prefix actor:  <https://w3id.org/duikou/id/actor/> .
@prefix pairing: <https://w3id.org/duikou/id/pairing/> .
@prefix cite:   <https://w3id.org/duikou/id/citation/> .
@prefix wd:     <http://www.wikidata.org/entity/> .
actor:a a dko:ProvinceLevelUnit ; rdfs:label "甲省"@zh , "Province A"@en ; skos:exactMatch wd:Q1001 .
actor:b a dko:ProvinceLevelUnit ; rdfs:label "乙省"@zh , "Province B"@en ; skos:exactMatch wd:Q1002 .
"""

#: One broken fixture per check, and the focus node the check must report.
BROKEN = {
    "pairing-without-source-violation": ("pairing:p", """
        pairing:p a dko:CounterpartSupport , dko:InterProvincialPairing ; dko:supporter actor:a ; dko:recipient actor:b ."""),
    "actor-missing-label-violation": ("actor:c", """
        actor:c a dko:CountyLevelUnit ; rdfs:label "丙县"@zh ; dko:partOf actor:a ."""),
    "recipient-without-province-violation": ("actor:c", """
        actor:c a dko:CountyLevelUnit ; rdfs:label "丙县"@zh , "County C"@en .
        pairing:p a dko:CounterpartSupport , dko:InterProvincialPairing ; dko:supporter actor:a ; dko:recipient actor:c ;
            dko:hasSource cite:x ."""),
    "duplicate-actor-label-violation": ("actor:a", """
        actor:a2 a dko:ProvinceLevelUnit ; rdfs:label "Province A (again)"@en ; skos:altLabel "甲省"@zh ."""),
    "duplicate-actor-wikidata-violation": ("actor:a", """
        actor:a-dup a dko:ProvinceLevelUnit ; rdfs:label "甲"@zh , "A"@en ; skos:exactMatch wd:Q1001 ."""),
    "start-year-range-violation": ("pairing:p", """
        pairing:p a dko:CounterpartSupport ; dko:startYear 1996 ; dko:endYear 1990 ."""),
    "province-without-wikidata-violation": ("actor:c", """
        actor:c a dko:ProvinceLevelUnit ; rdfs:label "丙省"@zh , "Province C"@en ; dko:divisionCode "130000" .
        actor:xpcc-like a dko:ProvinceLevelUnit ; rdfs:label "丁兵团"@zh , "Corps D"@en ."""),
    "cooperation-with-supporter-violation": ("pairing:p", """
        pairing:p a dko:CounterpartCooperation ; dko:partner actor:a , actor:b ; dko:supporter actor:a ."""),
    "gyear-violation": ("pairing:p", """
        pairing:p a dko:CounterpartSupport ; dko:startYear "1979"^^xsd:gYear ."""),
    "inter-provincial-same-province-violation": ("pairing:p", """
        actor:c a dko:PrefectureLevelUnit ; rdfs:label "丙市"@zh , "City C"@en ; dko:partOf actor:a .
        pairing:p a dko:CounterpartSupport , dko:InterProvincialPairing ; dko:supporter actor:a ; dko:recipient actor:c ."""),
    "intra-provincial-different-province-violation": ("pairing:p", """
        pairing:p a dko:CounterpartSupport , dko:IntraProvincialPairing ; dko:supporter actor:a ; dko:recipient actor:b ."""),
}

PREFIX_IRIS = {
    "actor:": "https://w3id.org/duikou/id/actor/",
    "pairing:": "https://w3id.org/duikou/id/pairing/",
}


def _iri(curie: str) -> str:
    for prefix, ns in PREFIX_IRIS.items():
        if curie.startswith(prefix):
            return ns + curie[len(prefix):]
    raise ValueError(curie)


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return parse_file(ROOT / "ontology" / "duikou.ttl")


@pytest.fixture(scope="module")
def real_store(ontology):
    data = parse_files(sorted((ROOT / "data" / "ttl").rglob("*.ttl")), ontology + rdflib.Graph())
    _graph, store = materialised(data)
    return store


def _known_issues() -> set[tuple[str, str]]:
    issues = set()
    text = (ROOT / "tests" / "shape_cases" / "_known-data-issues.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            shape, focus = line.split()
            issues.add((shape, focus))
    return issues


def test_every_check_has_a_broken_fixture():
    assert sorted(c.name for c in CHECKS) == sorted(BROKEN)


def test_checks_carry_metadata_and_a_comment_header():
    for check in CHECKS:
        assert check.title and check.message_en and check.message_zh
        first = check.query.lstrip().splitlines()[0]
        assert first.startswith("# ") and not first.startswith("#+"), f"{check.name}: start with a plain comment"
        assert "Fix:" in check.query, f"{check.name}: the header must say how to fix what it finds"


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.name)
def test_check_returns_no_rows_on_real_data(check, real_store):
    rows = {(r.shape, str(r.focus_node)) for r in run_check(real_store, check)}
    known = {i for i in _known_issues() if i[0] == CHECK_BASE + check.name}
    assert rows - known == set()
    assert known - rows == set(), "fixed: remove the line from tests/shape_cases/_known-data-issues.txt"


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.name)
def test_check_finds_the_broken_fixture(check, ontology):
    focus, turtle = BROKEN[check.name]
    data = parse_bytes((PREFIXES + turtle).encode("utf-8"), "turtle", name=f"{check.name}.ttl")
    _graph, store = materialised(data + ontology)
    found = {str(r.focus_node) for r in run_check(store, check)}
    assert _iri(focus) in found


def test_homonymous_places_in_different_parents_are_not_duplicates(ontology):
    check = load_check(ROOT / "queries" / "checks" / "duplicate-actor-label-violation.rq")
    turtle = """
        actor:nanjing a dko:PrefectureLevelUnit ; rdfs:label "南京市"@zh , "Nanjing"@en ; dko:partOf actor:a .
        actor:fuzhou a dko:PrefectureLevelUnit ; rdfs:label "福州市"@zh , "Fuzhou"@en ; dko:partOf actor:b .
        actor:gulou-nanjing a dko:CountyLevelUnit ; rdfs:label "鼓楼区"@zh , "Gulou (Nanjing)"@en ; dko:partOf actor:nanjing .
        actor:gulou-fuzhou a dko:CountyLevelUnit ; rdfs:label "鼓楼区"@zh , "Gulou (Fuzhou)"@en ; dko:partOf actor:fuzhou ."""
    data = parse_bytes((PREFIXES + turtle).encode("utf-8"), "turtle", name="gulou.ttl")
    _graph, store = materialised(data + ontology)
    assert run_check(store, check) == []


def test_province_wikidata_check_waits_for_the_first_link(ontology):
    check = load_check(ROOT / "queries" / "checks" / "province-without-wikidata-violation.rq")
    turtle = PREFIXES.replace(" ; skos:exactMatch wd:Q1001", "").replace(" ; skos:exactMatch wd:Q1002", "")
    data = parse_bytes(turtle.encode("utf-8"), "turtle", name="no-links.ttl")
    _graph, store = materialised(data + ontology)
    assert run_check(store, check) == []
