"""Limits every route honours: the per-client rate limit (429 + Retry-After), the body size (413), the
nesting depth of a SPARQL query (400), and the security headers on every response."""

from __future__ import annotations

import threading

import pytest

from duikou_kg.config import Settings, settings_table
from duikou_kg.sparql_guard import nesting_depth
from duikou_kg.web import create_app
from duikou_kg.web.limits import RateLimiter, rate_limiter
from duikou_kg.web.security_headers import CSP

ASK = "ASK { ?s ?p ?o }"


def make_client(tiny_settings, tiny_store, **overrides):
    settings = Settings.from_env(environ={}, project_root=tiny_settings.project_root,
                                 data_dir=tiny_settings.data_dir, **overrides)
    app = create_app(settings, store=tiny_store)
    return app, app.test_client()


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- the token bucket -----------------------------------------------------------------------------

def test_bucket_allows_a_burst_then_the_rate():
    clock = FakeClock()
    limiter = RateLimiter(2.0, 3, clock=clock)
    assert [limiter.acquire("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire("a") == pytest.approx(0.5)  # one token takes 1/rate seconds
    assert limiter.acquire("b") == 0.0  # another address has its own bucket
    clock.now += 0.5
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("a") > 0
    clock.now += 100  # refills to the burst, never beyond
    assert [limiter.acquire("a") for _ in range(4)][-1] > 0


def test_rate_zero_turns_the_limit_off():
    limiter = RateLimiter(0.0, 1)
    assert all(limiter.acquire("a") == 0.0 for _ in range(1000))


def test_idle_buckets_are_forgotten():
    clock = FakeClock()
    limiter = RateLimiter(10.0, 5, clock=clock)
    limiter.SWEEP_AT = 100
    for n in range(100):
        limiter.acquire(f"10.0.0.{n}")
    clock.now += 1.0  # every bucket has refilled
    limiter.acquire("fresh")
    assert len(limiter) <= 1


def test_the_bucket_is_thread_safe():
    limiter = RateLimiter(0.001, 200)  # practically no refill during the test
    granted = []

    def hammer() -> None:
        granted.extend(1 for _ in range(100) if limiter.acquire("a") == 0.0)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(granted) == 200  # exactly the burst, whatever the interleaving


# --- the rate limit on the app --------------------------------------------------------------------

def test_429_with_retry_after_and_the_envelope_naming_the_limit(tiny_settings, tiny_store):
    app, client = make_client(tiny_settings, tiny_store, rate_limit=0.5, rate_limit_burst=3)
    assert rate_limiter(app).burst == 3  # one limiter per app, in app.extensions
    statuses = [client.get("/sparql", query_string={"query": ASK}).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    response = client.get("/api/queries")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2"  # 1 token at 0.5/s
    error = response.get_json()["error"]
    assert error["code"] == "rate_limited" and error["status"] == 429
    assert error["details"]["limit"] == "rate_limit"
    assert error["details"] == {"limit": "rate_limit", "rate_limit": 0.5, "rate_limit_burst": 3, "retry_after": 2}
    # Another client address is unaffected; writes share the same bucket as reads.
    other = client.get("/sparql", query_string={"query": ASK}, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200
    write = client.post("/curation/submissions", data="", content_type="text/turtle")
    assert write.status_code == 429


def test_each_app_has_its_own_buckets(tiny_settings, tiny_store):
    _, first = make_client(tiny_settings, tiny_store, rate_limit=0.01, rate_limit_burst=1)
    _, second = make_client(tiny_settings, tiny_store, rate_limit=0.01, rate_limit_burst=1)
    assert first.get("/api/queries").status_code == 200
    assert first.get("/api/queries").status_code == 429
    assert second.get("/api/queries").status_code == 200


# --- request size ---------------------------------------------------------------------------------

ROUTES = [
    ("POST", "/sparql", "application/sparql-query"),
    ("POST", "/sparql", "application/x-www-form-urlencoded"),
    ("POST", "/validate", "text/turtle"),
    ("POST", "/validate", "multipart/form-data; boundary=x"),
    ("POST", "/curation/submissions", "text/turtle"),
    ("POST", "/curation/submissions", "application/json"),
    ("POST", "/curation/submissions/x/accept", "application/json"),
    ("POST", "/curation/submissions/x/revert", "application/json"),
    ("GET", "/api/queries", "text/plain"),
    ("GET", "/search", "text/plain"),
    ("GET", "/", "text/plain"),
]


@pytest.mark.parametrize("method, path, content_type", ROUTES)
def test_every_route_refuses_a_body_over_the_limit(tiny_settings, tiny_store, method, path, content_type):
    _, client = make_client(tiny_settings, tiny_store, max_request_bytes=1000)
    response = client.open(path, method=method, data=b"x" * 1001, content_type=content_type,
                           headers={"Authorization": "Bearer " + "t" * 20})
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "request_too_large" and error["details"]["limit"] == "max_request_bytes"


def test_a_body_at_the_limit_is_read(tiny_settings, tiny_store):
    _, client = make_client(tiny_settings, tiny_store, max_request_bytes=1000)
    query = ASK.ljust(1000).encode()
    response = client.post("/sparql", data=query, content_type="application/sparql-query")
    assert response.status_code == 200


def test_the_limits_are_in_the_settings_table():
    names = {row.name for row in settings_table()}
    assert {"max_request_bytes", "max_query_length", "max_query_nesting", "rate_limit", "rate_limit_burst",
            "thread_stack_mib"} <= names


# --- nesting depth --------------------------------------------------------------------------------

@pytest.mark.parametrize("query, depth", [
    ("ASK {}", 1),
    ("SELECT * WHERE { { ?s ?p ?o } FILTER((1)) }", 3),
    ("SELECT * WHERE { ?s ?p \"((((((\" } # {{{{{{{", 1),
    ("SELECT * WHERE { ?s <urn:a(b)> [ ?p ( 1 2 ) ] }", 3),
    ("SELECT * WHERE \\u007B \\u007B }}", 2),
])
def test_nesting_depth_counts_brackets_outside_strings_iris_and_comments(query, depth):
    assert nesting_depth(query) == depth


@pytest.mark.parametrize("opener, closer", [("{", "}"), ("(", ")"), ("[ ?p ", "]")])
def test_a_query_nested_deeper_than_the_limit_is_400(tiny_settings, tiny_store, opener, closer):
    _, client = make_client(tiny_settings, tiny_store, max_query_nesting=10)
    if opener == "{":
        query = "SELECT * WHERE " + "{" * 11 + "}" * 11
    elif opener == "(":
        query = "SELECT * WHERE { FILTER" + "(" * 10 + "true" + ")" * 10 + " }"
    else:
        query = "SELECT * WHERE { ?s ?p " + opener * 10 + "1" + closer * 10 + " }"
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "query_too_deep" and error["details"]["limit"] == "max_query_nesting"
    assert client.get("/sparql", query_string={"query": "SELECT * WHERE " + "{" * 10 + "}" * 10}).status_code == 200


def test_the_default_nesting_limit_stops_what_would_crash_the_parser(client):
    # 5000 levels of { overflow the parser's stack (the process dies with SIGSEGV); refused before parsing.
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE " + "{" * 5000 + "}" * 5000})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "query_too_deep"


# --- security headers -----------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/sparql", "/api/queries", "/search?q=x&format=html", "/validate",
                                  "/id/actor/beijing", "/no-such-page"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors" in csp
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]


def test_the_default_policy_allows_no_inline_script_or_style():
    directives = dict(part.strip().split(" ", 1) for part in CSP.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"


def test_no_template_has_inline_script_or_style():
    from pathlib import Path
    import re

    import duikou_kg.web as web

    for template in Path(web.__file__).parent.joinpath("templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", text, flags=re.S)
        for attributes, body in scripts:
            assert "src=" in attributes or 'type="application/json"' in attributes, (template, attributes)
        assert "<style" not in text, template
        assert not re.search(r"\son[a-z]+\s*=", text), template  # no onclick= etc.
        assert " style=" not in text, template
