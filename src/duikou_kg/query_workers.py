"""A query time limit that really stops the query: SPARQL evaluated in killable worker processes.

pyoxigraph cannot cancel a running query and a signal does not interrupt it, so ``/sparql`` and canned
queries on the embedded store run in a pool of worker processes (``multiprocessing`` ``forkserver``
context, pyoxigraph preloaded, so a replacement starts in milliseconds). A worker opens the build it is
sent with ``pyoxigraph.Store.read_only`` and keeps it open until a job names another build; it
evaluates in a thread with the same deep stack as the server's threads (``DUIKOU_KG_THREAD_STACK_MIB``)
and serialises the answer itself, so bytes travel back, never term objects. At the deadline the parent
SIGKILLs the worker (it is replaced on demand) and the client gets 503 ``query_timeout`` with
``details.limit_seconds``. A worker whose parent is gone exits by itself (no orphans).

**Row cap**: the worker reads at most ``DUIKOU_KG_MAX_RESULT_ROWS`` solutions (or triples) and stops;
when there were more, the answer is marked truncated: headers ``X-Duikou-Result-Truncated: true`` and
``X-Duikou-Row-Cap: N`` and, in SPARQL JSON, a top-level ``"truncated": true`` written *before*
``head`` (strict parsers such as pyoxigraph's accept unknown members only there).

**Why runaway queries cannot take every worker** (the scheduling, a fast lane and a slow lane):
every query first needs one of ``DUIKOU_KG_QUERY_WORKERS`` *fast slots*. A query still running after
``DUIKOU_KG_QUERY_SLOW_AFTER`` seconds moves, in the same process, to one of
``DUIKOU_KG_QUERY_SLOW_WORKERS`` *slow slots* and gives its fast slot back (a new process serves it);
when every slow slot is taken it is stopped at once (SIGKILL, 503 ``query_timeout`` with
``details.slow_lane_full``). So at most ``slow`` queries run long, and a fast slot is never held longer
than ``slow_after``: with ten runaway queries arriving at once, an ordinary query waits at most about
``ceil(queued / workers) * slow_after`` for a slot instead of the whole time limit.

A larger pool alone does not help: each query also holds one waitress thread while it waits for its
worker, so with more runaway requests than waitress threads the ordinary request waits in waitress's
queue whatever the pool size. Threads that wait on a pipe cost nothing; give the server more threads
(``DUIKOU_KG_THREADS``) than the concurrent runaway requests it should absorb, and keep the pool small
(each worker is a process with the store open).
"""

from __future__ import annotations

import atexit
import dataclasses
import functools
import itertools
import json
import multiprocessing
import os
import signal
import threading
import time
from typing import Any

import pyoxigraph as ox

from .errors import ApiError

__all__ = ["QueryPool", "QueryTimeout", "WorkerAnswer", "shared_pool", "warm_up"]

_MIB = 1024 * 1024
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class QueryTimeout(ApiError):
    def __init__(self, limit: float, *, slow_lane_full: bool = False) -> None:
        if slow_lane_full:
            message = (f"the query was stopped: it ran longer than the fast lane allows and every slot for long "
                       f"queries is taken; retry later (time limit {limit:g} s)")
        else:
            message = f"the query was stopped at the time limit of {limit:g} s"
        details: dict[str, Any] = {"limit_seconds": limit}
        if slow_lane_full:
            details["slow_lane_full"] = True
        super().__init__(503, "query_timeout", message, **details)


@dataclasses.dataclass(frozen=True)
class WorkerAnswer:
    body: bytes
    content_type: str
    kind: str  # "solutions", "boolean" or "graph"
    truncated: bool


# --------------------------------------------------------------------------------------------- worker side


def _term_json(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _term_json(term.subject),
                                            "predicate": _term_json(term.predicate),
                                            "object": _term_json(term.object)}}
    raise TypeError(f"unexpected term {term!r}")


def solutions_json(variables: list[str], rows: list[Any], truncated: bool) -> bytes:
    """SPARQL JSON results of ``rows`` (pyoxigraph solutions); ``"truncated": true`` first when cut."""
    bindings = []
    for row in rows:
        bindings.append({name: _term_json(row[name]) for name in variables if row[name] is not None})
    document: dict[str, Any] = {"truncated": True} if truncated else {}
    document["head"] = {"vars": variables}
    document["results"] = {"bindings": bindings}
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


@functools.lru_cache(maxsize=2)
def _internal_format(graph: bool) -> Any:
    from .formats import GRAPH_FORMATS, SOLUTION_FORMATS

    return next(f for f in (GRAPH_FORMATS if graph else SOLUTION_FORMATS) if f.name == ("nt" if graph else "json"))


@functools.lru_cache(maxsize=256)
def _negotiated_format(accept_header: str, format_name: str | None, graph: bool) -> Any:
    """The endpoint's choice for this Accept header (clients repeat theirs: parsing it cost 0.08 ms a query)."""
    from .formats import GRAPH_FORMATS, SOLUTION_FORMATS
    from .web import negotiation
    from werkzeug.datastructures import MIMEAccept
    from werkzeug.http import parse_accept_header

    formats = GRAPH_FORMATS if graph else SOLUTION_FORMATS
    return negotiation.choose(formats, parse_accept_header(accept_header, MIMEAccept), format_name)


def evaluate(store: Any, job: dict[str, Any]) -> WorkerAnswer:
    """Run ``job`` on ``store`` (a ``KnowledgeStore``) and serialise at most ``row_cap`` rows.

    ``job["accept"]``/``job["format_name"]`` pick the format as the endpoint would; ``job["internal"]``
    asks for SPARQL JSON / N-Triples (canned queries parse it back).
    """
    cap = job["row_cap"]
    result = store.query(job["sparql"], **job["options"])
    graph = isinstance(result, ox.QueryTriples)
    if job.get("internal"):
        fmt = _internal_format(graph)
    else:
        fmt = _negotiated_format(job.get("accept") or "", job.get("format_name"), graph)
    if isinstance(result, ox.QueryBoolean):
        return WorkerAnswer(result.serialize(format=fmt.oxigraph), fmt.content_type, "boolean", False)
    if graph:
        triples = list(itertools.islice(result, cap + 1))
        body = ox.serialize(triples[:cap], format=fmt.oxigraph)
        return WorkerAnswer(body, fmt.content_type, "graph", len(triples) > cap)
    variables = [v.value for v in result.variables]
    wanted = job.get("rows")
    if wanted is not None and wanted <= cap:  # a caller reading one page: the rows after it are not needed
        rows, truncated = list(itertools.islice(result, wanted)), False
    else:
        rows = list(itertools.islice(result, cap + 1))
        truncated = len(rows) > cap
    if fmt.oxigraph == ox.QueryResultsFormat.JSON:
        body = solutions_json(variables, rows[:cap], truncated)
    else:
        plain = solutions_json(variables, rows[:cap], False)
        body = ox.parse_query_results(plain, format=ox.QueryResultsFormat.JSON).serialize(format=fmt.oxigraph)
    return WorkerAnswer(body, fmt.content_type, "solutions", truncated)


def _serve(conn: Any) -> None:
    from .store import KnowledgeStore

    opened: tuple[str, Any] | None = None
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if opened is None or opened[0] != job["store_path"]:
                opened = None  # close the previous build first
                opened = (job["store_path"], KnowledgeStore(ox.Store.read_only(job["store_path"]), None))
            answer: tuple = ("ok", evaluate(opened[1], job))
        except ApiError as exc:
            answer = ("error", exc.status, exc.code, exc.message, exc.details)
        except Exception as exc:  # noqa: BLE001 - reported to the parent, the worker lives on
            answer = ("error", 500, "query_failed", f"{type(exc).__name__}: {exc}", {})
        try:
            conn.send(answer)
        except (EOFError, OSError):
            return


def _worker_main(conn: Any, stack_mib: int) -> None:
    parent = os.getppid()

    def watch_parent() -> None:  # the server (or the forkserver) is gone: leave no orphan behind
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    threading.stack_size(stack_mib * _MIB)
    runner = threading.Thread(target=_serve, args=(conn,))
    runner.start()
    runner.join()


# --------------------------------------------------------------------------------------------- parent side


class _Worker:
    def __init__(self, context: Any, stack_mib: int) -> None:
        self.store_path: str | None = None
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, stack_mib), daemon=True)
        self.process.start()
        child.close()

    def kill(self) -> None:
        try:
            os.kill(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, TypeError):
            pass
        self.process.join(5)
        self.conn.close()


class QueryPool:
    """Fast slots, slow slots and idle worker processes (see the module docstring)."""

    #: Extra seconds in the fast lane for a job that must first open its build in the worker.
    FRESH_GRACE = 1.0

    def __init__(self, workers: int, slow_workers: int, slow_after: float, stack_mib: int) -> None:
        self.workers = workers
        self.slow_workers = slow_workers
        self.slow_after = slow_after
        self.stack_mib = stack_mib
        self._context = multiprocessing.get_context("forkserver")
        # What a worker needs for its first job, imported once in the fork server (a worker starts in ms).
        self._context.set_forkserver_preload(["pyoxigraph", "duikou_kg.query_workers", "duikou_kg.store",
                                              "duikou_kg.formats", "duikou_kg.web.negotiation", "werkzeug.http"])
        self._fast = threading.Semaphore(workers)
        self._slow = threading.Semaphore(slow_workers)
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self.kills = 0

    def pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in [*self._idle, *self._busy]]

    def _take(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.process.is_alive():
                    self._busy.add(worker)
                    return worker
                worker.kill()
        worker = _Worker(self._context, self.stack_mib)
        with self._lock:
            self._busy.add(worker)
        return worker

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            self._busy.discard(worker)
            if len(self._idle) < self.workers + self.slow_workers:
                self._idle.append(worker)
                return
        worker.kill()

    def _kill(self, worker: _Worker) -> None:
        with self._lock:
            self._busy.discard(worker)
            self.kills += 1
        worker.kill()

    def run(self, job: dict[str, Any], limit: float) -> WorkerAnswer:
        """Evaluate ``job`` in a worker within ``limit`` seconds (waiting for a slot counts)."""
        deadline = time.monotonic() + limit
        if not self._fast.acquire(timeout=limit):
            raise QueryTimeout(limit)
        fast, slow = True, False
        try:
            worker = self._take()
            # A fresh worker (or one switching builds) first opens the store: not the query's slowness.
            grace = self.FRESH_GRACE if worker.store_path != job["store_path"] else 0.0
            worker.store_path = job["store_path"]
            try:
                worker.conn.send(job)
                budget = deadline - time.monotonic()
                if not worker.conn.poll(max(0.0, min(self.slow_after + grace, budget))):
                    if time.monotonic() >= deadline:
                        self._kill(worker)
                        raise QueryTimeout(limit)
                    if not self._slow.acquire(blocking=False):
                        self._kill(worker)
                        raise QueryTimeout(limit, slow_lane_full=True)
                    slow = True
                    self._fast.release()
                    fast = False
                    if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                        self._kill(worker)
                        raise QueryTimeout(limit)
                answer = worker.conn.recv()
            except (EOFError, OSError):
                self._kill(worker)
                raise ApiError(500, "query_failed", "the query worker ended unexpectedly") from None
            self._give_back(worker)
        finally:
            if fast:
                self._fast.release()
            if slow:
                self._slow.release()
        if answer[0] == "error":
            _, status, code, message, details = answer
            raise ApiError(status, code, message, **details)
        return answer[1]

    def close(self) -> None:
        with self._lock:
            workers = [*self._idle, *self._busy]
            self._idle.clear()
            self._busy.clear()
        for worker in workers:
            worker.kill()


_POOLS: dict[tuple, QueryPool] = {}
_POOLS_LOCK = threading.Lock()


def shared_pool(settings: Any) -> QueryPool:
    """One pool per process and configuration; workers are not tied to a build (each job names it)."""
    key = (settings.query_workers, settings.query_slow_workers, settings.query_slow_after, settings.thread_stack_mib)
    with _POOLS_LOCK:
        pool = _POOLS.get(key)
        if pool is None:
            pool = _POOLS[key] = QueryPool(*key)
        return pool


@atexit.register
def _close_pools() -> None:
    for pool in list(_POOLS.values()):
        pool.close()


TRUNCATED_HEADER = "X-Duikou-Result-Truncated"
ROW_CAP_HEADER = "X-Duikou-Row-Cap"


def run_query(settings: Any, store: Any, sparql: str, options: dict[str, Any], *, accept: str | None = None,
              format_name: str | None = None, internal: bool = False, budget: float | None = None,
              rows: int | None = None) -> WorkerAnswer:
    """Evaluate and serialise with the row cap: in the pool for an embedded build when a time limit is set,
    else in this process (the remote backend enforces the limit as its request timeout). ``rows``: read
    only that many solutions (a page and one more), not marked truncated."""
    from .store import KnowledgeStore

    job = {"sparql": sparql, "options": options, "accept": accept, "format_name": format_name,
           "internal": internal, "row_cap": settings.max_result_rows, "rows": rows}
    limit = settings.query_timeout
    if budget is not None and budget > 0:
        limit = min(limit, budget) if limit > 0 else budget
    manifest = getattr(store, "manifest", None) if isinstance(store, KnowledgeStore) else None
    path = getattr(manifest, "path", None)
    if limit > 0 and path is not None and (path / "store").is_dir():
        return shared_pool(settings).run({**job, "store_path": str(path / "store")}, limit)
    if limit > 0 and _is_remote(store):  # the remote store sends the limit as its request timeout
        job["options"] = {**options, "time_limit": limit}
    return evaluate(store, job)


def _is_remote(store: Any) -> bool:
    from .backends.remote import RemoteStore

    return isinstance(store, RemoteStore)


def warm_up(settings: Any, store: Any) -> None:
    """Start the fork server and one worker with the build open (``serve`` calls this beside start-up, so
    the first client does not wait for them)."""
    run_query(settings, store, "ASK {}", {}, internal=True)


def truncation_headers(answer: WorkerAnswer, row_cap: int) -> dict[str, str]:
    return {TRUNCATED_HEADER: "true", ROW_CAP_HEADER: str(row_cap)} if answer.truncated else {}


class LimitedStore:
    """A store whose ``query`` runs under the time limit and row cap (canned queries use it); other
    attributes come from the wrapped store. ``truncated`` tells whether any answer was cut."""

    def __init__(self, settings: Any, store: Any, budget: float | None = None, rows: int | None = None) -> None:
        self._settings = settings
        self._store = store
        self._budget = budget
        self._rows = rows  # solutions a caller will read at most (one page and one more)
        self.truncated = False

    def query(self, sparql: str, **options: Any) -> Any:
        if not hasattr(self._settings, "query_timeout"):  # a bare settings stand-in: no limits known
            return self._store.query(sparql, **options)
        answer = run_query(self._settings, self._store, sparql, options, internal=True, budget=self._budget,
                           rows=self._rows)
        self.truncated = self.truncated or answer.truncated
        if answer.kind == "graph":
            return [ox.Triple(q.subject, q.predicate, q.object)
                    for q in ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES)]
        return ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)

    @property
    def unlimited(self) -> Any:
        """The wrapped store, for the service's own look-ups of one bound IRI (a parameter's class check):
        they cost microseconds, so a trip to a worker process would only add its round trip."""
        return self._store

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)
