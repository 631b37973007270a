"""The /sparql endpoint against the SPARQL 1.1 Protocol, plus the SERVICE guard.

Uses the tiny project of conftest.py through Flask's test client.
"""

from __future__ import annotations

import json
import socket

import pyoxigraph as ox
import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from duikou_kg.config import Settings
from duikou_kg.namespaces import GRAPH_BASE, INFERRED_GRAPH, SD
from duikou_kg.sparql_guard import declares_dataset, forbidden_keywords
from duikou_kg.web import create_app

from conftest import BACKENDS, backend_store

SELECT_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT { ?s dko:supports ?o } WHERE { ?s dko:supports ?o }"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(params=BACKENDS)
def app(request, tiny_settings, tiny_store):
    """The tiny project's app on the embedded store, and on its copies pushed into Virtuoso and into Jena."""
    app = create_app(tiny_settings, store=backend_store(request, "tiny", tiny_store))
    app.config["TESTING"] = True
    return app


def count_of(response) -> int:
    return int(response.get_json()["results"]["bindings"][0]["n"]["value"])


def error_of(response) -> dict:
    return response.get_json()["error"]


# --- queries and result formats ---------------------------------------------------------------

def test_get_select_defaults_to_sparql_json(client, tiny_store):
    response = client.get("/sparql", query_string={"query": SELECT_COUNT})
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+json"
    assert count_of(response) == tiny_store.triple_count
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize("accept, media_type, marker", [
    ("application/sparql-results+xml", "application/sparql-results+xml", b"<sparql"),
    ("text/csv", "text/csv", b"n\r\n"),
    ("text/tab-separated-values", "text/tab-separated-values", b"?n\n"),
    ("application/json", "application/sparql-results+json", b'"bindings"'),
    ("*/*", "application/sparql-results+json", b'"bindings"'),
])
def test_select_results_follow_the_accept_header(client, accept, media_type, marker):
    response = client.get("/sparql", query_string={"query": SELECT_COUNT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert marker in response.data


@pytest.mark.parametrize("name, media_type", [
    ("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml"),
    ("csv", "text/csv"), ("tsv", "text/tab-separated-values")])
def test_the_format_parameter_beats_accept(client, name, media_type):
    response = client.get("/sparql", query_string={"query": SELECT_COUNT, "format": name},
                          headers={"Accept": "application/sparql-results+xml;q=0.1"})
    assert response.mimetype == media_type


def test_ask_answers_a_boolean(client):
    response = client.get("/sparql", query_string={"query": "ASK { actor:beijing dko:supports actor:county }"})
    assert response.get_json() == {"head": {}, "boolean": True}


@pytest.mark.parametrize("accept, fmt, media_type, rdf_format", [
    (None, None, "text/turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", None, "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", None, "application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/rdf+xml", None, "application/rdf+xml", ox.RdfFormat.RDF_XML),
    (None, "nt", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    (None, "rdfxml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    (None, "turtle", "text/turtle", ox.RdfFormat.TURTLE),  # the names SPARQLWrapper sends
    (None, "json-ld", "application/ld+json", ox.RdfFormat.JSON_LD),
    (None, "application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
])
def test_construct_results_in_each_rdf_format_parse_back(client, accept, fmt, media_type, rdf_format):
    params = {"query": CONSTRUCT, **({"format": fmt} if fmt else {})}
    response = client.get("/sparql", query_string=params, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and response.mimetype == media_type
    triples = list(ox.parse(response.data, format=rdf_format))
    assert [(t.subject.value, t.object.value) for t in triples] == [
        ("https://w3id.org/duikou/id/actor/beijing", "https://w3id.org/duikou/id/actor/county")]


def test_describe_returns_rdf(client):
    response = client.get("/sparql", query_string={"query": "DESCRIBE actor:county"})
    assert response.mimetype == "text/turtle"
    assert b"county" in response.data


def test_post_form_and_post_sparql_query_give_the_same_answer(client):
    by_form = client.post("/sparql", data={"query": SELECT_COUNT})
    by_body = client.post("/sparql", data=SELECT_COUNT.encode(), content_type="application/sparql-query")
    assert by_form.status_code == by_body.status_code == 200
    assert count_of(by_form) == count_of(by_body) > 0


# --- dataset parameters -------------------------------------------------------------------------

def test_default_graph_uri_narrows_the_default_graph(client, tiny_store):
    pairings = GRAPH_BASE + "data/ttl/pairings"
    response = client.get("/sparql", query_string={"query": SELECT_COUNT, "default-graph-uri": pairings})
    assert count_of(response) == tiny_store.manifest.graph_counts[pairings]
    two = client.get("/sparql", query_string=[("query", SELECT_COUNT), ("default-graph-uri", pairings),
                                              ("default-graph-uri", INFERRED_GRAPH)])
    assert count_of(two) == tiny_store.manifest.graph_counts[pairings] + tiny_store.manifest.inferred_count


def test_named_graph_uri_limits_graph_patterns(client):
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    everything = client.get("/sparql", query_string={"query": query}).get_json()["results"]["bindings"]
    assert len(everything) == 4  # three sources and the inferred graph
    only = client.post("/sparql", data={"query": query, "named-graph-uri": INFERRED_GRAPH})
    assert [b["g"]["value"] for b in only.get_json()["results"]["bindings"]] == [INFERRED_GRAPH]


def test_from_in_the_query_replaces_the_union(client, tiny_store):
    graph = GRAPH_BASE + "data/ttl/places/units"
    query = f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}"
    assert count_of(client.get("/sparql", query_string={"query": query})) == tiny_store.manifest.graph_counts[graph]


def test_a_graph_uri_must_be_an_iri(client):
    response = client.get("/sparql", query_string={"query": SELECT_COUNT, "default-graph-uri": "not an iri"})
    assert response.status_code == 400 and error_of(response)["code"] == "invalid_graph_uri"


# --- refusals -----------------------------------------------------------------------------------

def test_a_malformed_query_is_400_with_the_parser_position(client):
    response = client.get("/sparql", query_string={"query": "SELECT ?s WHERE {\n ?s ?p }"})
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "malformed_query"
    assert error["details"]["line"] == 2 and error["details"]["column"] > 0
    assert "2:" in error["message"]


def test_two_query_parameters_are_400(client):
    response = client.get("/sparql", query_string=[("query", SELECT_COUNT), ("query", SELECT_COUNT)])
    assert response.status_code == 400 and error_of(response)["code"] == "multiple_queries"
    body_and_param = client.post("/sparql?query=ASK%7B%7D", data=b"ASK {}", content_type="application/sparql-query")
    assert body_and_param.status_code == 400


def test_query_and_update_together_are_400(client):
    response = client.post("/sparql", data={"query": SELECT_COUNT, "update": "CLEAR ALL"})
    assert response.status_code == 400 and error_of(response)["code"] == "query_and_update"


@pytest.mark.parametrize("send", [
    lambda c: c.get("/sparql", query_string={"update": "CLEAR ALL"}),
    lambda c: c.post("/sparql", data={"update": "CLEAR ALL"}),
    lambda c: c.post("/sparql", data=b"CLEAR ALL", content_type="application/sparql-update"),
    lambda c: c.post("/sparql", data=b"INSERT DATA { <urn:a> <urn:b> <urn:c> }", content_type="application/sparql-query"),
])
def test_updates_are_refused_and_change_nothing(client, tiny_store, send):
    before = count_of(client.get("/sparql", query_string={"query": SELECT_COUNT}))
    response = send(client)
    assert 400 <= response.status_code < 500
    assert error_of(response)["code"] in {"read_only", "malformed_query"}
    assert count_of(client.get("/sparql", query_string={"query": SELECT_COUNT})) == before == tiny_store.triple_count


def test_a_wrong_content_type_is_415(client):
    response = client.post("/sparql", data=SELECT_COUNT, content_type="text/plain")
    assert response.status_code == 415 and error_of(response)["code"] == "unsupported_media_type"


def test_nothing_acceptable_is_406(client):
    assert client.get("/sparql", query_string={"query": SELECT_COUNT}, headers={"Accept": "image/png"}).status_code == 406
    wrong_kind = client.get("/sparql", query_string={"query": CONSTRUCT, "format": "csv"})
    assert wrong_kind.status_code == 406 and error_of(wrong_kind)["code"] == "not_acceptable"
    turtle_for_select = client.get("/sparql", query_string={"query": SELECT_COUNT}, headers={"Accept": "text/turtle"})
    assert turtle_for_select.status_code == 406


def test_an_unknown_format_name_is_400(client):
    response = client.get("/sparql", query_string={"query": SELECT_COUNT, "format": "yaml"})
    assert response.status_code == 400 and error_of(response)["code"] == "unknown_format"


def test_limits_on_query_length_and_request_size(tiny_settings, tiny_store):
    small = Settings.from_env(environ={}, project_root=tiny_settings.project_root, data_dir=tiny_settings.data_dir,
                              max_query_length=60, max_request_bytes=200)
    client = create_app(small, store=tiny_store).test_client()
    long_query = "SELECT * WHERE { ?s ?p ?o }" + " " * 60
    assert client.get("/sparql", query_string={"query": long_query}).status_code == 413
    huge = client.post("/sparql", data=b"ASK {}" + b" " * 400, content_type="application/sparql-query")
    assert huge.status_code == 413 and error_of(huge)["status"] == 413


# --- service description and CORS --------------------------------------------------------------

@pytest.mark.parametrize("accept, rdf_format", [
    (None, ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", ox.RdfFormat.JSON_LD), ("application/rdf+xml", ox.RdfFormat.RDF_XML)])
def test_get_without_query_describes_the_service(client, tiny_store, accept, rdf_format):
    response = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    store = ox.Store()
    store.load(response.data, format=rdf_format)
    endpoint = ox.NamedNode("http://localhost/sparql")
    assert store.query("ASK { ?svc a sd:Service ; sd:endpoint ?svc ; sd:supportedLanguage sd:SPARQL11Query ; "
                       "sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON> , <http://www.w3.org/ns/formats/Turtle> }",
                       prefixes={"sd": SD}, substitutions={ox.Variable("svc"): endpoint})
    names = {row["name"].value for row in store.query(
        "SELECT ?name WHERE { ?s sd:defaultDataset/sd:namedGraph/sd:name ?name }", prefixes={"sd": SD})}
    assert names == set(tiny_store.graphs)


def test_cors_allows_any_origin_to_read_without_credentials(client):
    response = client.get("/sparql", query_string={"query": SELECT_COUNT}, headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    preflight = client.options("/sparql", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type"})
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]


# --- SERVICE guard, proven with a listener that must receive nothing ----------------------------

@pytest.fixture
def listener():
    """A TCP socket on 127.0.0.1; the test fails if anything connects to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server.getsockname()[1]
    try:
        connection, _ = server.accept()
    except BlockingIOError:
        pass
    else:
        connection.close()
        pytest.fail("the endpoint opened a connection to the listener")
    finally:
        server.close()


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ service silent <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
    "# a comment\nSELECT * WHERE {{ ?a ?b ?c . SeRvIcE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ \\u0053ERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ BIND(<http://127.0.0.1:{port}/> AS ?u) SERVICE ?u {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE <file:///etc/passwd> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?s ?p ?o .SERVICE<http://127.0.0.1:{port}/>{{?x ?y ?z}} }}",
])
def test_service_is_refused_before_evaluation(client, listener, template):
    response = client.get("/sparql", query_string={"query": template.format(port=listener)})
    assert response.status_code == 400
    assert error_of(response)["code"] == "service_not_allowed"
    assert "SERVICE" in error_of(response)["message"]


@pytest.mark.parametrize("template", [
    "SELECT (COUNT(*) AS ?n) FROM <http://127.0.0.1:{port}/data.ttl> WHERE {{ ?s ?p ?o }}",
    "SELECT (COUNT(*) AS ?n) FROM <file:///etc/passwd> FROM NAMED <http://127.0.0.1:{port}/g> WHERE {{ ?s ?p ?o }}",
])
def test_from_names_a_graph_and_fetches_nothing(client, listener, template):
    response = client.get("/sparql", query_string={"query": template.format(port=listener)})
    assert response.status_code == 200
    assert count_of(response) == 0  # no such graph in the store, and nothing was fetched


@pytest.mark.parametrize("query", [
    "SELECT ?service WHERE { ?service ?p ?o }",
    "SELECT * WHERE { ?s ?p \"SERVICE <http://127.0.0.1:9/> {}\" } # SERVICE in a comment",
    "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:SERVICE ?o }",
    "PREFIX service: <http://example.org/> SELECT * WHERE { ?s service:x ?o }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o = '''SERVICE''') }",
    "SELECT * WHERE { ?s ?p $service }",
    "SELECT * WHERE { _:service ?p ?o }",
])
def test_the_word_service_elsewhere_is_allowed(client, query):
    assert forbidden_keywords(query) == frozenset()
    assert client.get("/sparql", query_string={"query": query}).status_code == 200


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="\"\\\r\n", blacklist_categories=("Cs",))))
def test_string_literals_never_trip_the_guard(text):
    query = f'SELECT * WHERE {{ ?s ?p "{text}" }}'
    assert forbidden_keywords(query) == frozenset()


def test_from_is_recognised_only_as_a_keyword():
    assert declares_dataset("SELECT * FROM <urn:g> WHERE { ?s ?p ?o }")
    assert not declares_dataset("SELECT ?from WHERE { ?from ?p 'FROM' }")


def test_the_endpoint_error_is_json_even_for_malformed_json_like_bodies(client):
    response = client.post("/sparql", data=b"\xff\xfe", content_type="application/sparql-query")
    assert response.status_code == 400 and json.loads(response.data)["error"]["code"] == "bad_encoding"
