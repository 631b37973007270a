"""The validation entry points (duikou_kg.validation): real data, a broken file, reports, and safe parsing."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import SH

from real_server import Listener

from duikou_kg.validation import (
    OWL_CONSISTENCY,
    UnsafeInputError,
    UnsupportedFormatError,
    ValidationReport,
    load_base_graph,
    parse_file,
    validate_files,
    validate_graph,
)

ROOT = Path(__file__).resolve().parents[1]
DKSH = "https://w3id.org/duikou/shapes#"


@pytest.fixture(scope="module")
def settings():
    try:
        from duikou_kg.config import Settings
    except ImportError:  # the settings module is another engineer's; any object with project_root will do
        return types.SimpleNamespace(project_root=ROOT)
    return Settings.from_env(environ={}, project_root=ROOT)


@pytest.fixture(scope="module")
def base(settings) -> rdflib.Graph:
    return load_base_graph(settings)


def _known_issues() -> set[tuple[str, str]]:
    issues = set()
    text = (ROOT / "tests" / "shape_cases" / "_known-data-issues.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            shape, focus = line.split()
            issues.add((shape, focus))
    return issues


def test_real_data_validates(settings, base):
    report = validate_graph(rdflib.Graph(), base=base, settings=settings)
    violations = {(r.shape, str(r.focus_node)) for r in report.results if r.severity == "Violation"}
    known = _known_issues()
    assert violations == known, report.to_text()
    assert report.conforms == (not known)
    assert {"inference", "shacl", "owl", "checks", "total"} <= set(report.timings)


BROKEN = """
@prefix dko:    <https://w3id.org/duikou/ontology#> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .
@prefix actor:  <https://w3id.org/duikou/id/actor/> .
@prefix pairing: <https://w3id.org/duikou/id/pairing/> .
@prefix status: <https://w3id.org/duikou/id/concept/status/> .

pairing:test-broken a dko:CounterpartSupport , dko:InterProvincialPairing ;
    rdfs:label "北京市对口支援西藏自治区（测试）"@zh , "Beijing supports Tibet (test)"@en ;
    dko:supporter actor:beijing ;
    dko:recipient actor:xizang ;
    dko:startYear "1994"^^xsd:gYear ;
    dko:evidenceStatus status:sourced .
"""


@pytest.fixture(scope="module")
def broken_report(tmp_path_factory, settings) -> ValidationReport:
    path = tmp_path_factory.mktemp("upload") / "broken.ttl"
    path.write_text(BROKEN, encoding="utf-8")
    return validate_files([path], settings)


def test_broken_file_does_not_conform(broken_report):
    assert not broken_report.conforms
    focus = "https://w3id.org/duikou/id/pairing/test-broken"
    mine = broken_report.grouped_by_resource()[focus]
    shapes = {r.shape for r in mine}
    assert DKSH + "StartYearDatatypeShape" in shapes
    assert DKSH + "PairingSourceCountShape" in shapes
    assert "https://w3id.org/duikou/checks/pairing-without-source-violation" in shapes
    assert "https://w3id.org/duikou/checks/gyear-violation" in shapes
    by_shape = broken_report.grouped_by_shape()
    gyear = by_shape[DKSH + "StartYearDatatypeShape"][0]
    assert "xsd:gYear" in gyear.message_en and "xsd:gYear" in gyear.message_zh
    assert gyear.message_zh != gyear.message_en
    assert str(gyear.path) == "https://w3id.org/duikou/ontology#startYear"


def test_report_renders_in_both_languages(broken_report):
    en = broken_report.to_text("en")
    zh = broken_report.to_text("zh")
    assert en.startswith("Does not conform")
    assert zh.startswith("不符合")
    assert "pairing/test-broken" in en and "pairing/test-broken" in zh
    assert "起始年份必须是整数" in zh
    with pytest.raises(ValueError):
        broken_report.to_text("fr")


def test_report_json_and_turtle(broken_report):
    data = json.loads(json.dumps(broken_report.to_json()))
    assert data["conforms"] is False
    assert data["counts"]["Violation"] == broken_report.count("Violation")
    first = data["results"][0]
    assert set(first) >= {"focus_node", "path", "shape", "severity", "message_zh", "message_en", "value"}
    g = rdflib.Graph().parse(data=broken_report.to_turtle(), format="turtle")
    report = g.value(predicate=rdflib.RDF.type, object=SH.ValidationReport)
    assert g.value(report, SH.conforms).toPython() is False
    assert len(list(g.objects(report, SH.result))) == len(broken_report.results)


def test_candidate_alone_and_plain_settings_object(tmp_path):
    settings = types.SimpleNamespace(project_root=ROOT)
    candidate = rdflib.Graph().parse(data=BROKEN, format="turtle")
    report = validate_graph(candidate, base=None, settings=settings, reasoning=False)
    # Alone, the actors are undeclared: the typo-catching shapes fire as well.
    assert DKSH + "ActorShape" in report.shapes()
    assert "owl" not in report.timings


def test_inconsistency_is_reported(settings):
    candidate = rdflib.Graph().parse(
        data="""
        @prefix dko: <https://w3id.org/duikou/ontology#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <https://w3id.org/duikou/id/actor/both> a dko:CentralAgency , dko:ProvinceLevelUnit ;
            rdfs:label "两者"@zh , "both"@en .""",
        format="turtle",
    )
    report = validate_graph(candidate, base=None, settings=settings, checks=False)
    owl = report.grouped_by_shape()[OWL_CONSISTENCY]
    assert owl[0].severity == "Violation"
    assert "actor/both" in owl[0].message_en


# --- parsing never fetches or opens what an IRI names -------------------------------------------------


class _OpenAudit:
    """Records attempts to open /etc/passwd or connect to the listener (audit events; inert when not armed)."""

    installed = False
    armed: list = []

    def __init__(self, port: int) -> None:
        self.port = port
        self.events: list[str] = []

    def __enter__(self):
        if not _OpenAudit.installed:
            sys.addaudithook(_OpenAudit._hook)
            _OpenAudit.installed = True
        _OpenAudit.armed.append(self)
        return self

    def __exit__(self, *exc) -> None:
        _OpenAudit.armed.remove(self)

    @staticmethod
    def _hook(event: str, args: tuple) -> None:
        for audit in _OpenAudit.armed:
            if event == "open" and args and "passwd" in str(args[0]):
                audit.events.append(f"open {args[0]}")
            elif event == "socket.connect" and len(args) > 1 and args[1] == ("127.0.0.1", audit.port):
                audit.events.append(f"connect {args[1]}")
            elif event == "urllib.Request":
                audit.events.append(f"urllib {args[0]}")


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def _hostile_files(directory: Path, port: int) -> list[Path]:
    url = f"http://127.0.0.1:{port}/x"
    ttl = directory / "hostile.ttl"
    ttl.write_text(
        f"""@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<file:///etc/passwd> a owl:Ontology ; owl:imports <{url}> , <file:///etc/passwd> .
<{url}> rdfs:seeAlso <file:///etc/passwd> ; rdfs:label "x"@en .
""",
        encoding="utf-8",
    )
    nt = directory / "hostile.nt"
    nt.write_text(f"<{url}> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <file:///etc/passwd> .\n", encoding="utf-8")
    jsonld = directory / "hostile.jsonld"
    jsonld.write_text(
        json.dumps({"@id": url, "http://www.w3.org/2000/01/rdf-schema#seeAlso": {"@id": "file:///etc/passwd"}}),
        encoding="utf-8",
    )
    rdfxml = directory / "hostile.rdf"
    rdfxml.write_text(
        f"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="{url}"><rdfs:seeAlso rdf:resource="file:///etc/passwd"/></rdf:Description>
</rdf:RDF>
""",
        encoding="utf-8",
    )
    return [ttl, nt, jsonld, rdfxml]


def test_hostile_iris_are_parsed_and_validated_without_any_fetch(tmp_path, listener, settings):
    files = _hostile_files(tmp_path, listener.port)
    with _OpenAudit(listener.port) as audit:
        candidate = rdflib.Graph()
        for path in files:
            parse_file(path, candidate)
        # All three stages run (SHACL, HermiT with the owl:imports in the file, SPARQL checks).
        report = validate_graph(candidate, base=None, settings=settings)
    assert rdflib.URIRef("file:///etc/passwd") in set(candidate.all_nodes())
    assert isinstance(report, ValidationReport)
    assert audit.events == []
    assert listener.connections == 0


def test_remote_jsonld_context_is_refused(tmp_path, listener):
    path = tmp_path / "remote-context.jsonld"
    path.write_text(json.dumps({"@context": f"http://127.0.0.1:{listener.port}/ctx", "@id": "urn:x"}), encoding="utf-8")
    with _OpenAudit(listener.port) as audit, pytest.raises(UnsafeInputError):
        parse_file(path)
    assert audit.events == [] and listener.connections == 0


def test_xml_external_entity_is_refused(tmp_path, listener):
    path = tmp_path / "xxe.rdf"
    path.write_text(
        f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY x SYSTEM "http://127.0.0.1:{listener.port}/x"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="urn:a">&x;</rdf:Description></rdf:RDF>
""",
        encoding="utf-8",
    )
    with _OpenAudit(listener.port) as audit, pytest.raises(UnsafeInputError):
        parse_file(path)
    assert audit.events == [] and listener.connections == 0


def test_unknown_suffix_is_refused(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(UnsupportedFormatError):
        parse_file(path)


def test_the_audit_sees_a_real_fetch(listener, tmp_path):
    # Guards the tests above: the audit and the listener do notice a fetch and an open when one happens.
    import urllib.request

    with _OpenAudit(listener.port) as audit:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{listener.port}/x", timeout=2).close()
        except OSError:
            pass
        decoy = tmp_path / "passwd"
        decoy.write_text("x", encoding="utf-8")
        decoy.open("rb").close()
    assert any(e.startswith("connect") for e in audit.events)
    assert any(e.startswith("open") for e in audit.events)
