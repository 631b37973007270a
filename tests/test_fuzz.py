"""Property-based fuzzing (hypothesis) of /sparql, the canned-query parameters, /validate and the
submission endpoint: malformed SPARQL and RDF, invalid UTF-8 in bodies and query strings, huge literals and
deep nesting. Never a 5xx, never a stack trace in a response, and the store is unchanged afterwards.

Bounded: each property runs a fixed number of examples without per-example deadline, so the suite stays fast.
"""

from __future__ import annotations

import json
import urllib.parse

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from conftest import write_tiny_project
from curation_project import copy_project
from duikou_kg.canned import load_catalog
from duikou_kg.config import Settings
from duikou_kg.store import open_store
from duikou_kg.web import create_app

TOKEN = "fuzz-curator-token-0123456789abcdef"
FUZZ = hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW_FUZZ = hsettings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TRACE_MARKERS = (b"Traceback (most recent call last)", b'File "', b"site-packages", b".py\", line")

SPARQL_TOKENS = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "FILTER", "OPTIONAL", "UNION", "GRAPH",
                 "MINUS", "BIND", "AS", "VALUES", "GROUP BY", "ORDER BY", "LIMIT", "OFFSET", "PREFIX", "BASE",
                 "FROM", "NAMED", "SERVICE", "LOAD", "INSERT", "DELETE", "DATA", "{", "}", "(", ")", "[", "]",
                 ".", ";", ",", "*", "?s", "?p", "?o", "$x", "<urn:x>", "<http://127.0.0.1:9/>", "dko:Pairing",
                 "a", "1", "-1.5e3", '"x"', '"x"@zh', '"1"^^xsd:integer', "'''", '"', "<", ">", "&&", "||", "!",
                 "=", "!=", "COUNT(*)", "REGEX(", "STR(", "\\u0053ERVICE", "#", "\n", "_:b", "^", "/", "|", "+",
                 "对口支援", "\x00", "\ufffd"]

sparql_like = st.lists(st.sampled_from(SPARQL_TOKENS), max_size=40).map(" ".join)
nesting = st.tuples(st.sampled_from(["{", "(", "[ ?p ", "( ", "{ SELECT * WHERE "]),
                    st.integers(min_value=50, max_value=20_000)).map(lambda t: "SELECT * WHERE { " + t[0] * t[1])
huge_literal = st.integers(min_value=1_000, max_value=300_000).map(lambda n: 'ASK { ?s ?p "' + "长" * n + '" }')
any_query = st.one_of(st.text(max_size=300), sparql_like, nesting, huge_literal)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz-tiny")
    root = write_tiny_project(folder / "project")
    settings = Settings.from_env(environ={}, project_root=root, data_dir=folder / "var", rate_limit=0)
    store = open_store(settings)
    app = create_app(settings, store=store)
    return app.test_client(), store


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz-project")
    root = copy_project(folder / "project")
    settings = Settings.from_env(environ={"DUIKOU_KG_CURATOR_TOKENS": f"fuzzer:{TOKEN}"}, project_root=root,
                                 data_dir=folder / "var", rate_limit=0)
    store = open_store(settings)
    app = create_app(settings, store=store)
    return app.test_client(), store


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _snapshot(client, store) -> tuple:
    response = client.get("/sparql", query_string={"query": COUNT})
    return store.version, store.triple_count, response.get_json()["results"]["bindings"][0]["n"]["value"]


def _sound(response) -> None:
    assert response.status_code < 500, response.data[:500]
    assert not any(marker in response.data for marker in TRACE_MARKERS), response.data[:500]
    if response.status_code >= 400 and response.mimetype == "application/json":
        error = response.get_json()["error"]
        assert error["status"] == response.status_code and error["code"] and error["message"]


@pytest.fixture(scope="module")
def unchanged_tiny(tiny):
    client, store = tiny
    before = _snapshot(client, store)
    yield
    assert _snapshot(client, store) == before


@pytest.fixture(scope="module")
def unchanged_project(project):
    client, store = project
    before = _snapshot(client, store)
    yield
    assert _snapshot(client, store) == before


# --- /sparql ----------------------------------------------------------------------------------------

@FUZZ
@given(query=any_query)
def test_sparql_get_and_post_never_fail_the_server(tiny, unchanged_tiny, query):
    client, _ = tiny
    _sound(client.get("/sparql", query_string={"query": query}))
    _sound(client.post("/sparql", data=query.encode("utf-8", "surrogatepass"),
                       content_type="application/sparql-query"))
    _sound(client.post("/sparql", data={"query": query, "default-graph-uri": query[:50]}))


@FUZZ
@given(body=st.binary(max_size=2000), content_type=st.sampled_from(
    ["application/sparql-query", "application/x-www-form-urlencoded", "application/sparql-update",
     "text/plain", "multipart/form-data", "application/sparql-query; charset=UTF-16", ""]))
def test_sparql_bodies_of_random_bytes(tiny, unchanged_tiny, body, content_type):
    client, _ = tiny
    _sound(client.post("/sparql", data=body, content_type=content_type))


@FUZZ
@given(raw=st.binary(max_size=500))
def test_query_strings_with_invalid_utf8(tiny, unchanged_tiny, raw):
    client, _ = tiny
    # WSGI carries the query string as latin-1 text of the raw bytes: invalid UTF-8 reaches the app as is.
    for prefix in (b"query=", b"query=ASK%20%7B%7D&default-graph-uri=", b"format="):
        encoded = prefix + urllib.parse.quote_from_bytes(raw).encode()
        _sound(client.get("/sparql", environ_overrides={"QUERY_STRING": encoded.decode("latin-1")}))
        _sound(client.get("/sparql", environ_overrides={"QUERY_STRING": (prefix + raw).decode("latin-1")}))


@pytest.mark.parametrize("opener", ["{", "(", "[ ?p ", "\\u007B"])
def test_deep_nesting_is_a_400_with_the_envelope(tiny, opener):
    client, _ = tiny
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { FILTER" + opener * 30_000})
    assert response.status_code in (400, 413)
    assert response.get_json()["error"]["code"] in ("query_too_deep", "query_too_long")


# --- canned-query parameters ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def canned_names(project):
    from curation_project import REPO_ROOT

    catalog = load_catalog(REPO_ROOT / "queries")
    return {query.name: [p.name for p in query.parameters] + ["limit", "offset", "raw", "lang"] for query in catalog}


@FUZZ
@given(data=st.data())
def test_canned_query_parameters(project, unchanged_project, canned_names, data):
    client, _ = project
    name = data.draw(st.sampled_from(sorted(canned_names)))
    keys = data.draw(st.lists(st.sampled_from(canned_names[name] + ["x"]), max_size=4))
    values = data.draw(st.lists(st.one_of(st.text(max_size=60), sparql_like, st.integers().map(str)),
                                min_size=len(keys), max_size=len(keys)))
    extension = data.draw(st.sampled_from(["", ".json", ".csv", ".html", ".ttl", ".xyz"]))
    query_string = urllib.parse.urlencode(list(zip(keys, values)))
    _sound(client.get(f"/api/queries/{name}{extension}?{query_string}"))
    raw = data.draw(st.binary(max_size=80))
    _sound(client.get(f"/api/queries/{name}",
                      environ_overrides={"QUERY_STRING": (b"lang=" + raw).decode("latin-1")}))


# --- /validate and /curation/submissions -------------------------------------------------------------

RDF_TOKENS = ["@prefix", "ex:", "<urn:x>", "<http://127.0.0.1:9/>", "a", "dko:Pairing", ";", ",", ".", "[", "]",
              "(", ")", '"x"', '"x"@zh', "^^", "xsd:integer", "_:b", "1", "true", "{", "}", '"""', "\\u00",
              "@context", ":", "<!ENTITY", "<rdf:RDF>", "对口", "\x00"]
rdf_like = st.lists(st.sampled_from(RDF_TOKENS), max_size=40).map(" ".join)
rdf_nesting = st.tuples(st.sampled_from(["[ <urn:p> ", "( ", '{"@id": "urn:x", "urn:p": ', "<a>"]),
                        st.integers(min_value=100, max_value=5_000)).map(lambda t: "<urn:s> <urn:p> " + t[0] * t[1])
rdf_body = st.one_of(st.binary(max_size=800), rdf_like.map(str.encode), rdf_nesting.map(str.encode),
                     st.integers(min_value=1_000, max_value=200_000).map(
                         lambda n: f'<urn:s> <urn:p> "{"x" * n}" .'.encode()))
RDF_TYPES = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml", "text/plain"]


@SLOW_FUZZ
@given(body=rdf_body, content_type=st.sampled_from(RDF_TYPES))
def test_validate_never_fails_the_server(project, unchanged_project, body, content_type):
    client, _ = project
    _sound(client.post("/validate", data=body, content_type=content_type, headers={"Accept": "application/json"}))


@SLOW_FUZZ
@given(text=st.one_of(st.text(max_size=300), rdf_like))
def test_validate_form_never_fails_the_server(project, unchanged_project, text):
    client, _ = project
    response = client.post("/validate", data={"data": text, "format": "turtle"}, headers={"Accept": "text/html"})
    _sound(response)


@SLOW_FUZZ
@given(body=rdf_body, content_type=st.sampled_from(RDF_TYPES + ["application/json"]),
       source=st.text(max_size=40))
def test_submissions_never_fail_the_server(project, unchanged_project, body, content_type, source):
    client, _ = project
    path = "/curation/submissions?" + urllib.parse.urlencode({"source": source or "fuzz"})
    if content_type == "application/json":
        body = json.dumps({"additions": body.decode("utf-8", "replace"), "removals": source,
                           "source": "fuzz"}).encode()
    response = client.post(path, data=body, content_type=content_type, headers={"Authorization": f"Bearer {TOKEN}"})
    _sound(response)


# --- regressions the fuzzing found ------------------------------------------------------------------

def test_a_query_string_that_is_not_utf8_is_400_on_every_route(tiny):
    client, _ = tiny
    for path in ("/sparql", "/api/queries", "/search", "/id/actor/beijing"):
        response = client.get(path, environ_overrides={"QUERY_STRING": b"query=\x80\xff".decode("latin-1")})
        assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_encoding"


@pytest.mark.parametrize("digit", ["²", "٣", "１"])
def test_non_ascii_digits_in_a_query_are_a_syntax_error_not_a_crash(tiny, digit):
    client, _ = tiny
    response = client.get("/sparql", query_string={"query": f"SELECT * WHERE {{ ?s ?p {digit} }}"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "malformed_query"
