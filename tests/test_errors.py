"""One error envelope for every error the web app can return."""

from __future__ import annotations

import pytest

from duikou_kg.errors import ApiError, MalformedQuery, error_envelope

ENVELOPE_KEYS = {"status", "code", "message"}


def assert_envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    assert ENVELOPE_KEYS <= set(error) <= ENVELOPE_KEYS | {"details"}
    assert (error["status"], error["code"]) == (status, code)
    assert isinstance(error["message"], str) and error["message"]
    return error


@pytest.mark.parametrize("send, status, code", [
    (lambda c: c.get("/sparql?query=SELECT"), 400, "malformed_query"),
    (lambda c: c.get("/sparql?query=SELECT+*+WHERE+%7B+SERVICE+%3Curn:x%3E+%7B%7D+%7D"), 400, "service_not_allowed"),
    (lambda c: c.get("/sparql?update=CLEAR+ALL"), 403, "read_only"),
    (lambda c: c.get("/no/such/page"), 404, "not_found"),
    (lambda c: c.get("/id/actor/no-such-actor", headers={"Accept": "text/turtle"}), 404, "not_found"),
    (lambda c: c.get("/dumps/no-such-dump.nt.gz"), 404, "not_found"),
    (lambda c: c.get("/.well-known/void", headers={"Accept": "image/png"}), 406, "not_acceptable"),
    (lambda c: c.delete("/sparql"), 405, "method_not_allowed"),
    (lambda c: c.get("/sparql?query=ASK%7B%7D", headers={"Accept": "image/png"}), 406, "not_acceptable"),
    (lambda c: c.post("/sparql", data="ASK {}", content_type="text/plain"), 415, "unsupported_media_type"),
    (lambda c: c.post("/sparql", data=b"x" * 2_000_000, content_type="application/sparql-query"), 413, "request_too_large"),
])
def test_every_error_kind_shares_the_envelope(client, send, status, code):
    assert_envelope(send(client), status, code)


def test_method_not_allowed_keeps_the_allow_header(client):
    response = client.delete("/sparql")
    assert "GET" in response.headers["Allow"] and "POST" in response.headers["Allow"]


def test_an_unexpected_exception_is_500_without_a_trace(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    app.config["TESTING"] = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    error = assert_envelope(response, 500, "internal_error")
    assert "secret" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    assert error["message"] == "An unexpected error occurred."


def test_api_errors_carry_status_code_message_and_details():
    error = ApiError(418, "teapot", "short and stout", spout=1)
    assert error.envelope() == {"error": {"status": 418, "code": "teapot", "message": "short and stout",
                                          "details": {"spout": 1}}}
    assert error_envelope(400, "x", "y") == {"error": {"status": 400, "code": "x", "message": "y"}}


def test_malformed_query_lifts_line_and_column_from_the_engine():
    error = MalformedQuery.from_syntax_error(SyntaxError("error at 3:14: expected OPTIONAL"))
    assert (error.status, error.code, error.details) == (400, "malformed_query", {"line": 3, "column": 14})
    assert MalformedQuery.from_syntax_error(SyntaxError("no position")).details == {}
