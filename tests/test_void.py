"""VoID + DCAT at /.well-known/void (duikou_kg.linked_data.void)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from duikou_kg.linked_data.dumps import write_dumps
from duikou_kg.linked_data.memory import MemoryStore
from test_linked_data import BROWSER, make_app

ROOT = Path(__file__).resolve().parents[1]
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
DATASET = ox.NamedNode("https://w3id.org/duikou/.well-known/void#dataset")


@pytest.fixture(scope="module")
def store():
    return MemoryStore.from_sources(ROOT)


@pytest.fixture()
def void_graph(store, tmp_path):
    write_dumps(store, tmp_path / "dumps", formats=("ttl", "nq"))
    client = make_app(tmp_path, store).test_client()
    r = client.get("/.well-known/void")
    assert r.status_code == 200 and r.mimetype == "text/turtle" and "Accept" in r.headers["Vary"]
    g = ox.Store()
    g.load(r.data, format=ox.RdfFormat.TURTLE)
    return g, client


def _objects(g, s, p):
    return [q.object for q in g.quads_for_pattern(s, ox.NamedNode(p), None)]


def test_void_counts_match_the_store(void_graph, store):
    g, _ = void_graph
    total = int(_objects(g, DATASET, VOID + "triples")[0].value)
    assert total == int(next(iter(store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")))["n"].value)
    inferred = ox.NamedNode("https://w3id.org/duikou/graph/inferred")
    assert inferred in _objects(g, DATASET, VOID + "subset")
    assert int(_objects(g, inferred, VOID + "triples")[0].value) > 0


def test_void_metadata(void_graph):
    g, _ = void_graph
    assert ox.NamedNode("https://creativecommons.org/licenses/by/4.0/") in _objects(
        g, DATASET, "http://purl.org/dc/terms/license")
    assert _objects(g, DATASET, VOID + "sparqlEndpoint")[0].value.endswith("/sparql")
    vocabularies = {o.value for o in _objects(g, DATASET, VOID + "vocabulary")}
    assert {"https://w3id.org/duikou/ontology#", "http://www.w3.org/2004/02/skos/core#"} <= vocabularies
    assert ox.NamedNode("https://w3id.org/duikou/id/actor/beijing") in _objects(g, DATASET, VOID + "exampleResource")
    assert _objects(g, DATASET, "http://www.w3.org/2002/07/owl#versionInfo")


def test_distributions_carry_media_types_and_checksums(void_graph):
    g, client = void_graph
    dists = _objects(g, DATASET, DCAT + "distribution")
    assert len(dists) == 4  # 2 variants × (ttl, nq)
    for dist in dists:
        media = _objects(g, dist, DCAT + "mediaType")[0].value
        assert media.endswith(("text/turtle", "application/n-quads"))
        checksum = _objects(g, dist, SPDX + "checksum")[0]
        value = _objects(g, checksum, SPDX + "checksumValue")[0].value
        path = dist.value.split("://", 1)[1].split("/", 1)[1]
        with client.get("/" + path + ".sha256") as r:  # file responses hold the file open until closed
            assert r.get_data(as_text=True).split()[0] == value


def test_void_negotiates_and_pages_link_to_it(void_graph):
    _, client = void_graph
    assert client.get("/.well-known/void", headers={"Accept": "application/ld+json"}).mimetype == "application/ld+json"
    html = client.get("/.well-known/void", headers={"Accept": BROWSER})
    assert html.mimetype == "text/html" and "void:triples" in html.get_data(as_text=True)
