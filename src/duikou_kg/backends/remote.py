"""A remote SPARQL 1.1 store read through SPARQLWrapper, answering like the embedded store.

- **Binding**: ``substitutions`` become a ``VALUES`` block placed first in the query's outermost group,
  written from pyoxigraph terms (``str(term)`` is N-Triples syntax), never from a caller's text.
- **Dataset**: the pushed graphs are named in every query (``FROM`` and ``FROM NAMED``),
  so the default graph is their union as on the embedded store and the store's own graphs stay out; with
  ``DUIKOU_KG_SPARQL_UNION_DEFAULT=true`` the store's default graph is trusted to be that union instead.
- **Results** are parsed back into pyoxigraph objects: SPARQL JSON with ``parse_query_results``; graph
  results (Turtle) through a small in-memory store, so CONSTRUCT/DESCRIBE give ``QueryTriples``.
- **Syntax** is checked locally by pyoxigraph first, so a malformed query gets the same 400 (with line and
  column) on both backends, and the query form (which result type to ask for) is known.
- **Time limit**: ``DUIKOU_KG_QUERY_TIMEOUT`` is the request timeout of clients' queries (endpoint, canned
  queries); when it expires the client gets 503 ``query_timeout`` as on the embedded store (the remote store
  decides whether it stops working). The service's own reads (pages, search index, dumps, validation, the
  start-up check) get ``DUIKOU_KG_SPARQL_TIMEOUT``: some read whole graphs.
- **Version**: ``duikou-kg push`` writes a load record (the build manifest) into ``LOAD_GRAPH``; the service
  re-reads it every ``DUIKOU_KG_SPARQL_REFRESH_SECONDS`` and answers 503 while a push is swapping graphs.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
import urllib.error
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from SPARQLWrapper import BASIC, DIGEST, JSON, POST, TURTLE, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from ..binding import bind_values, body_offset as _body_offset
from ..config import Settings
from ..errors import ApiError, BadRequest, MalformedQuery, ServiceNotAllowed, StoreUnavailable
from ..namespaces import INFERRED_GRAPH, all_prefixes
from ..query_workers import QueryTimeout
from ..sparql_guard import declares_dataset, forbidden_keywords
from ..store import BuildInfo

__all__ = ["LOAD_GRAPH", "RemoteStore", "RemoteStoreError", "bind_values", "load_record_quads"]

LOAD_GRAPH = "urn:duikou-kg:load"  # outside the public base: never served as a page, never in the dataset
_RECORD = "http://purl.org/dc/terms/description"
_RECORD_QUERY = f"SELECT ?record WHERE {{ GRAPH <{LOAD_GRAPH}> {{ <{LOAD_GRAPH}> <{_RECORD}> ?record }} }}"
_PREFIX_DECL = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?\s*:", re.IGNORECASE)
_VIRTUOSO_BNODE = re.compile(rb'("value"\s*:\s*")nodeID://')
USER_AGENT = "duikou-kg (SPARQLWrapper)"


class RemoteStoreError(ApiError):
    """The remote store failed or refused a request the local parser accepted."""

    def __init__(self, message: str, status: int = 502) -> None:
        super().__init__(status, "store_error", message)


def load_record_quads(record: dict[str, Any]) -> list[ox.Quad]:
    node = ox.NamedNode(LOAD_GRAPH)
    text = json.dumps(record, ensure_ascii=False, sort_keys=True)
    return [ox.Quad(node, ox.NamedNode(_RECORD), ox.Literal(text), node)]


def _node(graph: str | ox.NamedNode) -> str:
    return graph.value if isinstance(graph, ox.NamedNode) else str(graph)


def with_dataset(sparql: str, default: list[str] | None, named: list[str] | None) -> str:
    """``sparql`` with ``FROM <g>`` / ``FROM NAMED <g>`` clauses for the given graphs (None: none given).

    In the query text rather than as protocol parameters: the same dataset, but no URL or header limits
    (Virtuoso answers each default-graph-uri with a response header).
    """
    if default is None and named is None:
        return sparql
    clauses = "".join(f"\nFROM <{ox.NamedNode(g).value}>" for g in default or []) + \
        "".join(f"\nFROM NAMED <{ox.NamedNode(g).value}>" for g in named or []) + "\n"
    at = _body_offset(sparql)
    if at is None:
        return sparql + clauses
    at -= 1  # the "{"
    before = sparql[:at].rstrip()
    if before[-5:].upper() == "WHERE":
        at = len(before) - 5
    return sparql[:at] + clauses + sparql[at:]


class RemoteStore:
    """The knowledge graph as pushed into a SPARQL 1.1 store (see the module documentation)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.url = settings.sparql_url
        self._probe = ox.Store()  # empty: parses queries and tells their form, holds no data
        self._lock = threading.Lock()
        self._manifest: BuildInfo | None = None
        self._record: dict[str, Any] = {}
        self._read_at = -1e9

    # ------------------------------------------------------------------ the load record

    def _refresh(self) -> None:
        now = time.monotonic()
        if self._manifest is not None and now - self._read_at < self.settings.sparql_refresh_seconds:
            return
        with self._lock:
            if self._manifest is not None and time.monotonic() - self._read_at < self.settings.sparql_refresh_seconds:
                return
            rows = list(self._send(_RECORD_QUERY, "SELECT", default=[], named=[LOAD_GRAPH]))
            if not rows:
                raise StoreUnavailable(f"the store at {self.url} holds no duikou-kg load: run `duikou-kg push`")
            record = json.loads(rows[0]["record"].value)
            self._record = record
            self._manifest = BuildInfo.from_json(record["manifest"], Path())
            self._read_at = time.monotonic()

    @property
    def record(self) -> dict[str, Any]:
        self._refresh()
        return self._record

    @property
    def manifest(self) -> BuildInfo:
        self._refresh()
        if self._record.get("state") == "failed":
            raise StoreUnavailable("the last `duikou-kg push` into the remote store failed: push again")
        if self._record.get("state") != "ready":
            raise StoreUnavailable("a new load is being swapped into the remote store; try again in a moment")
        assert self._manifest is not None
        return self._manifest

    @property
    def version(self) -> str:
        return self.manifest.fingerprint

    @property
    def triple_count(self) -> int:
        return self.manifest.triple_count

    @property
    def graphs(self) -> list[str]:
        return [*self.manifest.graph_counts, INFERRED_GRAPH]

    # ------------------------------------------------------------------ queries

    def query(self, sparql: str, *, substitutions=None, default_graph=None, named_graphs=None, base_iri=None,
              time_limit: float | None = None):
        """``time_limit``: seconds this query may take. Clients' queries (the endpoint, canned queries) come
        through ``query_workers.run_query`` with the query time limit (``DUIKOU_KG_QUERY_TIMEOUT``); without
        one, the service's own reads (pages, the search index, dumps, validation, the start-up check, some of
        them whole graphs: at 5 M triples Virtuoso counts the graphs in more than 10 s) get the store's
        request timeout, ``DUIKOU_KG_SPARQL_TIMEOUT``."""
        if forbidden_keywords(sparql):
            raise ServiceNotAllowed()
        form = self._form(sparql, base_iri)
        text = bind_values(sparql, substitutions) if substitutions else sparql
        text = self._with_prefixes(text)
        if base_iri:  # a BASE the query declares itself comes later and wins
            text = f"BASE <{base_iri}>\n{text}"
        if default_graph is not None or named_graphs is not None:
            ours = self.graphs
            default = [_node(g) for g in default_graph] if default_graph is not None else ours
            named = [_node(g) for g in named_graphs] if named_graphs is not None else ours
        elif declares_dataset(sparql) or self.settings.sparql_union_default:
            self.manifest  # still refuse while a push is swapping graphs
            default = named = None
        else:
            default = named = self.graphs
        return self._send(text, form, default=default, named=named, limit=time_limit)

    def _form(self, sparql: str, base_iri: str | None = None) -> str:
        try:
            result = self._probe.query(sparql, prefixes=all_prefixes(), **({"base_iri": base_iri} if base_iri else {}))
        except SyntaxError as exc:
            raise MalformedQuery.from_syntax_error(exc) from None
        except OSError:  # evaluation trouble on the empty store: the text parsed; let the store decide
            return "SELECT"
        if isinstance(result, ox.QueryTriples):
            return "CONSTRUCT"
        return "ASK" if isinstance(result, ox.QueryBoolean) else "SELECT"

    @staticmethod
    def _with_prefixes(text: str) -> str:
        """Declare the project's prefixes the query uses without declaring (the embedded store knows them)."""
        declared = {match.group(1) or "" for match in _PREFIX_DECL.finditer(text)}
        lines = [f"PREFIX {name}: <{iri}>" for name, iri in all_prefixes().items()
                 if name and name not in declared and f"{name}:" in text]
        return "\n".join([*lines, text]) if lines else text

    def _wrapper(self, url: str, *, authenticate: bool = False) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(url, agent=USER_AGENT)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setTimeout(int(self.settings.sparql_timeout) or None)
        if authenticate and self.settings.sparql_user:
            wrapper.setHTTPAuth(DIGEST if self.settings.sparql_auth == "digest" else BASIC)
            wrapper.setCredentials(self.settings.sparql_user, self.settings.sparql_password)
        return wrapper

    def _send(self, text: str, form: str, *, default: list[str] | None, named: list[str] | None,
              limit: float | None = None):
        wrapper = self._wrapper(self.url)
        limit = self.settings.sparql_timeout if limit is None else limit
        if limit > 0:  # the query time limit travels as the request timeout; its expiry is query_timeout
            wrapper.setTimeout(max(1, math.ceil(limit)))
        wrapper.setQuery(with_dataset(text, default, named))
        wrapper.queryType = form  # pyoxigraph parsed it; SPARQLWrapper's regexes trip over comments
        wrapper.setReturnFormat(TURTLE if form == "CONSTRUCT" else JSON)
        try:
            body = self._read(wrapper, timeout_error=limit > 0)
        except TimeoutError:
            raise QueryTimeout(limit) from None
        if form == "CONSTRUCT":
            return _as_query_triples(body)
        try:
            return ox.parse_query_results(_VIRTUOSO_BNODE.sub(rb"\1", body), format=ox.QueryResultsFormat.JSON)
        except SyntaxError as exc:
            raise RemoteStoreError(f"the store's answer is not SPARQL JSON results: {exc}") from None

    def _read(self, wrapper: SPARQLWrapper, *, timeout_error: bool = False) -> bytes:
        try:
            return wrapper.query().response.read()
        except (TimeoutError, urllib.error.URLError) as exc:
            timed_out = isinstance(exc, TimeoutError) or isinstance(getattr(exc, "reason", None), TimeoutError)
            if timeout_error and timed_out and not isinstance(exc, urllib.error.HTTPError):
                raise TimeoutError() from None
            return self._failed(exc)
        except Exception as exc:  # noqa: BLE001 - mapped below
            return self._failed(exc)

    def _failed(self, exc: Exception) -> bytes:
        try:
            raise exc
        except SPARQLWrapperException as exc:
            message = " ".join(str(exc).split())[:1000]
            if "QueryBadFormed" in type(exc).__name__:
                raise BadRequest(f"the store refused the query: {message}", code="store_refused") from None
            raise RemoteStoreError(f"the store at {self.url} failed: {message}") from None
        except urllib.error.HTTPError as exc:
            raise RemoteStoreError(f"the store at {self.url} answered HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise StoreUnavailable(f"the store at {self.url} does not answer: {exc}") from None

    def ask_store(self, text: str) -> bool:
        """ASK over the store's own dataset: every graph, a push's staging graphs too (``push`` checks them)."""
        return bool(self._send(text, "ASK", default=None, named=None))

    def update(self, text: str) -> None:
        """Run a SPARQL Update at the update URL (``duikou-kg push`` only; the service is read-only)."""
        wrapper = self._wrapper(self.settings.sparql_update_url or self.url, authenticate=True)
        wrapper.setQuery(text)
        self._read(wrapper)

    def _paged(self, graph: str, page: int) -> Iterator[ox.Triple]:
        """The triples of ``graph`` in pages of ``page`` rows (LIMIT/OFFSET), each triple once.

        Without ORDER BY (Virtuoso refuses to sort more than MaxSortedTopRows rows), pages follow the store's
        index order, which holds while the load does not change; a triple seen twice is skipped, and the caller
        compares the count with the load record, so a page order that shifted shows as missing triples.
        """
        seen: set[int] = set()
        offset = 0
        while True:
            rows = list(self.query(f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT {int(page)} OFFSET {int(offset)}",
                                   default_graph=[graph]))
            for row in rows:
                triple = ox.Triple(row["s"], row["p"], row["o"])
                key = hash(triple)
                if key not in seen:
                    seen.add(key)
                    yield triple
            if len(rows) < page:
                return
            offset += page

    def quads(self, *, include_inferred: bool = True) -> Iterator[ox.Quad]:
        for graph in self.graphs:
            if graph == INFERRED_GRAPH and not include_inferred:
                continue
            node = ox.NamedNode(graph)
            got = 0
            page = self.settings.sparql_page_rows
            triples = self._paged(graph, page) if page else self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
                                                                       default_graph=[graph])
            for triple in triples:
                got += 1
                yield ox.Quad(triple.subject, triple.predicate, triple.object, node)
            expected = self.manifest.inferred_count if graph == INFERRED_GRAPH else self.manifest.graph_counts[graph]
            if got < expected:
                raise RemoteStoreError(f"the store returned {got} of the {expected} triples of <{graph}>: "
                                       "raise its result-row cap (Virtuoso: [SPARQL] ResultSetMaxRows)")

    # ------------------------------------------------------------------ start-up check

    def check(self) -> list[str]:
        """What works on this store, one line each; raises ``StoreUnavailable`` for what cannot.

        Run at start (``duikou-kg serve``): the load record, the graph counts against the store's own counts,
        VALUES binding (canned queries and pages need it) and the result-row cap (search and dumps read
        whole graphs).
        """
        manifest = self.manifest
        lines = [f"remote store {self.url}: load {self.record.get('load_id')} of build {manifest.build_id}, "
                 f"{manifest.triple_count} triples in {len(self.graphs)} graphs"]
        probe = self.query("SELECT ?x WHERE { ?s ?p ?o FILTER(?p = ?x) } LIMIT 1",
                           substitutions={ox.Variable("x"): ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")})
        if not list(probe):
            raise StoreUnavailable("bound values (VALUES) do not work on this store: canned queries and pages "
                                   "cannot run")
        counts = {row["g"].value: int(row["n"].value) for row in self.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
        expected = {**manifest.graph_counts, INFERRED_GRAPH: manifest.inferred_count}
        wrong = [g for g, n in expected.items() if counts.get(g, 0) != n]
        if wrong:
            raise StoreUnavailable(f"{len(wrong)} graphs differ from the load record (e.g. <{wrong[0]}>: "
                                   f"{counts.get(wrong[0], 0)} triples, expected {expected[wrong[0]]}); push again")
        biggest = max(expected.values(), default=0)
        rows = sum(1 for _ in self.query("SELECT ?s WHERE { ?s ?p ?o }", default_graph=[max(expected, key=expected.get)]))
        page = self.settings.sparql_page_rows
        if rows < biggest and not 0 < page <= rows:
            raise StoreUnavailable(f"the store cuts results at {rows} rows: dumps and validation read whole graphs; "
                                   f"set DUIKOU_KG_SPARQL_PAGE_ROWS={rows} to read them in pages (or raise the cap: "
                                   "Virtuoso's [SPARQL] ResultSetMaxRows)")
        if rows < biggest:
            lines.append(f"whole graphs read in pages of {page} rows (the store cuts answers at {rows})")
        lines.append("SPARQL endpoint, canned queries, pages, search, VoID, dumps, validation: on the remote store")
        lines.append("updates: refused by the service (read-only); `duikou-kg push` writes through the update URL")
        return lines


def _as_query_triples(body: bytes) -> ox.QueryTriples:
    """Turtle from the store as pyoxigraph ``QueryTriples`` (the type the embedded store returns)."""
    scratch = ox.Store()
    try:
        scratch.load(body, format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
    except SyntaxError as exc:
        raise RemoteStoreError(f"the store's graph answer is not Turtle: {exc}") from None
    return scratch.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
