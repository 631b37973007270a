"""Nothing a client sends makes the server fetch a URL or open a file.

One real ``duikou-kg serve`` process (a copy of the project, curator tokens set) runs under a Python audit
hook that records every ``socket.connect``, ``urllib.Request`` and every ``open`` of a secret file; a TCP
listener on 127.0.0.1 counts connections (the Rust query engine is invisible to the audit hook). Each
hostile request names the listener's URL and ``file://`` IRIs of the secret file: in SPARQL (LOAD,
SERVICE, FROM, FROM NAMED, default-graph-uri, named-graph-uri, BASE, DESCRIBE), in uploads to
``/validate`` and ``/curation/submissions`` (owl:imports, JSON-LD remote ``@context`` and ``@import``,
RDF/XML external entities), and in canned-query parameters. Afterwards the listener has received nothing,
the audit log is empty, no answer contains the secret, and the server still answers.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.parse

import pytest

from curation_project import copy_project
from real_server import Listener, serve

TOKEN = "no-fetch-curator-token-0123456789"
SECRET = "duikou-kg-secret-file-content-7f3a"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nofetch")
    root = copy_project(folder / "project")
    secret = folder / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    listener = Listener()
    env = {"DUIKOU_KG_CURATOR_TOKENS": f"tester:{TOKEN}", "DUIKOU_KG_RATE_LIMIT": "0"}
    try:
        with serve(root, folder / "var", env=env, audit_paths=(secret.name, ".sha256")) as server:
            yield server, listener, secret.as_uri()
    finally:
        listener.close()


def _hostile_sparql(url: str, file_iri: str) -> list[tuple[str, str, dict[str, str], bytes | None]]:
    """(method, path, headers, body) of SPARQL requests naming the listener and the secret file."""
    queries = [
        f"SELECT * WHERE {{ SERVICE <{url}sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{url}data.ttl> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{url}g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{file_iri}> FROM NAMED <{file_iri}> WHERE {{ ?s ?p ?o }}",
        f"ASK {{ GRAPH <{file_iri}> {{ ?s ?p ?o }} }}",
        f"DESCRIBE <{url}thing> <{file_iri}>",
        f"BASE <{url}> SELECT * WHERE {{ <relative> ?p ?o }}",
        f"CONSTRUCT {{ <{file_iri}> <{url}p> ?o }} WHERE {{ BIND(IRI(\"{url}x\") AS ?o) }}",
        f"LOAD <{url}data.ttl>",
        f"LOAD <{file_iri}> INTO GRAPH <urn:x>",
    ]
    requests = [("GET", "/sparql?" + urllib.parse.urlencode({"query": q}), {}, None) for q in queries]
    requests += [
        ("POST", "/sparql", {"Content-Type": "application/sparql-update"}, f"LOAD <{url}data.ttl>".encode()),
        ("POST", "/sparql", {"Content-Type": "application/x-www-form-urlencoded"},
         urllib.parse.urlencode({"update": f"LOAD <{file_iri}>"}).encode()),
        ("GET", "/sparql?" + urllib.parse.urlencode({"update": f"LOAD <{url}x>"}), {}, None),
        ("GET", "/sparql?" + urllib.parse.urlencode(
            {"query": "ASK { ?s ?p ?o }", "default-graph-uri": url + "g", "named-graph-uri": file_iri}), {}, None),
        ("POST", "/sparql?" + urllib.parse.urlencode({"default-graph-uri": file_iri}),
         {"Content-Type": "application/sparql-query"}, b"SELECT * WHERE { ?s ?p ?o } LIMIT 1"),
    ]
    return requests


def _hostile_uploads(url: str, file_iri: str) -> list[tuple[str, bytes]]:
    turtle = f"""@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{url}onto> a owl:Ontology ; owl:imports <{url}imported.ttl> , <{file_iri}> .
<{url}x> rdfs:seeAlso <{file_iri}> ; rdfs:label "x"@en .
"""
    return [
        ("text/turtle", turtle.encode()),
        ("application/n-triples", f"<{url}x> <http://www.w3.org/2002/07/owl#imports> <{file_iri}> .\n".encode()),
        ("application/ld+json", json.dumps({"@context": url + "context.jsonld", "@id": url + "x"}).encode()),
        ("application/ld+json", json.dumps({"@context": [file_iri], "@id": "urn:x"}).encode()),
        ("application/ld+json", json.dumps({"@context": {"@import": url + "c"}, "@id": "urn:x"}).encode()),
        ("application/ld+json", json.dumps(
            {"@context": {"p": {"@id": "urn:p", "@context": url + "scoped"}}, "@id": "urn:x", "p": {"@id": "urn:y"}}
        ).encode()),
        ("application/rdf+xml", f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY net SYSTEM "{url}entity"> <!ENTITY file SYSTEM "{file_iri}"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="urn:x"><rdfs:label>&net;&file;</rdfs:label></rdf:Description>
</rdf:RDF>""".encode()),
        ("application/rdf+xml", f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF PUBLIC "-//x//EN" "{url}dtd">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xml:base="{url}">
  <rdf:Description rdf:about="{file_iri}"/>
</rdf:RDF>""".encode()),
    ]


def _assert_nothing_fetched(server, listener, responses) -> None:
    for status, _, body in responses:
        assert status < 500, body[:500]
        assert SECRET.encode() not in body
    assert listener.connections == 0
    assert server.audit_events() == []
    assert server.alive()


def test_sparql_requests_fetch_nothing_and_open_nothing(world):
    server, listener, file_iri = world
    responses = [server.request(method, path, body, headers)
                 for method, path, headers, body in _hostile_sparql(listener.url, file_iri)]
    _assert_nothing_fetched(server, listener, responses)
    statuses = [status for status, _, _ in responses]
    assert statuses[0] == 400 and json.loads(responses[0][2])["error"]["code"] == "service_not_allowed"
    assert statuses[8:13] == [400, 400, 403, 403, 403]  # LOAD as a query is malformed; as an update refused


def test_uploads_to_validate_fetch_nothing(world):
    server, listener, file_iri = world
    responses = [server.request("POST", "/validate", body, {"Content-Type": media_type, "Accept": "application/json"})
                 for media_type, body in _hostile_uploads(listener.url, file_iri)]
    _assert_nothing_fetched(server, listener, responses)
    codes = [json.loads(body)["error"]["code"] if status >= 400 else None for status, _, body in responses]
    assert codes[:2] == [None, None]  # owl:imports and file:// IRIs are just names: validated, not followed
    assert set(codes[2:]) <= {"unsafe_input", "malformed_rdf"} and "unsafe_input" in codes[2:]


def test_submissions_fetch_nothing(world):
    server, listener, file_iri = world
    auth = {"Authorization": f"Bearer {TOKEN}"}
    path = "/curation/submissions?" + urllib.parse.urlencode({"source": listener.url + "doc", "comment": file_iri})
    responses = [server.request("POST", path, body, {"Content-Type": media_type, **auth})
                 for media_type, body in _hostile_uploads(listener.url, file_iri)]
    turtle = _hostile_uploads(listener.url, file_iri)[0][1].decode()
    responses.append(server.request("POST", "/curation/submissions", json.dumps(
        {"additions": turtle, "removals": f"<{file_iri}> <{listener.url}p> <{listener.url}o> .",
         "source": file_iri}).encode(),
        {"Content-Type": "application/json", **auth}))
    _assert_nothing_fetched(server, listener, responses)
    assert responses[0][0] == 201  # a dry run was made of the owl:imports file, without importing anything


def test_canned_query_parameters_fetch_nothing(world):
    server, listener, file_iri = world
    paths = [f"/api/queries/place-pairings?{urllib.parse.urlencode({'actor': listener.url + 'a'})}",
             f"/api/queries/place-record?{urllib.parse.urlencode({'place': file_iri})}",
             f"/api/queries/actor-search?{urllib.parse.urlencode({'q': file_iri})}",
             "/id/" + urllib.parse.quote(file_iri, safe="")]
    responses = [server.request("GET", path) for path in paths]
    _assert_nothing_fetched(server, listener, responses)


def test_the_audit_hook_and_listener_do_see_what_they_watch(world):
    # Guards the tests above. The hook in the server process logs an open of a watched path: a dump's
    # checksum file (watched too) is opened when /dumps/ serves it. The listener counts a real connection.
    server, listener, _ = world
    name = next((server.data_dir / "dumps").glob("*.sha256")).name
    status, _, _ = server.request("GET", f"/dumps/{name}")
    assert status == 200
    assert any(event.startswith("open ") and event.endswith(name) for event in server.audit_events())
    server.audit_log.write_text("", encoding="utf-8")
    with socket.create_connection(("127.0.0.1", listener.port), timeout=2):
        pass
    deadline = time.monotonic() + 2
    while listener.connections == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert listener.connections == 1
    listener.connections = 0
