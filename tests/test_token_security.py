"""Writes need a curator's token: tokens are compared in constant time (``hmac.compare_digest``, every
configured token each time) and no token ever reaches a log, even at DEBUG level and when a write fails
inside the server (real waitress in this process, all loggers captured)."""

from __future__ import annotations

import ast
import http.client
import inspect
import json
import logging
import threading

import pytest
import waitress

from curation_project import VALID_PAIRING, copy_project
from duikou_kg.config import Settings
from duikou_kg.curation import auth
from duikou_kg.errors import ApiError
from duikou_kg.web import create_app

ALICE = "alice-secret-token-7b1e0c55d2"
BOB = "bob-secret-token-93aa41f0c8e6"
WRONG = "mallory-guess-token-000000000"


def test_every_configured_token_is_compared_with_compare_digest(monkeypatch):
    tokens = Settings.from_env(environ={"DUIKOU_KG_CURATOR_TOKENS": f"alice:{ALICE},bob:{BOB}"}).curator_tokens
    calls = []
    real = auth.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    assert auth.authenticate(f"Bearer {ALICE}", tokens) == "alice"
    assert len(calls) == 2  # no early exit after the first match: timing does not tell which token matched
    calls.clear()
    with pytest.raises(ApiError) as refused:
        auth.authenticate(f"Bearer {WRONG}", tokens)
    assert refused.value.status == 403 and len(calls) == 2
    assert all(isinstance(a, bytes) and isinstance(b, bytes) for a, b in calls)


def test_authenticate_has_no_plain_comparison_of_tokens():
    tree = ast.parse(inspect.getsource(auth.authenticate))
    comparisons = [node for node in ast.walk(tree) if isinstance(node, ast.Compare)]
    for node in comparisons:
        names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        assert not names & {"token", "given", "expected"}, ast.unparse(node)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tokens")
    root = copy_project(folder / "project")
    settings = Settings.from_env(environ={"DUIKOU_KG_CURATOR_TOKENS": f"alice:{ALICE},bob:{BOB}"},
                                 project_root=root, data_dir=folder / "var", rate_limit=0)
    app = create_app(settings)
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=2)
    stopping = threading.Event()

    def run() -> None:
        try:
            server.run()
        except OSError:
            # Closing the server under a running select() loop can leave it polling a closed descriptor.
            if not stopping.is_set():
                raise

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield app, server.effective_port, settings
    finally:
        stopping.set()
        for channel in list(server._map.values()):  # open keep-alive connections first, then the listener
            if channel is not server:
                channel.close()
        server.close()
        server.task_dispatcher.shutdown()
        thread.join(timeout=5)


def _request(port, method, path, body=b"", headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_no_token_appears_in_any_log(live, caplog, monkeypatch):
    app, port, settings = live
    caplog.set_level(logging.DEBUG)  # every logger: waitress, werkzeug, flask, the app's own
    turtle = {"Content-Type": "text/turtle"}
    statuses = [
        _request(port, "POST", "/curation/submissions?source=test", VALID_PAIRING.encode(),
                 {**turtle, "Authorization": f"Bearer {ALICE}"})[0],
        _request(port, "POST", "/curation/submissions?source=test", VALID_PAIRING.encode(),
                 {**turtle, "Authorization": f"Bearer {WRONG}"})[0],
        _request(port, "GET", "/curation/submissions/no-such-id", headers={"Authorization": f"Bearer {BOB}"})[0],
        _request(port, "POST", "/curation/submissions?source=test", b"<broken",
                 {**turtle, "Authorization": f"Bearer {BOB}"})[0],
        _request(port, "POST", "/curation/submissions", b"x" * (settings.max_request_bytes + 1),
                 {**turtle, "Authorization": f"Bearer {ALICE}"})[0],
    ]
    assert statuses[:2] == [201, 403] and statuses[2] == 404 and statuses[3] == 400 and statuses[4] == 413

    # A failure inside a write is logged with its traceback; the token must not be in it either.
    from duikou_kg.curation import Curation

    def explode(self, *args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Curation, "submit", explode)
    status, body = _request(port, "POST", "/curation/submissions?source=test", VALID_PAIRING.encode(),
                            {**turtle, "Authorization": f"Bearer {ALICE}"})
    assert status == 500 and json.loads(body)["error"]["code"] == "internal_error"

    logged = "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)
    logged += caplog.text
    assert "disk on fire" in logged  # the capture works: the failure was logged
    for token in (ALICE, BOB, WRONG):
        assert token not in logged
    assert ALICE not in repr(settings) and ALICE not in str(settings.curator_tokens)
