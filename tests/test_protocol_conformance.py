"""The query part of the W3C SPARQL 1.1 Protocol tests, against the real ``duikou-kg serve`` process.

Transcribed from w3c/rdf-tests ``sparql/sparql11/protocol/manifest.ttl`` (base
``http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#``): one case per test, its IRI,
the request as the manifest gives it and the expected response. Adaptations (see docs/conformance.md):

* the endpoint is ``/sparql`` (the manifest's example service is at ``/sparql/``);
* this service names its graphs after source files, so the graphs the manifest loads from ``data1.nt`` …
  ``data3.nt`` are source files of a tiny project, and where a request names the graph
  ``http://kasei.us/2009/09/sparql/data/dataN.rdf`` (``default-graph-uri``, ``named-graph-uri``, ``FROM``)
  the case names that file's graph instead; the data inside is as in the manifest
  (``<http://kasei.us/…/dataN.rdf> a foaf:Document``);
* every update test (positive or negative) must get a 4xx from this read-only endpoint, and the store
  must be unchanged afterwards.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest

from conftest import write_tiny_project
from duikou_kg.namespaces import graph_iri
from real_server import serve

MANIFEST = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#"
KASEI = "http://kasei.us/2009/09/sparql/data/"
GRAPHS = {f"{KASEI}data{n}.rdf": graph_iri(f"data/ttl/protocol/data{n}") for n in (1, 2, 3)}
GRAPHS[f"{KASEI}data0.rdf"] = graph_iri("data/ttl/protocol/data0")  # named by the tests, holds nothing

BOOLEAN_TYPES = ("application/sparql-results+json", "application/sparql-results+xml")
TABULAR_TYPES = BOOLEAN_TYPES + ("text/csv", "text/tab-separated-values")
RDF_TYPES = ("text/turtle", "application/rdf+xml", "application/n-triples", "application/ld+json")


def q(text: str) -> str:
    """Percent-encode as the manifest's paths do."""
    return quote(text, safe="")


def g(n: int) -> str:
    """This service's name for the manifest's graph ``dataN.rdf``."""
    return GRAPHS[f"{KASEI}data{n}.rdf"]


@dataclass(frozen=True)
class Case:
    name: str  # local name in the manifest
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    status: str = "2xx"  # "2xx" (2xx or 3xx in the manifest) or "4xx"
    boolean: bool | None = None  # mf:expectedBoolean
    expected_format: str | None = None  # mf:expectedFormat: boolean, tabular, RDF

    @property
    def iri(self) -> str:
        return MANIFEST + self.name


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DIRECT = {"Content-Type": "application/sparql-query"}
UPDATE = {"Content-Type": "application/sparql-update"}
ASK_1_2 = f"ASK {{ <{KASEI}data1.rdf> a ?type . <{KASEI}data2.rdf> a ?type . }}"
ASK_G1_G2 = f"ASK {{ GRAPH ?g1 {{ <{KASEI}data1.rdf> a ?type }} GRAPH ?g2 {{ <{KASEI}data2.rdf> a ?type }} }}"
ASK_FULL = (f"ASK {{\n  <{KASEI}data3.rdf> a ?type\n  GRAPH ?g1 {{ <{KASEI}data1.rdf> a ?type }}\n"
            f"  GRAPH ?g2 {{ <{KASEI}data2.rdf> a ?type }}\n}}")
DATA0 = "default-graph-uri=" + q(GRAPHS[f"{KASEI}data0.rdf"])

QUERY_CASES = [
    Case("query_post_form", "POST", f"/sparql?{DATA0}", b"query=ASK%20%7B%7D", FORM, boolean=True,
         expected_format="boolean"),
    Case("query_dataset_default_graphs_get", "GET",
         f"/sparql?query={q(ASK_1_2)}&default-graph-uri={q(g(1))}&default-graph-uri={q(g(2))}",
         boolean=True, expected_format="boolean"),
    Case("query_dataset_default_graphs_post", "POST",
         f"/sparql?default-graph-uri={q(g(1))}&default-graph-uri={q(g(2))}", ASK_1_2.encode(), DIRECT,
         boolean=True, expected_format="boolean"),
    Case("query_dataset_named_graphs_post", "POST",
         f"/sparql?named-graph-uri={q(g(1))}&named-graph-uri={q(g(2))}", ASK_G1_G2.encode(), DIRECT,
         boolean=True, expected_format="boolean"),
    Case("query_dataset_named_graphs_get", "GET",
         f"/sparql?query={q(ASK_G1_G2)}&named-graph-uri={q(g(1))}&named-graph-uri={q(g(2))}",
         boolean=True, expected_format="boolean"),
    Case("query_dataset_full", "POST",
         f"/sparql?default-graph-uri={q(g(3))}&named-graph-uri={q(g(1))}&named-graph-uri={q(g(2))}",
         ASK_FULL.encode(), DIRECT, boolean=True, expected_format="boolean"),
    # The manifest encodes the '&' between its two named-graph-uri parameters (%26 … %3D), which makes one
    # parameter of an IRI no dataset holds; the prose says two graphs are meant: two parameters here.
    Case("query_multiple_dataset", "POST", f"/sparql?named-graph-uri={q(g(1))}&named-graph-uri={q(g(2))}",
         f"ASK FROM <{g(3)}> {{ GRAPH ?g1 {{ <{KASEI}data1.rdf> a ?type }} "
         f"GRAPH ?g2 {{ <{KASEI}data2.rdf> a ?type }} }}".encode(), DIRECT, boolean=True,
         expected_format="boolean"),
    Case("query_get", "GET", f"/sparql?query=ASK%20%7B%7D&{DATA0}", boolean=True, expected_format="boolean"),
    Case("query_content_type_select", "POST", f"/sparql?{DATA0}", b"SELECT (1 AS ?value) {}", DIRECT,
         expected_format="tabular"),
    Case("query_content_type_ask", "POST", f"/sparql?{DATA0}", b"ASK {}", DIRECT, expected_format="boolean"),
    Case("query_content_type_describe", "POST", f"/sparql?{DATA0}", b"DESCRIBE <http://example.org/>", DIRECT,
         expected_format="RDF"),
    Case("query_content_type_construct", "POST", f"/sparql?{DATA0}", b"CONSTRUCT { <s> <p> 1 } WHERE {}", DIRECT,
         expected_format="RDF"),
    Case("query_post_direct", "POST", "/sparql", b"ASK {}", DIRECT, boolean=True, expected_format="boolean"),
    Case("bad_query_method", "PUT", f"/sparql?query=ASK%20%7B%7D&{DATA0}", b"", FORM, status="4xx"),
    Case("bad_multiple_queries", "GET", "/sparql?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D", status="4xx"),
    Case("bad_query_wrong_media_type", "POST", "/sparql", b"ASK {}", {"Content-Type": "text/plain"}, status="4xx"),
    Case("bad_query_missing_form_type", "POST", "/sparql", b"query=ASK%20%7B%7D", status="4xx"),
    Case("bad_query_missing_direct_type", "POST", "/sparql", b"ASK {}", status="4xx"),
    Case("bad_query_non_utf8", "POST", "/sparql", "ASK {}".encode("utf-16"),
         {"Content-Type": "application/sparql-query; charset=UTF-16"}, status="4xx"),
    Case("bad_query_syntax", "GET", "/sparql?query=ASK%20%7B", status="4xx"),
]

UPDATE_1 = f"""PREFIX dc: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
CLEAR ALL ;
INSERT DATA {{
    GRAPH <{g(1)}> {{
        <{KASEI}data1.rdf> a foaf:Document
    }}
}} ;
INSERT {{
    GRAPH <http://example.org/protocol-update-dataset-test/> {{
        ?s a dc:BibliographicResource
    }}
}}
WHERE {{
    ?s a foaf:Document
}}"""
UPDATE_FULL = f"""PREFIX foaf: <http://xmlns.com/foaf/0.1/>
CLEAR ALL ;
INSERT DATA {{ GRAPH <{g(1)}> {{ <{KASEI}data1.rdf> a foaf:Document }} }} ;
INSERT {{ GRAPH <http://example.org/protocol-update-dataset-full-test/> {{ ?s <http://example.org/in> "default" }} }}
WHERE {{ ?s a foaf:Document }}"""

# Every update test of the manifest, positive or negative: this endpoint is read-only, so each gets a 4xx.
UPDATE_CASES = [
    Case("update_dataset_default_graph", "POST", f"/sparql?using-graph-uri={q(g(1))}", UPDATE_1.encode(), UPDATE,
         status="4xx"),
    Case("update_dataset_default_graphs", "POST",
         f"/sparql?using-graph-uri={q(g(1))}&using-graph-uri={q(g(2))}", UPDATE_1.encode(), UPDATE, status="4xx"),
    Case("update_dataset_named_graphs", "POST",
         f"/sparql?using-named-graph-uri={q(g(1))}&using-named-graph-uri={q(g(2))}", UPDATE_1.encode(), UPDATE,
         status="4xx"),
    Case("update_dataset_full", "POST",
         f"/sparql?using-graph-uri={q(g(1))}&using-named-graph-uri={q(g(2))}", UPDATE_FULL.encode(), UPDATE,
         status="4xx"),
    Case("update_post_form", "POST", "/sparql", b"update=CLEAR+ALL", FORM, status="4xx"),
    Case("update_post_direct", "POST", "/sparql", b"CLEAR ALL", UPDATE, status="4xx"),
    Case("update_base_uri", "POST", "/sparql",
         b"CLEAR GRAPH <http://example.org/protocol-base-test/> ;\nINSERT DATA { GRAPH "
         b"<http://example.org/protocol-base-test/> { <http://example.org/s> <http://example.org/p> <test> } }",
         UPDATE, status="4xx"),
    Case("bad_update_get", "GET", "/sparql?update=CLEAR%20ALL", status="4xx"),
    Case("bad_multiple_updates", "POST", "/sparql", b"update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", FORM,
         status="4xx"),
    Case("bad_update_wrong_media_type", "POST", "/sparql", b"CLEAR NAMED", {"Content-Type": "text/plain"},
         status="4xx"),
    Case("bad_update_missing_form_type", "POST", "/sparql", b"update=CLEAR%20NAMED", status="4xx"),
    Case("bad_update_non_utf8", "POST", "/sparql", "CLEAR NAMED".encode("utf-16"),
         {"Content-Type": "application/sparql-update; charset=UTF-16"}, status="4xx"),
    Case("bad_update_syntax", "POST", "/sparql", b"update=CLEAR%20XYZ", FORM, status="4xx"),
    Case("bad_update_dataset_conflict", "POST", "/sparql?using-named-graph-uri=http%3A%2F%2Fexample%2Fpeople",
         b"PREFIX foaf:  <http://xmlns.com/foaf/0.1/>\nWITH <http://example/addresses>\n"
         b"DELETE { ?person foaf:givenName 'Bill' }\nINSERT { ?person foaf:givenName 'William' }\n"
         b"WHERE {\n    ?person foaf:givenName 'Bill'\n}", UPDATE, status="4xx"),
]

COUNT = "/sparql?query=" + q("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("protocol")
    root = write_tiny_project(folder / "project")
    protocol = root / "data" / "ttl" / "protocol"
    protocol.mkdir()
    for n in (0, 1, 2, 3):  # data0 is named by some requests; an empty file keeps its graph name ours
        body = "" if n == 0 else f"<{KASEI}data{n}.rdf> a <http://xmlns.com/foaf/0.1/Document> .\n"
        (protocol / f"data{n}.ttl").write_text(body, encoding="utf-8")
    with serve(root, folder / "var", env={"DUIKOU_KG_RATE_LIMIT": "0"}) as running:
        yield running


def _count(server) -> int:
    status, _, body = server.request("GET", COUNT, headers={"Accept": "application/sparql-results+json"})
    assert status == 200
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def _boolean(content_type: str, body: bytes) -> bool:
    if content_type.startswith("application/sparql-results+json"):
        return json.loads(body)["boolean"]
    assert content_type.startswith("application/sparql-results+xml")
    text = body.decode()
    assert ("<boolean>true</boolean>" in text) != ("<boolean>false</boolean>" in text)
    return "<boolean>true</boolean>" in text


def _check(server, case: Case) -> None:
    status, headers, body = server.request(case.method, case.path, case.body, case.headers)
    if case.status == "4xx":
        assert 400 <= status < 500, (case.iri, status, body[:300])
        return
    assert 200 <= status < 400, (case.iri, status, body[:300])
    content_type = headers.get("content-type", "")
    if case.expected_format == "boolean":
        assert content_type.startswith(BOOLEAN_TYPES), case.iri
    elif case.expected_format == "tabular":
        assert content_type.startswith(TABULAR_TYPES), case.iri
    elif case.expected_format == "RDF":
        assert content_type.startswith(RDF_TYPES), case.iri
    if case.boolean is not None:
        assert _boolean(content_type, body) is case.boolean, case.iri


@pytest.mark.parametrize("case", QUERY_CASES, ids=[c.name for c in QUERY_CASES])
def test_query_protocol(server, case):
    _check(server, case)


@pytest.mark.parametrize("case", UPDATE_CASES, ids=[c.name for c in UPDATE_CASES])
def test_update_protocol_is_refused_by_the_read_only_endpoint(server, case):
    before = _count(server)
    _check(server, case)
    assert before > 0 and _count(server) == before  # nothing changed


def test_the_dataset_cases_could_fail(server):
    # The positive dataset cases are not vacuous: with the wrong graphs the same ASK is false.
    wrong = Case("query_dataset_default_graphs_get", "GET",
                 f"/sparql?query={q(ASK_1_2)}&default-graph-uri={q(g(1))}&default-graph-uri={q(g(3))}",
                 boolean=False, expected_format="boolean")
    _check(server, wrong)
    literal = Case("query_multiple_dataset", "POST",
                   "/sparql?named-graph-uri=" + q(g(1) + "&named-graph-uri=" + g(2)),
                   f"ASK FROM <{g(3)}> {{ GRAPH ?g1 {{ <{KASEI}data1.rdf> a ?type }} "
                   f"GRAPH ?g2 {{ <{KASEI}data2.rdf> a ?type }} }}".encode(), DIRECT, boolean=False,
                   expected_format="boolean")
    _check(server, literal)  # the manifest's literal request: one named graph nobody holds → false


def test_every_manifest_entry_is_transcribed():
    entries = {
        "query_post_form", "query_dataset_default_graphs_get", "query_dataset_default_graphs_post",
        "query_dataset_named_graphs_post", "query_dataset_named_graphs_get", "query_dataset_full",
        "query_multiple_dataset", "query_get", "query_content_type_select", "query_content_type_ask",
        "query_content_type_describe", "query_content_type_construct", "update_dataset_default_graph",
        "update_dataset_default_graphs", "update_dataset_named_graphs", "update_dataset_full", "update_post_form",
        "update_post_direct", "update_base_uri", "query_post_direct", "bad_query_method", "bad_multiple_queries",
        "bad_query_wrong_media_type", "bad_query_missing_form_type", "bad_query_missing_direct_type",
        "bad_query_non_utf8", "bad_query_syntax", "bad_update_get", "bad_multiple_updates",
        "bad_update_wrong_media_type", "bad_update_missing_form_type", "bad_update_non_utf8", "bad_update_syntax",
        "bad_update_dataset_conflict",
    }  # the 34 entries of mf:entries
    names = [c.name for c in QUERY_CASES + UPDATE_CASES]
    assert len(names) == len(set(names)) == 34 and set(names) == entries
