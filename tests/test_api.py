"""The canned-query API over HTTP (duikou_kg.web.api): catalog, negotiation, paging, errors, HTML."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest

from duikou_kg.config import Settings
from duikou_kg.linked_data.memory import MemoryStore

from conftest import BACKENDS, backend_store
from duikou_kg.web import create_app

ROOT = Path(__file__).resolve().parents[1]
ACTOR = "https://w3id.org/duikou/id/actor/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
EXTRA = """
@prefix dko: <https://w3id.org/duikou/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/duikou/id/actor/test-evil> a dko:Enterprise ;
    rdfs:label "<script>alert(1)</script>"@en , "恶意<script>"@zh .
<https://w3id.org/duikou/id/actor/test-quote> a dko:Enterprise ;
    rdfs:label "Firm x\\" } UNION { ?s ?p ?o } #"@en , "引号公司"@zh .
"""


def make_app(tmp_path, store):
    """The real app (core's error handlers, CORS, SPARQL endpoint) over an in-memory store."""
    return create_app(Settings.from_env(environ={}, project_root=ROOT, data_dir=tmp_path), store=store)


@pytest.fixture(scope="module")
def memory_store():
    return MemoryStore.from_sources(ROOT, extra_turtle={"https://w3id.org/duikou/graph/test/api": EXTRA})


@pytest.fixture(scope="module", params=BACKENDS)
def store(request, memory_store):
    """The in-memory store, and its copy pushed into Virtuoso and into Jena (the remote backend)."""
    return backend_store(request, "api", memory_store)


@pytest.fixture()
def client(tmp_path, store):
    return make_app(tmp_path, store).test_client()


def error_of(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"status", "code", "message"}
    assert body["error"]["status"] == status
    return body["error"]


def test_catalog_lists_every_query_with_metadata(client):
    r = client.get("/api/queries")
    assert r.status_code == 200 and r.mimetype == "application/json"
    queries = {q["name"]: q for q in r.get_json()["queries"]}
    assert len(queries) >= 15 and (ROOT / "queries" / "place-pairings.rq").is_file()
    assert set(queries) == {p.stem for p in (ROOT / "queries").glob("*.rq")}
    place = queries["place-pairings"]
    assert place["summary"]["zh"] and place["description"]["en"]
    params = {p["name"]: p for p in place["parameters"]}
    assert params["actor"]["required"] and params["actor"]["type"] == "iri"
    assert params["variant"]["enum"] == ["all", "support", "assistance", "cooperation"]
    assert params["lang"]["default"] == "en"
    assert place["formats"]["csv"] == "/api/queries/place-pairings.csv"
    assert "ttl" in queries["place-record"]["formats"] and "ttl" not in place["formats"]


def test_default_is_simple_json_records(client):
    r = client.get("/api/queries/place-pairings?actor=neimenggu&variant=support")
    assert r.status_code == 200 and r.mimetype == "application/json"
    body = r.get_json()
    assert body["limit"] == 100 and body["offset"] == 0 and body["next"] is None
    assert "pairing" in body["columns"] and "lang" not in body["columns"]
    row = next(x for x in body["rows"] if x["counterpart"] == ACTOR + "beijing")
    assert row["counterpartLabel"] == "Beijing" and row["startYear"] == 1979
    zh = client.get("/api/queries/place-pairings.json?actor=neimenggu&variant=support&lang=zh").get_json()
    assert "北京市" in {x["counterpartLabel"] for x in zh["rows"]}


@pytest.mark.parametrize("accept, mimetype", [
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/json", "application/json"),
    ("*/*", "application/json"),
    (BROWSER, "text/html"),
    ("text/csv;q=0.5, text/html;q=0.9", "text/html"),
])
def test_content_negotiation(client, accept, mimetype):
    r = client.get("/api/queries/programs", headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == mimetype
    assert "Accept" in r.headers["Vary"]


def test_extensions_win_over_accept(client):
    r = client.get("/api/queries/programs.csv", headers={"Accept": "application/json"})
    assert r.mimetype == "text/csv" and r.mimetype_params["charset"] == "utf-8"
    table = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert table[0][:2] == ["program", "programLabel"] and len(table) > 5
    tsv = client.get("/api/queries/programs.tsv").get_data(as_text=True)
    assert tsv.startswith("?program\t?programLabel")
    raw = client.get("/api/queries/programs.json?raw=1")
    assert raw.mimetype == "application/sparql-results+json"
    assert "lang" in raw.get_json()["head"]["vars"]
    assert client.get("/api/queries/programs.srj").get_json()["results"]["bindings"]


def test_construct_query_as_turtle(client):
    r = client.get("/api/queries/place-record.ttl?actor=ruijin")
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    graph = ox.Store()
    graph.load(r.get_data(), format=ox.RdfFormat.TURTLE)
    assert len(graph) > 5
    assert client.get("/api/queries/place-record?actor=ruijin", headers={"Accept": "text/turtle"}).mimetype \
        == "text/turtle"
    nt = client.get("/api/queries/place-record.nt?actor=ruijin")
    assert nt.mimetype == "application/n-triples"
    rows = client.get("/api/queries/place-record.json?actor=ruijin").get_json()
    assert rows["columns"] == ["subject", "predicate", "object"] and len(rows["rows"]) == len(graph)


def test_wrong_format_requests(client):
    assert error_of(client.get("/api/queries/programs.ttl"), 404)["code"] == "not_found"
    assert error_of(client.get("/api/queries/programs.xlsx"), 404)["code"] == "not_found"
    err = error_of(client.get("/api/queries/programs", headers={"Accept": "image/png"}), 406)
    assert "text/csv" in err["message"]
    assert "raw" in error_of(client.get("/api/queries/place-record?actor=ruijin&raw=1"), 400)["message"]
    assert "raw" in error_of(client.get("/api/queries/programs?raw=maybe"), 400)["message"]
    assert "no-such" in error_of(client.get("/api/queries/no-such-query"), 404)["message"]


@pytest.mark.parametrize("url, parameter", [
    ("/api/queries/place-pairings", "actor"),
    ("/api/queries/place-pairings?actor=pairing:seed-1979-beijing-neimenggu", "actor"),
    ("/api/queries/place-pairings?actor=beijing&variant=all-of-them", "variant"),
    ("/api/queries/place-pairings?actor=beijing&lang=de", "lang"),
    ("/api/queries/place-pairings?actor=beijing&actor=shanghai", "actor"),
    ("/api/queries/place-pairings?actor=beijing&colour=red", "colour"),
    ("/api/queries/pairings-in-year?year=MCMLXXIX", "year"),
    ("/api/queries/program-pairings?program=sector:health", "program"),
    ("/api/queries/programs?limit=1001", "limit"),
    ("/api/queries/programs?limit=ten", "limit"),
    ("/api/queries/programs?offset=-3", "offset"),
])
def test_invalid_parameters_give_400_naming_them(client, url, parameter):
    err = error_of(client.get(url), 400)
    assert err["code"] == "invalid_parameter"
    assert f"parameter '{parameter}'" in err["message"]


def test_injection_attempt_returns_no_extra_data(client):
    attack = 'x" } UNION { ?s ?p ?o } #'
    r = client.get("/api/queries/actor-search", query_string={"text": attack, "limit": "1000"})
    assert r.status_code == 200
    body = r.get_json()
    # Only the actor whose name really holds that text; a spliced UNION would have returned every triple.
    assert [row["actor"] for row in body["rows"]] == [ACTOR + "test-quote"]
    assert body["parameters"]["text"] == attack
    r = client.get("/api/queries/place-pairings", query_string={"actor": "beijing> } UNION { ?s ?p ?o"})
    assert error_of(r, 400)["message"].startswith("parameter 'actor'")


def test_paging_with_link_headers(client):
    whole = client.get("/api/queries/pairings-in-year?year=2010&limit=1000").get_json()["rows"]
    assert len(whole) > 6
    first = client.get("/api/queries/pairings-in-year.json?year=2010&limit=3")
    body = first.get_json()
    assert body["rows"] == whole[:3] and body["prev"] is None
    assert 'rel="next"' in first.headers["Link"] and 'rel="prev"' not in first.headers["Link"]
    next_url = body["next"]
    assert urlsplit(next_url).path == "/api/queries/pairings-in-year.json"
    assert parse_qs(urlsplit(next_url).query) == {"year": ["2010"], "limit": ["3"], "offset": ["3"]}
    second = client.get(next_url)
    assert second.get_json()["rows"] == whole[3:6]
    links = second.headers["Link"]
    assert 'rel="prev"' in links and 'rel="next"' in links
    prev_url = second.get_json()["prev"]
    assert client.get(prev_url).get_json()["rows"] == whole[:3]
    tail = client.get(f"/api/queries/pairings-in-year?year=2010&limit=3&offset={len(whole) - 1}")
    assert tail.get_json()["next"] is None and 'rel="next"' not in tail.headers.get("Link", "")


def test_html_table_escapes_everything(client):
    r = client.get("/api/queries/actor-search.html", query_string={"text": "<script>"})
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'value="&lt;script&gt;"' in page  # the echoed parameter too
    assert "<script" not in page.lower().replace("&lt;script", "")
    assert f'<a href="{ACTOR}test-evil">' in page


def test_html_page_is_readable(client):
    r = client.get("/api/queries/pairings-in-year.html?year=1979&lang=zh&limit=2")
    page = r.get_data(as_text=True)
    assert "某一年份有效的结对关系" in page and "<table" in page and "<th>supporterLabel</th>" in page
    assert 'rel="next"' in page and ".csv?" in page
    assert page.count("<tr>") == 3  # header and two rows
