"""The query time limit (killable worker processes) and the row cap (duikou_kg.query_workers)."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path


from duikou_kg.config import Settings
from duikou_kg.store import open_store
from duikou_kg.web import create_app

from conftest import write_tiny_project
from real_server import serve

# Six-way cartesian product: never finishes on the tiny data within the limit.
RUNAWAY = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?x ?o . ?p ?q ?r }")


def _client(tmp_path: Path, **overrides):
    settings = Settings.from_env(environ={}, project_root=write_tiny_project(tmp_path / "project"),
                                 data_dir=tmp_path / "var", rate_limit=0, **overrides)
    app = create_app(settings, store=open_store(settings))
    app.config["TESTING"] = True
    return app.test_client()


def test_rows_beyond_the_cap_are_cut_and_the_answer_says_so(tmp_path):
    client = _client(tmp_path, max_result_rows=3)
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.status_code == 200
    assert response.headers["X-Duikou-Result-Truncated"] == "true"
    assert response.headers["X-Duikou-Row-Cap"] == "3"
    body = response.get_json()
    assert body["truncated"] is True and sorted(body["head"]["vars"]) == ["o", "p", "s"]
    assert len(body["results"]["bindings"]) == 3
    csv = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }", "format": "csv"})
    assert csv.headers["X-Duikou-Result-Truncated"] == "true"
    assert len(csv.get_data(as_text=True).strip().splitlines()) == 1 + 3
    graph = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "nt"})
    assert graph.headers["X-Duikou-Result-Truncated"] == "true"
    assert len(graph.get_data(as_text=True).strip().splitlines()) == 3
    small = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 2"})
    assert "X-Duikou-Result-Truncated" not in small.headers and "truncated" not in small.get_json()
    ask = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert ask.get_json()["boolean"] is True


def test_a_runaway_query_is_stopped_with_the_envelope(tmp_path):
    client = _client(tmp_path, query_timeout=1.0, query_slow_after=0.3)
    started = time.monotonic()
    response = client.get("/sparql", query_string={"query": RUNAWAY})
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "query_timeout" and error["details"]["limit_seconds"] == 1.0


def _descendants(pid: int) -> set[int]:
    children: dict[int, set[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, set()).add(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), ()):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_ten_runaway_queries_do_not_starve_an_ask_on_the_real_server(tmp_path):
    root = write_tiny_project(tmp_path / "project")
    env = {"DUIKOU_KG_RATE_LIMIT": "0", "DUIKOU_KG_QUERY_TIMEOUT": "2", "DUIKOU_KG_QUERY_SLOW_AFTER": "0.5",
           "DUIKOU_KG_QUERY_WORKERS": "4", "DUIKOU_KG_QUERY_SLOW_WORKERS": "2"}
    with serve(root, tmp_path / "var", env=env, threads=16) as server:
        from urllib.parse import quote

        status, _, _ = server.request("GET", "/sparql?query=" + quote("ASK { ?s ?p ?o }"))
        assert status == 200  # warm: a worker exists
        answers: list[tuple[int, dict]] = []
        seen_workers: set[int] = set()

        def runaway() -> None:
            status, _, body = server.request("GET", "/sparql?query=" + quote(RUNAWAY), timeout=30)
            answers.append((status, json.loads(body)))

        threads = [threading.Thread(target=runaway) for _ in range(10)]
        for thread in threads:
            thread.start()
        time.sleep(0.7)
        seen_workers |= _descendants(server.process.pid)
        started = time.monotonic()
        status, _, body = server.request("GET", "/sparql?query=" + quote("ASK { ?s ?p ?o }"))
        ask_seconds = time.monotonic() - started
        for thread in threads:
            thread.join(30)
        assert status == 200 and json.loads(body)["boolean"] is True, body
        assert ask_seconds < 1.9, ask_seconds  # below the 2 s limit: never waited for a runaway query to end
        assert len(answers) == 10
        for status, envelope in answers:
            assert status == 503 and envelope["error"]["code"] == "query_timeout"
            assert envelope["error"]["details"]["limit_seconds"] == 2.0
        time.sleep(1.0)
        now = _descendants(server.process.pid)
        killed = {pid for pid in seen_workers - now if not _alive(pid)}
        assert killed, "the runaway queries' workers were killed"
        assert len([pid for pid in now if _alive(pid)]) <= 2 + 4 + 2  # forkserver, idle workers; no pile-up
        everything = _descendants(server.process.pid)
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in everything) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in everything if _alive(pid)], "orphan processes after the server stopped"


def test_a_page_reads_only_its_rows_from_the_worker(tmp_path):
    settings = Settings.from_env(environ={}, project_root=write_tiny_project(tmp_path / "project"),
                                 data_dir=tmp_path / "var", rate_limit=0, max_result_rows=1000)
    store = open_store(settings)
    from duikou_kg.query_workers import LimitedStore, run_query

    every = run_query(settings, store, "SELECT * WHERE { ?s ?p ?o }", {}, internal=True)
    total = len(json.loads(every.body)["results"]["bindings"])
    assert total > 4 and not every.truncated
    window = run_query(settings, store, "SELECT * WHERE { ?s ?p ?o }", {}, internal=True, rows=3)
    assert len(json.loads(window.body)["results"]["bindings"]) == 3 and not window.truncated
    limited = LimitedStore(settings, store, rows=2)
    assert len(list(limited.query("SELECT * WHERE { ?s ?p ?o }"))) == 2 and not limited.truncated
    # A window beyond the row cap does not lift the cap.
    capped = Settings.from_env(environ={}, project_root=settings.project_root, data_dir=settings.data_dir,
                               rate_limit=0, max_result_rows=2)
    answer = run_query(capped, store, "SELECT * WHERE { ?s ?p ?o }", {}, internal=True, rows=50)
    assert len(json.loads(answer.body)["results"]["bindings"]) == 2 and answer.truncated


def test_warm_up_leaves_a_worker_with_the_build_open(tmp_path):
    settings = Settings.from_env(environ={}, project_root=write_tiny_project(tmp_path / "project"),
                                 data_dir=tmp_path / "var", rate_limit=0)
    store = open_store(settings)
    from duikou_kg.query_workers import shared_pool, warm_up

    pool = shared_pool(settings)
    pool.close()
    assert pool.pids() == []
    warm_up(settings, store)
    assert len(pool.pids()) == 1
    assert pool._idle[0].store_path == str(store.manifest.path / "store")
