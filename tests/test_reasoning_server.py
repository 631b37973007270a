"""The long-lived HermiT process (duikou_kg.hermit): same verdicts as owlready2, restart, time limit."""

from __future__ import annotations

import os
import signal

import pytest
import rdflib
from curation_project import REPO_ROOT
from rdflib import OWL, RDF, Namespace
from rdflib.compare import isomorphic

from duikou_kg.hermit import HermitServer
from duikou_kg.hermit.server import HermitTimeout
from duikou_kg.reasoning import (
    ENGINE_OWLREADY2,
    ENGINE_SERVER,
    check_consistency,
    hermit_document,
)
from duikou_kg.validation import parse_file

DKO = Namespace("https://w3id.org/duikou/ontology#")
ACTOR = Namespace("https://w3id.org/duikou/id/actor/")
PAIRING = Namespace("https://w3id.org/duikou/id/pairing/")


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return parse_file(REPO_ROOT / "ontology" / "duikou.ttl")


@pytest.fixture(scope="module")
def server(ontology):
    with HermitServer(warm_document=hermit_document(ontology)[0]) as running:
        running.start()
        yield running


def _with(ontology: rdflib.Graph, *triples) -> rdflib.Graph:
    graph = rdflib.Graph()
    for triple in (*ontology, *triples):
        graph.add(triple)
    return graph


def _disjoint(ontology):
    return _with(ontology, (ACTOR["both"], RDF.type, DKO.CentralAgency), (ACTOR["both"], RDF.type, DKO.ProvinceLevelUnit))


def _two_supporters(ontology):
    pairing = PAIRING["two-supporters"]
    return _with(ontology, (pairing, RDF.type, DKO.CounterpartSupport), (pairing, DKO.supporter, ACTOR["beijing"]),
                 (pairing, DKO.supporter, ACTOR["shanghai"]), (ACTOR["beijing"], OWL.differentFrom, ACTOR["shanghai"]))


def _unsatisfiable(ontology):
    cls = DKO["CentralProvince"]
    return _with(ontology, (cls, RDF.type, OWL.Class), (cls, rdflib.RDFS.subClassOf, DKO.CentralAgency),
                 (cls, rdflib.RDFS.subClassOf, DKO.ProvinceLevelUnit))


@pytest.mark.parametrize("case, consistent", [
    ("ontology alone", True),
    ("disjoint classes", False),
    ("functional property with two values", False),
    ("unsatisfiable class", True),
])
def test_same_verdict_as_owlready2(server, ontology, case, consistent):
    graph = {"ontology alone": lambda o: o, "disjoint classes": _disjoint,
             "functional property with two values": _two_supporters, "unsatisfiable class": _unsatisfiable}[case](ontology)
    persistent = check_consistency(graph, server=server)
    per_call = check_consistency(graph)
    assert (persistent.engine, per_call.engine) == (ENGINE_SERVER, ENGINE_OWLREADY2)
    assert persistent.consistent == per_call.consistent == consistent
    assert persistent.unsatisfiable_classes == per_call.unsatisfiable_classes
    assert (persistent.unsatisfiable_classes == [str(DKO["CentralProvince"])]) == (case == "unsatisfiable class")
    if not consistent:  # the same diagnosis names the culprit
        culprit = str(ACTOR["both"]) if case == "disjoint classes" else str(DKO.supporter)
        assert culprit in persistent.explanation and culprit in per_call.explanation


def test_pyoxigraph_input_gives_the_same_document_as_rdflib(ontology):
    import pyoxigraph as ox

    graph = _with(ontology, (ACTOR["x"], DKO.startYear, rdflib.Literal("1990", datatype=rdflib.XSD.gYear)))
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    from_rdflib, dropped_rdflib = hermit_document(graph)
    from_store, dropped_store = hermit_document(store)
    assert dropped_rdflib == dropped_store >= 1  # the xsd:gYear literal, which HermiT rejects
    assert isomorphic(rdflib.Graph().parse(data=from_rdflib, format="nt"), rdflib.Graph().parse(data=from_store, format="nt"))


def test_restarts_after_its_process_is_killed(ontology):
    with HermitServer(warm_document=hermit_document(ontology)[0]) as server:
        server.start()
        first = server.pid
        os.kill(first, signal.SIGKILL)
        result = check_consistency(_disjoint(ontology), server=server)
        assert not result.consistent and result.engine == ENGINE_SERVER
        assert server.starts == 2 and server.pid != first


def test_a_check_over_the_time_limit_is_stopped_and_the_process_replaced(ontology):
    document = hermit_document(ontology)[0]
    with HermitServer() as server:
        assert server.check(document).status == "consistent"  # started (a cold JVM takes over a second)
        server.timeout = 1.0
        hung = server.pid
        os.kill(hung, signal.SIGSTOP)  # a reasoner that never answers
        with pytest.raises(HermitTimeout):
            server.check(document)
        assert server.pid != hung and server.starts == 2
        server.timeout = 60.0
        assert server.check(document).status == "consistent"  # the replacement answers


def test_without_java_the_check_goes_through_owlready2(ontology):
    with HermitServer(java="no-such-java-binary") as server:
        result = check_consistency(_disjoint(ontology), server=server)
        assert not result.consistent and result.engine == ENGINE_OWLREADY2
        assert "no-such-java-binary" in (server.unavailable or "")


def test_close_ends_the_process(ontology):
    server = HermitServer(warm_document=hermit_document(ontology)[0])
    server.start()
    pid = server.pid
    server.close()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # gone, and reaped


def test_the_server_is_compiled_once_per_source(tmp_path):
    from duikou_kg.hermit import compiled_server

    folder = compiled_server(tmp_path)
    compiled = folder / "HermitServer.class"
    assert compiled.is_file() and folder.parent == tmp_path
    stamp = compiled.stat().st_mtime_ns
    assert compiled_server(tmp_path) == folder and compiled.stat().st_mtime_ns == stamp  # reused, not rebuilt
    assert [p.name for p in tmp_path.iterdir()] == [folder.name]  # no temporary folder left behind
