"""The OpenAPI 3 description of the canned queries: valid, complete, and true to the running API."""

from __future__ import annotations

from pathlib import Path

import pytest
from openapi_spec_validator import validate

from duikou_kg.config import Settings
from duikou_kg.linked_data.memory import MemoryStore
from duikou_kg.web import create_app

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def store():
    return MemoryStore.from_sources(ROOT)


@pytest.fixture(scope="module")
def client(tmp_path_factory, store):
    settings = Settings.from_env(environ={}, project_root=ROOT, data_dir=tmp_path_factory.mktemp("data"))
    return create_app(settings, store=store).test_client()


@pytest.fixture(scope="module")
def document(client):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    return r.get_json()


def test_document_is_valid_openapi_3(document):
    validate(document)  # raises on any violation of the OpenAPI 3.0 schema
    assert document["openapi"].startswith("3.")
    broken = {**document, "paths": {"/api/queries/programs": {"get": {"responses": {"200": {}}}}}}
    with pytest.raises(Exception):
        validate(broken)  # the validator does bite: a response without a description is refused


def test_one_path_per_query(document, client):
    names = {q["name"] for q in client.get("/api/queries").get_json()["queries"]}
    assert {f"/api/queries/{name}" for name in names} | {"/api/queries"} == set(document["paths"])
    ids = [op["get"]["operationId"] for op in document["paths"].values()]
    assert len(ids) == len(set(ids))
    assert document["paths"]["/api/queries/place-pairings"]["get"]["operationId"] == "placePairings"


def test_parameters_carry_types_and_enums_from_the_store(document, store):
    ops = {path: op["get"] for path, op in document["paths"].items()}
    params = {p["name"]: p for p in ops["/api/queries/sector-pairings"]["parameters"]}
    sectors = params["sector"]["schema"]["enum"]
    assert {"education", "health", "poverty-alleviation"} <= set(sectors)
    count = int(next(iter(store.query(
        "SELECT (COUNT(?c) AS ?n) WHERE { ?c <http://www.w3.org/2004/02/skos/core#inScheme> "
        "<https://w3id.org/duikou/id/scheme/sector> }")))["n"].value)
    assert len(sectors) == count
    assert params["sector"]["required"] is True and params["sector"]["example"] in sectors
    assert params["variant"]["schema"] == {"type": "string", "enum": ["all", "support", "assistance", "cooperation"],
                                           "default": "all"}
    assert params["limit"]["schema"]["maximum"] == 1000 and params["limit"]["schema"]["default"] == 100
    year = {p["name"]: p for p in ops["/api/queries/pairings-in-year"]["parameters"]}["year"]
    assert year["schema"] == {"type": "integer", "minimum": 1900, "maximum": 2100} and year["example"] == 1996
    programs = {p["name"]: p for p in ops["/api/queries/program-pairings"]["parameters"]}["program"]
    assert "tibet" in programs["schema"]["enum"]


def test_responses_list_the_formats_of_each_query(document):
    select = document["paths"]["/api/queries/programs"]["get"]["responses"]["200"]["content"]
    graph = document["paths"]["/api/queries/place-record"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "application/sparql-results+json", "text/csv", "text/html"} <= set(select)
    assert "text/turtle" not in select and "text/turtle" in graph
    assert "application/sparql-results+json" not in graph
    error = document["components"]["schemas"]["Error"]["properties"]["error"]
    assert error["required"] == ["status", "code", "message"]


def test_documented_examples_work_against_the_api(document, client):
    """Every operation, called with its documented examples, answers 200 with rows."""
    for path, item in document["paths"].items():
        if path == "/api/queries":
            continue
        args = {p["name"]: str(p["example"]) for p in item["get"]["parameters"] if "example" in p}
        r = client.get(path, query_string=args)
        assert r.status_code == 200, (path, r.get_json())
        assert r.get_json()["rows"], path


def test_every_api_route_is_described(client, document):
    """A route of the canned API missing from the OpenAPI document fails here (Datasette's rule)."""
    app = client.application
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("canned_api.")}
    assert routes == {"/api/queries", "/api/queries/<spec>", "/api/openapi.json"}
    described = set(document["paths"])
    assert "/api/queries" in described
    assert {p for p in described if p.startswith("/api/queries/")} == {
        f"/api/queries/{q['name']}" for q in client.get("/api/queries").get_json()["queries"]}
