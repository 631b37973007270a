"""The benchmark: ``.venv/bin/python -m bench.run [--sizes 100k,1m] [--quick]`` (not part of the tests).

For each data size it generates a synthetic project (bench/generate.py), builds it, and measures side by side
on the same data, all on 127.0.0.1:

- ``floor``: in-process pyoxigraph on the built store (query + SPARQL JSON serialisation, no HTTP);
- ``duikou``: ``duikou-kg serve`` on the embedded store over HTTP (canned API, /search, pages), cache off;
- ``duikou-virtuoso``: ``duikou-kg serve`` with ``DUIKOU_KG_SPARQL_URL`` on Virtuoso (after ``push``);
- ``virtuoso``: Virtuoso's own /sparql endpoint with the same bound queries;
- ``rdflib-endpoint``: the pure-Python peer, at the smallest size only (it needs seconds per query beyond).

Writes bench/RESULTS.md (the section between the BENCH markers; other sections are kept) and
bench/latency.png. Every run is bounded: per-query repetitions shrink with size, each request has a timeout,
and a target that exceeds the time budget is cut short and reported as such.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import urllib3
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
WORK = BENCH / ".work"
sys.path.insert(0, str(ROOT / "src"))

from bench.generate import generate  # noqa: E402
from duikou_kg.processes import stop_process  # noqa: E402
from duikou_kg.backends.virtuoso_server import VirtuosoServer, free_port, proc_status_bytes  # noqa: E402
from duikou_kg.canned import load_catalog  # noqa: E402
from duikou_kg.canned.runner import bind_arguments, bound_text  # noqa: E402
from duikou_kg.config import Settings  # noqa: E402
from duikou_kg.namespaces import all_prefixes  # noqa: E402
from duikou_kg.store import build_store  # noqa: E402

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000, "5m": 5_000_000}
ACTOR = "https://w3id.org/duikou/id/actor/"
JSON_RESULTS = "application/sparql-results+json"
SAMPLE_SECONDS = 1.0  # a fast query is repeated until its samples add up to this
MAX_REPS = 200
ROW_CAP = 101  # the canned API reads one page (100 rows) plus one; raw queries get the same LIMIT


@dataclass
class Query:
    name: str
    canned: str | None  # canned query name (None: search / page)
    args: dict[str, str]
    api_path: str  # duikou path
    sparql: str = ""  # bound text for raw endpoints
    graph: bool = False  # CONSTRUCT / DESCRIBE: an RDF answer


def query_mix(county: str) -> list[Query]:
    catalog = load_catalog(ROOT / "queries")
    picks = [
        ("recipient lookup", "place-pairings", {"actor": county}),
        ("group-by", "counts-by-decade", {}),
        ("year filter", "pairings-in-year", {"year": "2010"}),
        ("part-of roll-up", "supporter-portfolio", {"supporter": "shanghai"}),
        ("sector path", "sector-pairings", {"sector": "machinery"}),
        ("CONTAINS scan", "actor-search", {"text": "County 7"}),
        ("CONSTRUCT", "place-record", {"actor": county}),
    ]
    mix = []
    for label, name, args in picks:
        query = catalog.get(name)
        _, terms = bind_arguments(query, args, None)
        text = bound_text(query, terms, ROW_CAP)  # as the service binds it (a page computed inside: there)
        if query.form == "SELECT" and "LIMIT" not in text.upper().rsplit("}", 1)[-1]:
            text += f"\nLIMIT {ROW_CAP}"
        prefixes = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in all_prefixes().items())
        ext = "ttl" if query.is_graph else "json"
        mix.append(Query(label, name, args, f"/api/queries/{name}.{ext}?" + urllib.parse.urlencode(args),
                         prefixes + text, query.is_graph))
    prefixes = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    mix.append(Query("label search", None, {}, "/search?" + urllib.parse.urlencode({"q": "合成县七"}),
                     prefixes + 'SELECT ?r ?l WHERE { ?r rdfs:label ?l FILTER(CONTAINS(STR(?l), "合成县七")) } LIMIT 20'))
    mix.append(Query("page render", None, {}, f"/id/actor/{county}.html", f"DESCRIBE <{ACTOR}{county}>", True))
    return mix


# ---------------------------------------------------------------------------------------------- targets

class Target:
    name = ""
    memory = 0
    startup = None
    load = None

    def run(self, q: Query, http: urllib3.PoolManager) -> int:
        raise NotImplementedError

    def close(self) -> None:
        pass


class Floor(Target):
    """In-process pyoxigraph on the build: the query and its JSON/Turtle serialisation, nothing else."""
    name = "floor"

    def __init__(self, build_path: Path) -> None:
        self.store = ox.Store.read_only(str(build_path / "store"))
        self.prefixes = all_prefixes()

    def run(self, q: Query, http) -> int:
        # The text every target gets: canned parameters in a VALUES row, as the service binds them.
        result = self.store.query(q.sparql, use_default_graph_as_union=True, prefixes=self.prefixes)
        fmt = ox.RdfFormat.TURTLE if isinstance(result, ox.QueryTriples) else ox.QueryResultsFormat.JSON
        return len(result.serialize(format=fmt))


class HttpEndpoint(Target):
    """A SPARQL endpoint (Virtuoso's own, rdflib-endpoint) given the same bound query text."""

    def __init__(self, name: str, url: str, timeout: float = 120) -> None:
        self.name, self.url, self.timeout = name, url, timeout

    def run(self, q: Query, http) -> int:
        accept = "text/turtle" if q.graph else JSON_RESULTS
        response = http.request("POST", self.url, fields={"query": q.sparql}, encode_multipart=False,
                                headers={"Accept": accept}, timeout=self.timeout, retries=False)
        if response.status != 200:
            raise RuntimeError(f"{self.name} {q.name}: HTTP {response.status} {response.data[:200]!r}")
        return len(response.data)


class Duikou(Target):
    """``duikou-kg serve`` in its own process."""

    def __init__(self, name: str, env: dict[str, str]) -> None:
        self.name = name
        self.port = free_port()
        environ = {**os.environ, **env, "DUIKOU_KG_PORT": str(self.port), "DUIKOU_KG_RATE_LIMIT": "0",
                   "DUIKOU_KG_THREADS": "8"}
        started = time.perf_counter()
        self.process = subprocess.Popen([str(ROOT / ".venv/bin/duikou-kg"), "serve"], env=environ,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.base = f"http://127.0.0.1:{self.port}"
        http = urllib3.PoolManager()
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"{name}: serve exited: {self.process.stderr.read()[-2000:]!r}")
            try:
                if http.request("GET", self.base + "/sparql?query=ASK%7B%7D", timeout=2, retries=False).status == 200:
                    break
            except urllib3.exceptions.HTTPError:
                pass
            if time.perf_counter() - started > 600:
                raise RuntimeError(f"{name}: no answer after 600 s")
            time.sleep(0.02)
        self.startup = time.perf_counter() - started
        # Settled: /search answers once the label index exists (it is built beside the first answers), and the
        # rest of start-up in the background (validation services, HermiT) has finished: at 5 M it held the
        # interpreter for another 15 s, and the first queries measured then took 100x longer.
        http.request("GET", self.base + "/search?q=settle", timeout=600)
        wait_until_idle(self.process.pid)

    def run(self, q: Query, http) -> int:
        response = http.request("GET", self.base + q.api_path, timeout=120)
        if response.status != 200:
            raise RuntimeError(f"{self.name} {q.name}: HTTP {response.status} {response.data[:300]!r}")
        return len(response.data)

    def peak(self) -> int:
        return proc_status_bytes(self.process.pid, "VmHWM")

    def close(self) -> None:
        self.memory = self.peak()
        stop_process(self.process, grace=30)


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (the server's fork server and query workers)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                pending += [int(child) for child in (task / "children").read_text().split()]
            except OSError:  # the task ended meanwhile
                pass
    return found


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of ``pid`` and its descendants alive now."""
    total = 0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def wait_until_idle(pid: int, *, window: float = 1.0, busy: float = 0.05, limit: float = 600) -> None:
    """Return once the process and its children (a query still running in a worker) used less than ``busy``
    of a core in two windows in a row (or after ``limit`` s). A worker that exits in the window lowers the
    sum, which counts as idle: it is no longer running."""
    started, quiet = time.monotonic(), 0
    before = cpu_seconds(pid)
    while quiet < 2 and time.monotonic() - started < limit:
        time.sleep(window)
        now = cpu_seconds(pid)
        quiet = quiet + 1 if now - before < busy * window else 0
        before = now


class RdflibEndpoint(HttpEndpoint):
    def __init__(self, nt_file: Path) -> None:
        port = free_port()
        super().__init__("rdflib-endpoint", f"http://127.0.0.1:{port}/", timeout=60)
        started = time.perf_counter()
        self.process = subprocess.Popen([str(ROOT / ".venv/bin/rdflib-endpoint"), "serve", "--host", "127.0.0.1",
                                         "--port", str(port), str(nt_file)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        http = urllib3.PoolManager()
        while True:
            try:
                r = http.request("GET", self.url + "?query=ASK%7B%7D", timeout=2, retries=False,
                                 headers={"Accept": JSON_RESULTS})
                if r.status == 200:
                    break
            except urllib3.exceptions.HTTPError:
                pass
            if self.process.poll() is not None or time.perf_counter() - started > 600:
                raise RuntimeError("rdflib-endpoint did not start")
            time.sleep(0.1)
        self.startup = self.load = time.perf_counter() - started

    def close(self) -> None:
        self.memory = proc_status_bytes(self.process.pid, "VmHWM") or self.memory
        stop_process(self.process, grace=30)


# ---------------------------------------------------------------------------------------------- measuring

@dataclass
class Measured:
    latency: dict[str, list[float]] = field(default_factory=dict)  # query -> seconds
    errors: dict[str, str] = field(default_factory=dict)
    throughput: dict[int, float] = field(default_factory=dict)


def measure(target: Target, mix: list[Query], reps: int, seconds: float, budget_end: float,
            warm_up: bool = True) -> Measured:
    out = Measured()
    http = urllib3.PoolManager(maxsize=16)  # keep-alive
    for q in tqdm(mix, desc=f"  {target.name} latency", leave=False):
        times = []
        try:
            if warm_up:
                target.run(q, http)
            # At least ``reps`` runs; a fast query runs on until it has filled SAMPLE_SECONDS (at most
            # MAX_REPS runs): the p50 of 8 samples of a 3 ms query moved by 2x between runs.
            while len(times) < reps or (sum(times) < SAMPLE_SECONDS and len(times) < MAX_REPS):
                t = time.perf_counter()
                target.run(q, http)
                times.append(time.perf_counter() - t)
                if sum(times) > 20 or time.monotonic() > budget_end:  # a slow query: fewer repetitions
                    break
        except Exception as exc:  # noqa: BLE001 - recorded in the report, the run goes on
            out.errors[q.name] = " ".join(str(exc).split())[:160]
        if times:
            out.latency[q.name] = times
    usable = [q for q in mix if q.name in out.latency and statistics.median(out.latency[q.name]) < 2]
    for clients in (1, 8):
        if not usable or time.monotonic() > budget_end:
            break
        count = [0] * clients
        stop = time.perf_counter() + seconds

        def worker(index: int) -> None:
            pool = urllib3.PoolManager(maxsize=2)
            i = index
            while time.perf_counter() < stop:
                try:
                    target.run(usable[i % len(usable)], pool)
                    count[index] += 1  # answers per second: a refused request (503, slow lane full) does not count
                except RuntimeError:
                    pass
                i += 1

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in tqdm(threads, desc=f"  {target.name} {clients} client(s)", leave=False):
            t.join()
        out.throughput[clients] = sum(count) / (time.perf_counter() - started)
    return out


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(math.ceil(q * len(ordered))) - 1)]


def run_size(label: str, triples: int, args, budget_end: float) -> dict:
    folder = WORK / label
    info = generate(triples, folder / "project", project_root=ROOT)
    settings = Settings.from_env(environ={}, project_root=folder / "project", data_dir=folder / "var")
    started = time.perf_counter()
    build = build_store(settings)
    result = {"size": label, "triples": build.triple_count, "asserted": build.asserted_count,
              "build_seconds": time.perf_counter() - started, "targets": {}, "notes": []}
    mix = query_mix(info["sample_county"])
    reps = 15 if triples <= 100_000 else 8 if triples <= 1_000_000 else 4
    env = {"DUIKOU_KG_ROOT": str(folder / "project"), "DUIKOU_KG_DATA_DIR": str(folder / "var")}

    def record(target: Target, measured: Measured, **extra) -> None:
        result["targets"][target.name] = {
            "p50": {k: statistics.median(v) for k, v in measured.latency.items()},
            "p95": {k: p(v, 0.95) for k, v in measured.latency.items()},
            "errors": measured.errors, "throughput": measured.throughput,
            "startup": target.startup, "load": target.load, "memory": target.memory, **extra}

    floor = Floor(build.path)
    record(floor, measure(floor, mix, reps, args.seconds, budget_end), load=result["build_seconds"])
    del floor

    # duikou on the embedded store: the dumps are written first (a start without them writes them beside
    # the server, which would be measured too); the start is timed to the first answer, the latency once
    # the label index (built beside the server) is ready.
    subprocess.run([str(ROOT / ".venv/bin/duikou-kg"), "dump"], env={**os.environ, **env}, check=True,
                   stdout=subprocess.DEVNULL)
    duikou = Duikou("duikou", {**env, "DUIKOU_KG_CACHE_ENTRIES": "0"})
    measured, overhead = measure(duikou, mix, reps, args.seconds, budget_end), small_overhead(duikou, build.path)
    duikou.close()
    record(duikou, measured, load=result["build_seconds"], overhead=overhead)
    cached = Duikou("duikou-cache", env)
    result["cache"] = cache_figures(cached, mix)
    cached.close()

    result["peer_input"] = {"build": str(build.path), "folder": str(folder), "mix_county": info["sample_county"]}
    if label in args.without_virtuoso:
        result["notes"].append("Virtuoso (its endpoint, and duikou on it) left out at this size (--without-virtuoso)")
        return result
    server = VirtuosoServer(folder / "virtuoso", buffers=args.virtuoso_buffers, max_rows=2_000_000).start()
    try:
        remote_env = {**env, "DUIKOU_KG_SPARQL_URL": server.sparql_url, "DUIKOU_KG_SPARQL_UPDATE_URL": server.update_url,
                      "DUIKOU_KG_GRAPH_STORE_URL": server.graph_store_url, "DUIKOU_KG_SPARQL_USER": "dba",
                      "DUIKOU_KG_SPARQL_PASSWORD": "dba", "DUIKOU_KG_SPARQL_AUTH": "digest",
                      "DUIKOU_KG_SPARQL_TIMEOUT": "900",  # a push sends large chunks (60 s was too short at 5 M)
                      "DUIKOU_KG_CACHE_ENTRIES": "0",
                      # Virtuoso's default graph is the union of its graphs: no FROM list of ≈40 graphs,
                      # whose plans were up to 700x slower (CONSTRUCT 2.6 s vs 3.7 ms at 1 M).
                      "DUIKOU_KG_SPARQL_UNION_DEFAULT": "true",
                      # Virtuoso 7.2 cuts answers at 1,048,576 rows; the 5 M inferred graph has 1.9 M triples.
                      "DUIKOU_KG_SPARQL_PAGE_ROWS": "1000000"}
        started = time.perf_counter()
        subprocess.run([str(ROOT / ".venv/bin/duikou-kg"), "push"], env={**os.environ, **remote_env}, check=True,
                       stdout=subprocess.DEVNULL)
        pushed = time.perf_counter() - started
        virtuoso = HttpEndpoint("virtuoso", server.sparql_url)
        virtuoso.startup, virtuoso.load = server.started_seconds, pushed
        record(virtuoso, measure(virtuoso, mix, reps, args.seconds, budget_end))
        result["targets"]["virtuoso"]["memory"] = server.peak_memory_bytes()
        try:  # a target that cannot start is reported; the figures of the others are kept
            on_virtuoso = Duikou("duikou-virtuoso", remote_env)
        except RuntimeError as exc:
            result["notes"].append(f"duikou-virtuoso did not start: {str(exc)[:300]}")
        else:
            on_virtuoso.load = pushed
            measured = measure(on_virtuoso, mix, reps, args.seconds, budget_end)
            on_virtuoso.close()
            record(on_virtuoso, measured)
            result["targets"]["virtuoso"]["memory"] = server.peak_memory_bytes()
    finally:
        server.stop()

    if triples > 100_000:
        result["notes"].append("rdflib-endpoint left out: at 100 k it already needs seconds to minutes per query")
    return result


def run_peer(result: dict, args, budget_end: float) -> None:
    """rdflib-endpoint on the N-Triples of the same build: no warm-up, one timed run per query (more for a fast
    one, as for every target), 60 s cap."""
    folder, build = Path(result["peer_input"]["folder"]), Path(result["peer_input"]["build"])
    nt = folder / "all.nt"
    store = ox.Store.read_only(str(build / "store"))
    nt.write_bytes(ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in store),
                                format=ox.RdfFormat.N_TRIPLES))
    del store
    peer = RdflibEndpoint(nt)
    try:
        measured = measure(peer, query_mix(result["peer_input"]["mix_county"]), 1, args.seconds, budget_end,
                           warm_up=False)
    finally:
        peer.close()
    result["targets"][peer.name] = {
        "p50": {k: statistics.median(v) for k, v in measured.latency.items()},
        "p95": {k: p(v, 0.95) for k, v in measured.latency.items()},
        "errors": measured.errors, "throughput": measured.throughput,
        "startup": peer.startup, "load": peer.load, "memory": peer.memory}
    result["notes"].append("rdflib-endpoint: no warm-up; one run per query, repeated while the runs add up to less than "
                           f"{SAMPLE_SECONDS:g} s (a query over 60 s counts as an error)")


def small_overhead(duikou: Duikou, build_path: Path) -> dict:
    """HTTP + serialisation cost of a tiny answer: /sparql over keep-alive against the in-process floor."""
    text = 'SELECT ?l WHERE { <https://w3id.org/duikou/id/actor/shanghai> <http://www.w3.org/2000/01/rdf-schema#label> ?l }'
    store = ox.Store.read_only(str(build_path / "store"))
    http = urllib3.PoolManager()
    url = duikou.base + "/sparql?" + urllib.parse.urlencode({"query": text})
    wait_until_idle(duikou.process.pid)  # the throughput clients' last requests may still be finishing

    def floor() -> None:
        store.query(text, use_default_graph_as_union=True).serialize(format=ox.QueryResultsFormat.JSON)

    def over_http() -> None:
        http.request("GET", url)

    timing = {}
    for name, fn in (("floor", floor), ("http", over_http)):
        for _ in range(20):
            fn()
        samples = []
        for _ in range(200):
            t = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - t)
        timing[name] = statistics.median(samples)
    return timing


def cache_figures(cached: Duikou, mix: list[Query]) -> dict:
    """Cache on: a repeated canned query and a repeated page, and their revalidation (304)."""
    http = urllib3.PoolManager()

    def repeated(url: str) -> tuple[float, float, bool]:
        tag = http.request("GET", url).headers.get("ETag")
        hits, revalidated = [], []
        for _ in range(200):
            t = time.perf_counter()
            http.request("GET", url)
            hits.append(time.perf_counter() - t)
            t = time.perf_counter()
            r = http.request("GET", url, headers={"If-None-Match": tag})
            revalidated.append(time.perf_counter() - t)
        return statistics.median(hits), statistics.median(revalidated), r.status == 304

    q = next(q for q in mix if q.canned == "counts-by-decade")
    page = next(q for q in mix if q.name == "page render")
    hit, not_modified, status_304 = repeated(cached.base + q.api_path)
    page_hit, page_not_modified, page_304 = repeated(cached.base + page.api_path)
    return {"query": q.canned, "hit_p50": hit, "not_modified_p50": not_modified, "status_304": status_304,
            "page_hit_p50": page_hit, "page_not_modified_p50": page_not_modified, "page_304": page_304}


# ---------------------------------------------------------------------------------------------- report

ORDER = ["floor", "duikou", "duikou-virtuoso", "virtuoso", "rdflib-endpoint"]


def geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(max(v, 1e-6)) for v in values) / len(values)) if values else float("nan")


def pair_ratio(res: dict, a: str, b: str) -> float:
    """Geometric-mean p50 of ``a`` over that of ``b``, on the queries both answered."""
    pa, pb = res["targets"][a]["p50"], res["targets"][b]["p50"]
    common = [q for q in pa if q in pb]
    return geomean([pa[q] for q in common]) / geomean([pb[q] for q in common]) if common else float("nan")


def ms(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds * 1000:.1f}" if seconds < 10 else f"{seconds * 1000:.0f}"


def markdown(results: list[dict], total_seconds: float) -> str:
    lines = ["<!-- BENCH:START (written by bench/run.py; keep other sections outside these markers) -->",
             "## Query latency and throughput",
             "",
             f"One run of `.venv/bin/python -m bench.run` ({total_seconds / 60:.1f} min) on this 2-core machine, "
             "127.0.0.1 only, synthetic data of bench/generate.py. Latency is wall time per request, sequential, "
             "after one warm-up, at least 4–15 runs per query (a fast query: until its runs add up to "
             f"{SAMPLE_SECONDS:g} s, at most {MAX_REPS}); the duikou targets run with the answer cache off "
             "(`DUIKOU_KG_CACHE_ENTRIES=0`) "
             "and over HTTP keep-alive. `floor` = in-process pyoxigraph (query + serialisation, no HTTP). "
             "Ratios: > 1 means the column's target is slower than the reference.", ""]
    for res in results:
        targets = [t for t in ORDER if t in res["targets"]]
        lines += [f"### {res['size']} — {res['triples']:,} triples ({res['asserted']:,} asserted)", "",
                  "p50 / p95 in ms per query:", "",
                  "| query | " + " | ".join(targets) + " |", "|---" * (len(targets) + 1) + "|"]
        queries = list(res["targets"]["floor"]["p50"]) or []
        for name in queries:
            cells = []
            for t in targets:
                data = res["targets"][t]
                if name in data["p50"]:
                    cells.append(f"{ms(data['p50'][name])} / {ms(data['p95'][name])}")
                else:
                    cells.append("error" if name in data["errors"] else "–")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        gm = {t: geomean(list(res["targets"][t]["p50"].values())) for t in targets}
        lines.append("| **geometric mean p50** (of the queries it answered) | " +
                     " | ".join(f"**{ms(gm[t])}**" for t in targets) + " |")
        lines += ["", "Ratios of geometric-mean p50 (row target ÷ column target), each over the queries both "
                  "answered (a query one of them failed is left out of that pair and listed below):", "",
                  "| | " + " | ".join(targets) + " |", "|---" * (len(targets) + 1) + "|"]
        for a in targets:
            lines.append(f"| {a} | " + " | ".join(f"{pair_ratio(res, a, b):.2f}" for b in targets) + " |")
        lines += ["", "| target | throughput 1 client (req/s) | 8 clients (req/s) | load/build (s) | start-up to first answer (s) | peak memory (MB) | MB per M triples |",
                  "|---|---|---|---|---|---|---|"]
        for t in targets:
            d = res["targets"][t]
            mem = d.get("memory") or 0
            load = "–" if d.get("load") is None else f"{d['load']:.1f}"
            startup = "–" if d.get("startup") is None else f"{d['startup']:.2f}"
            memory = (f"{mem / 2**20:.0f} | {mem / 2**20 / (res['triples'] / 1e6):.0f}" if mem
                      else "(in the bench process) | –")
            lines.append(f"| {t} | {d['throughput'].get(1, float('nan')):.1f} | "
                         f"{d['throughput'].get(8, float('nan')):.1f} | {load} | {startup} | {memory} |")
        per_query = {t: {q: res["targets"][t]["p50"][q] / res["targets"]["virtuoso"]["p50"][q]
                         for q in res["targets"][t]["p50"] if q in res["targets"].get("virtuoso", {}).get("p50", {})}
                     for t in ("duikou",) if "virtuoso" in res["targets"]}
        overhead = res["targets"]["duikou"].get("overhead", {})
        cache = res.get("cache", {})
        lines += ["", f"- HTTP + serialisation overhead for a tiny answer (`/sparql`, 1 row): "
                  f"{ms(overhead.get('http'))} ms over HTTP vs {ms(overhead.get('floor'))} ms in process "
                  f"= **{ms(overhead.get('http', 0) - overhead.get('floor', 0))} ms**.",
                  f"- Cache on: repeated `{cache.get('query')}` answered in **{ms(cache.get('hit_p50'))} ms** p50; "
                  f"revalidation with If-None-Match → 304 in {ms(cache.get('not_modified_p50'))} ms; the page "
                  f"in {ms(cache.get('page_hit_p50'))} ms (304 in {ms(cache.get('page_not_modified_p50'))} ms).",
                  f"- Build (load + inference + write): {res['build_seconds']:.1f} s."]
        if per_query:
            worst = max(per_query["duikou"].items(), key=lambda kv: kv[1])
            slower = [q for q, r in per_query["duikou"].items() if r > 1]
            failed = [q for q in res["targets"]["virtuoso"]["errors"] if q in res["targets"]["duikou"]["p50"]]
            lines.append("- duikou vs Virtuoso's endpoint per query (p50 ratio, < 1 = duikou faster): " +
                         ", ".join(f"{q} {r:.2f}" for q, r in per_query["duikou"].items()) +
                         f"; slowest relative: {worst[0]} ({worst[1]:.2f}); duikou slower on "
                         f"{len(slower)} of {len(per_query['duikou'])}" + (f" ({', '.join(slower)})" if slower else "") +
                         (f"; Virtuoso gave no answer to {len(failed)} that duikou answered ({', '.join(failed)})"
                          if failed else "") + ".")
        for t in targets:
            for q, err in res["targets"][t]["errors"].items():
                lines.append(f"- {t} / {q}: error — {err}")
        lines += [f"- {note}" for note in res["notes"]] + [""]
    lines.append("<!-- BENCH:END -->")
    return "\n".join(lines) + "\n"


def write_results(results: list[dict], total_seconds: float) -> None:
    path = BENCH / "RESULTS.md"
    section = markdown(results, total_seconds)
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n\n"
    if "<!-- BENCH:START" in old:
        head, rest = old.split("<!-- BENCH:START", 1)
        tail = rest.split("<!-- BENCH:END -->", 1)[1].lstrip("\n") if "<!-- BENCH:END -->" in rest else ""
        text = head + section + ("\n" + tail if tail else "")
    else:
        text = old.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")
    (WORK / "results.json").write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    chart(results)


def chart(results: list[dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    # At each size, only the queries every target there answered: a target that timed out on the slowest
    # query would otherwise look faster than the others.
    common = {}
    for res in results:
        answered = [set(t["p50"]) for t in res["targets"].values() if t["p50"]]
        common[res["size"]] = set.intersection(*answered) if answered else set()
    for t in ORDER:
        xs, ys = [], []
        for res in results:
            if t in res["targets"] and common[res["size"]]:
                xs.append(res["triples"])
                ys.append(geomean([res["targets"][t]["p50"][q] for q in sorted(common[res["size"]])]) * 1000)
        if xs:
            ax.plot(xs, ys, marker="o", label=t)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("triples")
    ax.set_ylabel("geometric mean p50 (ms)")
    ax.set_title("duikou-kg benchmark: latency against data size\n(at each size, over the queries every target answered)",
                 fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(BENCH / "latency.png", dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100k,1m", help="comma-separated: 100k, 1m, 5m (5m: long on 2 cores)")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per throughput measurement")
    parser.add_argument("--budget-minutes", type=float, default=20.0, help="stop measuring after this long")
    parser.add_argument("--merge", action="store_true",
                        help="keep the sizes of the previous run (bench/.work/results.json) that this run does not measure")
    parser.add_argument("--without-virtuoso", default="", type=lambda text: set(filter(None, text.split(","))),
                        help="comma-separated sizes measured without Virtuoso (its load of 5 M takes long)")
    parser.add_argument("--virtuoso-buffers", type=int, default=170_000, help="Virtuoso NumberOfBuffers (8 KB each)")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    budget_end = started + args.budget_minutes * 60
    results = []
    if args.merge and (WORK / "results.json").exists():
        results = [r for r in json.loads((WORK / "results.json").read_text(encoding="utf-8"))
                   if r["size"] not in args.sizes.split(",")]
        for r in results:  # JSON turned the client counts into strings
            for t in r["targets"].values():
                t["throughput"] = {int(k): v for k, v in t["throughput"].items()}
    for label in tqdm(args.sizes.split(","), desc="sizes"):
        if time.monotonic() > budget_end:
            print(f"time budget spent: {label} left out", file=sys.stderr)
            break
        results.append(run_size(label, SIZES[label], args, budget_end))
        results.sort(key=lambda r: r["triples"])
        write_results(results, time.monotonic() - started)
        shutil.rmtree(WORK / label / "virtuoso", ignore_errors=True)
    measured_now = set(args.sizes.split(","))  # sizes kept by --merge keep their own peer figures
    small = next((r for r in results if r["triples"] <= 150_000 and r["size"] in measured_now), None)
    if small is not None:  # the pure-Python peer last: it is the slow one
        run_peer(small, args, started + (args.budget_minutes + 5) * 60)
        write_results(results, time.monotonic() - started)
    print((BENCH / "RESULTS.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
