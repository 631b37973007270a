"""Dereferencing, content negotiation and HTML pages (duikou_kg.linked_data, duikou_kg.web.resources)."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask

from duikou_kg.config import Settings
from duikou_kg.linked_data.memory import MemoryStore
from duikou_kg.web.resources import register_linked_data

from conftest import BACKENDS, backend_store

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/duikou/"
EVIL = """
@prefix dko: <https://w3id.org/duikou/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/duikou/id/actor/test-evil> a dko:Enterprise ;
    rdfs:label "<script>alert(1)</script>"@en , "恶意<script>"@zh .
"""
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def make_app(tmp_path, store) -> Flask:
    app = Flask("ld-test")
    settings = Settings.from_env(environ={}, project_root=ROOT, data_dir=tmp_path)
    app.extensions["duikou_kg"] = {"store": store, "settings": settings}
    register_linked_data(app)
    return app


@pytest.fixture(scope="module")
def memory_store():
    return MemoryStore.from_sources(ROOT, extra_turtle={BASE + "graph/test": EVIL})


@pytest.fixture(scope="module", params=BACKENDS)
def store(request, memory_store):
    """The in-memory store, and its copy pushed into Virtuoso and into Jena (the remote backend)."""
    return backend_store(request, "linked-data", memory_store)


@pytest.fixture()
def client(tmp_path, store):
    return make_app(tmp_path, store).test_client()


def test_browser_gets_html_with_labels_and_vary(client):
    r = client.get("/id/actor/beijing", headers={"Accept": BROWSER, "Accept-Language": "en-GB,en;q=0.9"})
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert "Accept" in r.headers["Vary"]
    assert r.headers["Content-Location"].endswith("/id/actor/beijing.html")
    page = r.get_data(as_text=True)
    assert "<h1>Beijing</h1>" in page
    assert 'href="/id/actor/neimenggu"' in page  # supports → Inner Mongolia, linked
    assert "is supporter of" in page  # inverse link from the pairings
    assert "/.well-known/void" in page
    assert "/sparql?query=" in page


def test_accept_language_and_lang_switch(client):
    zh = client.get("/id/actor/beijing", headers={"Accept": BROWSER, "Accept-Language": "zh-CN,zh;q=0.9"})
    assert "<h1>北京市</h1>" in zh.get_data(as_text=True)
    assert "lang=en" in zh.get_data(as_text=True)
    en = client.get("/id/actor/beijing?lang=en", headers={"Accept": BROWSER, "Accept-Language": "zh-CN"})
    assert "<h1>Beijing</h1>" in en.get_data(as_text=True)


def test_pairing_sources_are_shown_beside_the_pairing(client):
    page = client.get("/id/actor/beijing.html?lang=zh").get_data(as_text=True)
    # the founding report's chapter string from the citation of the 1979 pairing
    assert "第一章" in page and "/id/citation/nankai2017-ch1-1-1" in page


@pytest.mark.parametrize("accept, media_type, fmt", [
    ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
])
def test_negotiated_rdf_parses_and_describes_the_iri(client, accept, media_type, fmt):
    r = client.get("/id/actor/beijing", headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == media_type
    triples = list(ox.parse(r.data, format=fmt))
    subjects = {t.subject.value for t in triples}
    objects = {t.object.value for t in triples}
    assert BASE + "id/actor/beijing" in subjects and BASE + "id/actor/beijing" in objects
    assert any(t.predicate.value.endswith("#supports") for t in triples)


def test_extensions_select_the_format(client):
    assert client.get("/id/actor/beijing.ttl", headers={"Accept": BROWSER}).mimetype == "text/turtle"
    assert client.get("/id/actor/beijing.nt").mimetype == "application/n-triples"
    assert client.get("/id/actor/beijing.rdf").mimetype == "application/rdf+xml"
    assert client.get("/id/actor/beijing.jsonld").mimetype == "application/ld+json"
    assert client.get("/id/actor/beijing.html", headers={"Accept": "text/turtle"}).mimetype == "text/html"


def test_jsonld_uses_the_published_context_and_matches_turtle(client):
    doc = client.get("/id/actor/beijing", headers={"Accept": "application/ld+json"}).get_json()
    assert doc["@context"].endswith("/context.jsonld")
    context = client.get("/context.jsonld").get_json()
    assert context["@context"]["dko"] == BASE + "ontology#"
    doc["@context"] = context["@context"]  # what a JSON-LD processor does when it loads the context
    from_jsonld = set(ox.parse(json.dumps(doc).encode(), format=ox.RdfFormat.JSON_LD))
    from_turtle = set(ox.parse(client.get("/id/actor/beijing.ttl").data, format=ox.RdfFormat.TURTLE))
    assert from_jsonld == from_turtle and len(from_turtle) > 10


def test_unknown_iri_is_404_html_for_browsers_json_otherwise(client):
    html = client.get("/id/actor/atlantis", headers={"Accept": BROWSER})
    assert html.status_code == 404 and html.mimetype == "text/html"
    assert "https://w3id.org/duikou/id/actor/atlantis" in html.get_data(as_text=True)
    data = client.get("/id/actor/atlantis", headers={"Accept": "text/turtle"})
    assert data.status_code == 404 and data.mimetype == "application/json"
    assert "error" in data.get_json()


def test_unacceptable_media_type_is_406(client):
    assert client.get("/id/actor/beijing", headers={"Accept": "image/png"}).status_code == 406


def test_labels_are_escaped(client):
    page = client.get("/id/actor/test-evil?lang=en", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_named_graph_iri_dereferences(client):
    r = client.get("/graph/inferred?lang=en", headers={"Accept": BROWSER})
    assert r.status_code == 200 and "Named graph" in r.get_data(as_text=True)


def test_ontology_html_documents_every_term_in_both_languages(client, store):
    r = client.get("/ontology", headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    terms = [row["t"].value for row in store.query(
        "SELECT ?t WHERE { GRAPH <https://w3id.org/duikou/graph/ontology/duikou> { ?t a ?k } "
        "VALUES ?k { <http://www.w3.org/2002/07/owl#Class> <http://www.w3.org/2002/07/owl#ObjectProperty> "
        "<http://www.w3.org/2002/07/owl#DatatypeProperty> } FILTER(STRSTARTS(STR(?t), 'https://w3id.org/duikou/ontology#')) }")]
    assert len(terms) > 40
    for term in terms:
        assert f'id="{term.rsplit("#", 1)[1]}"' in page
    assert "参与主体" in page and "actor" in page  # dko:Actor in zh and en


def test_ontology_turtle_is_the_ontology_graph(client):
    r = client.get("/ontology", headers={"Accept": "text/turtle"})
    triples = list(ox.parse(r.data, format=ox.RdfFormat.TURTLE))
    assert r.mimetype == "text/turtle" and len(triples) > 500
    assert client.get("/ontology.jsonld").mimetype == "application/ld+json"


def test_a_cached_value_is_built_once_when_asked_for_twice_at_once():
    """The label index is warmed beside start-up; a /search arriving meanwhile waits for it, not a second build."""
    import threading
    import time
    from types import SimpleNamespace

    from duikou_kg.linked_data.state import LinkedDataState

    state = LinkedDataState({"store": SimpleNamespace(version="v1"), "settings": None})
    calls = []

    def slow_build():
        calls.append(1)
        time.sleep(0.3)
        return object()

    results = []
    threads = [threading.Thread(target=lambda: results.append(state.cached(("k",), slow_build))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert len(results) == 3 and all(r is results[0] for r in results)


# ------------------------------------------------------------------ property labels on pages

DKO = "https://w3id.org/duikou/ontology#"


def test_property_terms_give_labels_inverse_and_symmetric_readings(store):
    from duikou_kg.linked_data.describe import property_terms

    supports = property_terms(store, DKO + "supports")
    assert supports.labels.pick("en") == "supports"
    assert supports.inverse_labels.pick("en") == "supported by"  # its owl:inverseOf
    supported_by = property_terms(store, DKO + "supportedBy")
    assert supported_by.inverse_labels.pick("zh") == "对口支援"  # inverseOf read from the other side
    paired = property_terms(store, DKO + "pairedWith")  # symmetric: read backwards it is itself
    assert paired.inverse_labels.pick("en") == paired.labels.pick("en") == "paired with"
    unknown = property_terms(store, "https://example.org/no-such-property")
    assert not unknown.labels and not unknown.inverse_labels


class CountingStore:
    def __init__(self, store) -> None:
        self.store, self.texts = store, []

    def query(self, text, **options):
        self.texts.append(text)
        return self.store.query(text, **options)


def test_one_lookup_per_property_across_descriptions(memory_store):
    from duikou_kg.linked_data.describe import _PROPERTY, PropertyLookup, describe

    counting, lookup = CountingStore(memory_store), PropertyLookup()
    first = describe(counting, BASE + "id/actor/beijing", lookup)
    asked = counting.texts.count(_PROPERTY)
    assert asked == len(set(first.properties) | set(first.inverse))
    describe(counting, BASE + "id/actor/beijing", lookup)
    assert counting.texts.count(_PROPERTY) == asked  # the second description asks for no property again
    second = describe(counting, BASE + "id/actor/neimenggu", lookup)
    new_properties = (set(second.properties) | set(second.inverse)) - (set(first.properties) | set(first.inverse))
    assert counting.texts.count(_PROPERTY) == asked + len(new_properties)
    assert second.inverse[DKO + "supports"].inverse_text("en") == "supported by"
    assert first.inverse[DKO + "supporter"].inverse_text("en") == "is supporter of"  # no inverse: the fallback


def test_page_reads_properties_backwards(client):
    page = client.get("/id/actor/neimenggu.html?lang=en").get_data(as_text=True)
    assert "supported by" in page  # Beijing supports Inner Mongolia: shown on Inner Mongolia's page by the inverse


def test_described_citations_carry_every_field_and_the_work(store):
    from duikou_kg.linked_data.describe import _CITATION_FIELDS, describe

    d = describe(store, BASE + "id/actor/beijing")
    citations = [cite for by_cite in d.sources.values() for cite in by_cite.values()]
    assert len(citations) >= 2
    fields_seen = set()
    for cite in citations:
        rows = store.query("SELECT ?c ?p ?o WHERE { ?c ?p ?o }", substitutions={ox.Variable("c"): ox.NamedNode(cite.iri)})
        stored = {(row["p"].value, row["o"].value) for row in rows}
        assert {(DKO + "citedWork", cite.work)} <= stored and cite.work_labels
        expected = {_CITATION_FIELDS[p]: o for p, o in stored if p in _CITATION_FIELDS}
        assert cite.fields == expected
        fields_seen |= set(expected)
    assert {"chapter", "url", "accessed"} <= fields_seen  # the report's chapters and public documents' URLs


def test_compact_iri_takes_the_longest_namespace_with_or_without_a_table():
    from duikou_kg.linked_data.rdf import compact_iri, prefixes

    sector = BASE + "id/concept/sector/education"
    assert compact_iri(sector) == "sector:education"  # not a shorter namespace that also matches
    assert compact_iri(DKO + "partOf") == "dko:partOf"
    assert compact_iri("http://example.org/x") == "http://example.org/x"
    assert compact_iri(BASE + "id/actor/") == BASE + "id/actor/"  # the bare namespace stays an IRI
    for iri in (sector, DKO + "partOf", "http://example.org/x", BASE + "id/actor/"):
        assert compact_iri(iri) == compact_iri(iri, prefixes())  # the cached default agrees with the table
    assert compact_iri(DKO + "partOf", {"o": DKO}) == "o:partOf"  # a caller's own table is honoured


@pytest.mark.parametrize("url, other", [
    ("/id/actor/beijing.html", "/id/actor/beijing.html?lang=zh"),
    ("/id/actor/beijing.ttl", "/id/actor/beijing.nt"),
    ("/ontology", "/ontology.ttl"),
    ("/search?q=beijing", "/search?q=beijing&format=html"),
])
def test_pages_ontology_and_search_carry_an_etag_and_answer_304(client, url, other):
    first = client.get(url)
    assert first.status_code == 200 and first.headers["ETag"].startswith('W/"') and first.data
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == first.headers["ETag"]
    assert "Accept" in again.headers["Vary"]
    other_answer = client.get(other, headers={"If-None-Match": first.headers["ETag"]})
    assert other_answer.status_code == 200 and other_answer.headers["ETag"] != first.headers["ETag"]
    by_language = client.get(url, headers={"Accept-Language": "zh", "If-None-Match": first.headers["ETag"]})
    assert by_language.status_code == 200  # Accept-Language selects another representation


def test_an_unknown_resource_gets_no_etag(client):
    missing = client.get("/id/actor/no-such-place", headers={"Accept": BROWSER})
    assert missing.status_code == 404 and "ETag" not in missing.headers


def test_a_repeated_page_comes_from_the_cache_until_the_data_version_changes(tmp_path):
    from duikou_kg.linked_data.state import ld_state

    store = MemoryStore.from_sources(ROOT)
    app = make_app(tmp_path, store)
    client = app.test_client()
    answers = ld_state(app).answers
    first = client.get("/id/actor/beijing.ttl")
    assert client.get("/id/actor/beijing.ttl").data == first.data and answers.hits == 1
    assert client.get("/id/actor/no-such-place.ttl").status_code == 404
    assert client.get("/id/actor/no-such-place.ttl").status_code == 404 and answers.hits == 1  # not cached
    store._store.add(ox.Quad(ox.NamedNode(BASE + "id/actor/beijing"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"),
                             ox.Literal("added after the first answer", language="en"), ox.NamedNode(BASE + "graph/test")))
    store.version += "-changed"  # what a rebuild does
    changed = client.get("/id/actor/beijing.ttl", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and b"added after the first answer" in changed.data
    assert changed.headers["ETag"] != first.headers["ETag"] and answers.hits == 1


def test_no_answer_is_kept_with_the_cache_off(tmp_path, memory_store):
    from duikou_kg.linked_data.state import ld_state

    app = make_app(tmp_path, memory_store)
    app.extensions["duikou_kg"]["settings"] = Settings.from_env(environ={"DUIKOU_KG_CACHE_ENTRIES": "0"},
                                                                project_root=ROOT, data_dir=tmp_path)
    client = app.test_client()
    first = client.get("/search?q=beijing")
    assert client.get("/search?q=beijing").data == first.data
    assert ld_state(app).answers.hits == 0 and "ETag" in first.headers  # validators stay on
