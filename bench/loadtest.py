"""Load test: concurrent clients against a duikou-kg server on 127.0.0.1, bounded in time.

    .venv/bin/python bench/loadtest.py --start                # start `duikou-kg serve` on a free port
    .venv/bin/python bench/loadtest.py --base http://127.0.0.1:8000

Each client (a thread with its own keep-alive connection) loops until the deadline, picking a request kind
by weight: canned queries, SPARQL, page views, search, and now and then a pathological query (a cartesian
product). It reports requests, errors (non-2xx, connection errors), timeouts and p50/p95/p99 latency per
kind, as a Markdown table (and JSON with --json). Only loopback targets are accepted. With --start the
server gets its own data directory and ``DUIKOU_KG_RATE_LIMIT=0``: every client here has the same
address, so the per-client rate limit would otherwise answer most requests with 429.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

from duikou_kg.processes import stop_process

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "PREFIX dko: <https://w3id.org/duikou/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "


def _sparql(query: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": PREFIX + query})


#: kind -> (weight, paths). Normal kinds first; "pathological" is interleaved at a small weight.
MIX: dict[str, tuple[float, list[str]]] = {
    "canned": (30, [
        "/api/queries/programs.json",
        "/api/queries/place-pairings.json?actor=shanghai",
        "/api/queries/supporter-portfolio.json?supporter=beijing",
        "/api/queries/counts-by-decade.json",
        "/api/queries/pairing-overview.json?limit=200",
        "/api/queries/program-pairings.json?program=tibet",
    ]),
    "sparql": (30, [
        _sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
        _sparql("SELECT ?p ?s ?r WHERE { ?p a dko:Pairing ; dko:supporter ?s ; dko:recipient ?r } LIMIT 100"),
        _sparql("SELECT ?x ?l WHERE { ?x rdfs:label ?l FILTER(CONTAINS(?l, '北京')) } LIMIT 50"),
        _sparql("ASK { ?s dko:supports ?o }"),
        _sparql("CONSTRUCT { ?s dko:supports ?o } WHERE { ?s dko:supports ?o } LIMIT 200"),
    ]),
    "page": (25, [
        "/", "/id/actor/beijing", "/id/actor/shanghai", "/id/program/tibet", "/ontology", "/validate",
        "/.well-known/void",
    ]),
    "search": (15, [
        "/search?q=" + urllib.parse.quote("北京"), "/search?q=shanghai", "/search?q=xinjiang&format=html",
        "/search?q=" + urllib.parse.quote("对口"),
    ]),
    "pathological": (1, [
        # Cartesian products over every triple: seconds to hours, and nothing stops them yet.
        _sparql("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"),
        _sparql("SELECT (COUNT(*) AS ?n) WHERE { ?a rdfs:label ?l1 . ?b rdfs:label ?l2 . ?c a ?t }"),
    ]),
}


class Results:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.timeouts: dict[str, int] = defaultdict(int)
        self.statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))

    def record(self, kind: str, seconds: float, status: int | None, timed_out: bool) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if timed_out:
                self.timeouts[kind] += 1
            if status is None or not 200 <= status < 300:
                self.errors[kind] += 1
            if status is not None:
                self.statuses[kind][status] += 1


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def client(host: str, port: int, deadline: float, timeout: float, results: Results, seed: int) -> None:
    rng = random.Random(seed)
    kinds = list(MIX)
    weights = [MIX[k][0] for k in kinds]
    connection: http.client.HTTPConnection | None = None
    while time.monotonic() < deadline:
        kind = rng.choices(kinds, weights)[0]
        path = rng.choice(MIX[kind][1])
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        started = time.monotonic()
        status, timed_out = None, False
        try:
            if connection is None:
                connection = http.client.HTTPConnection(host, port, timeout=min(timeout, remaining + 1))
            connection.timeout = min(timeout, max(remaining, 0.1) + 1)
            connection.request("GET", path, headers={"Accept": "application/json, text/html;q=0.9, */*;q=0.1"})
            response = connection.getresponse()
            response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = None
        except TimeoutError:
            timed_out = True
        except (OSError, http.client.HTTPException):
            pass
        if status is None and connection is not None:
            connection.close()
            connection = None
        elapsed = time.monotonic() - started
        # A request cut by the end of the run is not a timeout of the server.
        if timed_out and time.monotonic() >= deadline:
            continue
        results.record(kind, elapsed, status, timed_out)
    if connection is not None:
        connection.close()


def run(base: str, clients: int, duration: float, timeout: float) -> tuple[Results, float]:
    parsed = urllib.parse.urlsplit(base)
    if parsed.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"refusing to load-test {parsed.hostname!r}: loopback targets only")
    results = Results()
    deadline = time.monotonic() + duration
    threads = [threading.Thread(target=client, args=(parsed.hostname, parsed.port or 80, deadline, timeout,
                                                      results, n), daemon=True) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + timeout + 5)  # bounded even if a request hangs
    return results, time.monotonic() - started


def report(results: Results, elapsed: float, clients: int) -> dict:
    rows = {}
    for kind in MIX:
        values = results.latencies.get(kind, [])
        rows[kind] = {
            "requests": len(values),
            "errors": results.errors.get(kind, 0),
            "timeouts": results.timeouts.get(kind, 0),
            "statuses": dict(results.statuses.get(kind, {})),
            "p50_ms": round(_percentile(values, 0.50) * 1000, 1) if values else None,
            "p95_ms": round(_percentile(values, 0.95) * 1000, 1) if values else None,
            "p99_ms": round(_percentile(values, 0.99) * 1000, 1) if values else None,
            "max_ms": round(max(values) * 1000, 1) if values else None,
        }
    total = sum(r["requests"] for r in rows.values())
    return {"clients": clients, "seconds": round(elapsed, 1), "requests": total,
            "requests_per_second": round(total / elapsed, 1) if elapsed else None, "kinds": rows}


def markdown(summary: dict) -> str:
    lines = [f"{summary['clients']} clients, {summary['seconds']} s, {summary['requests']} requests "
             f"({summary['requests_per_second']}/s)", "",
             "| kind | requests | errors | timeouts | p50 ms | p95 ms | p99 ms | max ms | statuses |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for kind, row in summary["kinds"].items():
        statuses = ", ".join(f"{code}×{count}" for code, count in sorted(row["statuses"].items()))
        lines.append(f"| {kind} | {row['requests']} | {row['errors']} | {row['timeouts']} | {row['p50_ms']} | "
                     f"{row['p95_ms']} | {row['p99_ms']} | {row['max_ms']} | {statuses} |")
    return "\n".join(lines)


@contextlib.contextmanager
def started_server(threads: int, data_dir: Path | None):
    """`duikou-kg serve` on a free loopback port with its own data dir; stopped (and its data removed) after."""
    own = data_dir is None
    folder = Path(tempfile.mkdtemp(prefix="duikou-load-")) if own else data_dir
    script = Path(sys.executable).with_name("duikou-kg")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "duikou_kg.cli"]
    env = {**os.environ, "DUIKOU_KG_ROOT": str(ROOT), "DUIKOU_KG_DATA_DIR": str(folder), "DUIKOU_KG_RATE_LIMIT": "0"}
    process = subprocess.Popen([*command, "serve", "--port", "0", "--threads", str(threads)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        banner = process.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+)/sparql", banner)
        if not match:
            raise SystemExit(f"the server did not start: {banner!r}")
        yield match.group(1)
    finally:
        stop_process(process)
        if own:
            shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--base", help="server to test, e.g. http://127.0.0.1:8000 (loopback only)")
    target.add_argument("--start", action="store_true", help="start `duikou-kg serve` for the run")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds a request may take")
    parser.add_argument("--threads", type=int, default=4, help="server threads with --start")
    parser.add_argument("--data-dir", type=Path, help="with --start: data dir to reuse (skips the build)")
    parser.add_argument("--no-pathological", action="store_true", help="leave the pathological queries out")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    if args.no_pathological:
        MIX.pop("pathological")
    with (started_server(args.threads, args.data_dir) if args.start else contextlib.nullcontext(args.base)) as base:
        results, elapsed = run(base, args.clients, args.duration, args.timeout)
    summary = report(results, elapsed, args.clients)
    print(markdown(summary))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
