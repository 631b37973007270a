"""``duikou-kg push``: load the current build into a remote SPARQL 1.1 store, replacing the previous load.

1. **Stage**: every graph of the build (ontology, data files, inferred graph; the graph IRIs are kept) is
   uploaded into a fresh staging graph ``urn:duikou-kg:staging:<load>:<n>``, in chunks of N-Triples:
   Graph Store Protocol ``POST`` when ``DUIKOU_KG_GRAPH_STORE_URL`` is set, else ``INSERT DATA`` through the
   update URL. Triples with blank nodes of one graph go in one chunk, so their blank nodes stay shared. The
   load being served is untouched; a failure here drops the staging graphs and changes nothing.
2. **Swap**: one SPARQL Update request marks the load record "swapping"; the next one ``MOVE``s each staging
   graph onto its real IRI, clears graphs of the previous load that the new one lacks (CLEAR, not DROP:
   Virtuoso ignores DROP SILENT of a graph that was never "explicitly created"), and writes the new load
   record ("ready"). Stores that run one update request as one transaction (Fuseki/TDB2, GraphDB, RDF4J,
   Oxigraph server) switch atomically. Virtuoso commits operation by operation over HTTP (tested: the
   first operation of a failing request stays), so there the swap is a short window — the MOVEs, not the
   upload — during which the service answers 503 "being swapped" rather than mixed data once it has
   re-read the record (``DUIKOU_KG_SPARQL_REFRESH_SECONDS``).
3. **Check**: no staging graph may still hold triples; else the push fails. Before the swap a probe on two
   throw-away graphs tells whether the store's ``MOVE`` works: Apache Jena 4.5 (Debian's, so Fuseki 4.5)
   refuses every ADD/MOVE/COPY of a named graph, and SILENT would hide it; there each MOVE is spelt out as
   CLEAR + ``INSERT … WHERE`` + CLEAR, which is what MOVE means.
"""

from __future__ import annotations

import dataclasses
import datetime
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterable

import pyoxigraph as ox

from ..config import Settings
from ..namespaces import INFERRED_GRAPH
from .remote import LOAD_GRAPH, RemoteStore, RemoteStoreError, load_record_quads

__all__ = ["PushReport", "push"]

_ALL = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


@dataclasses.dataclass(frozen=True)
class PushReport:
    load_id: str
    build_id: str
    triples: int
    graphs: int
    upload_seconds: float
    swap_seconds: float
    method: str  # "graph-store" or "insert-data"


def _nt(triples: Iterable[ox.Triple]) -> bytes:
    return ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES)


def _has_blank(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


class _Uploader:
    def __init__(self, settings: Settings, remote: RemoteStore) -> None:
        self.settings = settings
        self.remote = remote
        self.graph_store = settings.graph_store_url
        self.opener = urllib.request.build_opener()
        if settings.sparql_user and self.graph_store:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, self.graph_store, settings.sparql_user, settings.sparql_password)
            handler = (urllib.request.HTTPDigestAuthHandler if settings.sparql_auth == "digest"
                       else urllib.request.HTTPBasicAuthHandler)(passwords)
            self.opener = urllib.request.build_opener(handler)

    @property
    def method(self) -> str:
        return "graph-store" if self.graph_store else "insert-data"

    def send(self, graph: str, triples: list[ox.Triple]) -> None:
        if not triples:
            return
        body = _nt(triples)
        if not self.graph_store:
            self.remote.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{body.decode('utf-8')}\n}} }}")
            return
        separator = "&" if "?" in self.graph_store else "?"
        url = self.graph_store + separator + urllib.parse.urlencode({"graph": graph, "graph-uri": graph})
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": "text/turtle; charset=utf-8"})
        try:
            with self.opener.open(request, timeout=max(self.settings.sparql_timeout, 60)) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:500].decode("utf-8", "replace")
            raise RemoteStoreError(f"Graph Store upload to <{graph}> failed: HTTP {exc.code} {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise RemoteStoreError(f"Graph Store upload to <{graph}> failed: {exc}") from None


def push(settings: Settings, build, *, chunk: int = 20_000,
         progress: Callable[[int], None] | None = None) -> PushReport:
    """Load ``build`` (a backend holding the built graph, normally the embedded store) into the remote store."""
    if not settings.remote:
        raise RemoteStoreError("no remote store configured: set DUIKOU_KG_SPARQL_URL", status=400)
    remote = RemoteStore(settings)
    manifest = build.manifest
    previous: list[str] = []
    try:
        record = remote.record
        previous = [*record["manifest"]["graphs"], INFERRED_GRAPH]
    except Exception:  # no load yet (or an unreadable one): nothing to drop but our own graphs
        pass
    load_id = uuid.uuid4().hex[:12]
    targets = list(build.graphs)
    staging = {graph: f"urn:duikou-kg:staging:{load_id}:{index}" for index, graph in enumerate(targets)}
    uploader = _Uploader(settings, remote)
    if not uploader.graph_store:
        chunk = min(chunk, 5_000)  # INSERT DATA requests stay small
    started = time.perf_counter()
    nonempty: set[str] = set()
    try:
        for graph in targets:
            pending: list[ox.Triple] = []
            blank: list[ox.Triple] = []
            for triple in build.query(_ALL, default_graph=[ox.NamedNode(graph)]):
                (blank if _has_blank(triple) else pending).append(triple)
                if len(pending) >= chunk:
                    uploader.send(staging[graph], pending)
                    nonempty.add(graph)
                    progress and progress(len(pending))
                    pending = []
            for part in (pending, blank):
                if part:
                    uploader.send(staging[graph], part)
                    nonempty.add(graph)
                    progress and progress(len(part))
    except BaseException:
        _drop(remote, staging.values())
        raise
    uploaded = time.perf_counter() - started

    record = {"load_id": load_id, "pushed_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "manifest": manifest.to_json()}
    started = time.perf_counter()
    move = _move if _moves_graphs(remote, load_id) else _copy_and_clear  # asked before the window opens
    # Two requests: Virtuoso's CLEAR does not see triples inserted earlier in the same request.
    remote.update(f"CLEAR SILENT GRAPH <{LOAD_GRAPH}> ;\n" + _insert_record({**record, "state": "swapping"}))
    operations = [f"CLEAR SILENT GRAPH <{LOAD_GRAPH}>"]
    for graph in targets:
        operations += move(staging[graph], graph) if graph in nonempty else [f"CLEAR SILENT GRAPH <{graph}>"]
    operations += [f"CLEAR SILENT GRAPH <{graph}>" for graph in previous if graph not in staging]
    operations.append(_insert_record({**record, "state": "ready"}))
    remote.update(" ;\n".join(operations))
    left = [staging[graph] for graph in targets if graph in nonempty]
    if left and _any_triples(remote, left):  # a store that skipped an operation must not pass for loaded
        # The service refuses a failed load (503) rather than serve graphs of two loads under one record.
        remote.update(f"CLEAR SILENT GRAPH <{LOAD_GRAPH}> ;\n" + _insert_record({**record, "state": "failed"}))
        raise RemoteStoreError("the store did not move the uploaded graphs into place (the swap request was "
                               "accepted, but the staging graphs still hold triples); the load is marked failed")
    swapped = time.perf_counter() - started
    return PushReport(load_id=load_id, build_id=manifest.build_id, triples=manifest.triple_count,
                      graphs=len(targets), upload_seconds=uploaded, swap_seconds=swapped, method=uploader.method)


def _move(source: str, target: str) -> list[str]:
    return [f"MOVE SILENT <{source}> TO <{target}>"]


def _copy_and_clear(source: str, target: str) -> list[str]:
    """What MOVE means (SPARQL 1.1 Update, 3.2.4), spelt out for a store whose MOVE does not work."""
    return [f"CLEAR SILENT GRAPH <{target}>",
            f"INSERT {{ GRAPH <{target}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{source}> {{ ?s ?p ?o }} }}",
            f"CLEAR SILENT GRAPH <{source}>"]


def _any_triples(remote: RemoteStore, graphs: Iterable[str]) -> bool:
    values = " ".join(f"<{graph}>" for graph in graphs)
    return remote.ask_store(f"ASK {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}")


def _moves_graphs(remote: RemoteStore, load_id: str) -> bool:
    """Whether the store carries out MOVE between named graphs: Apache Jena 4.5 (Debian's, so Fuseki 4.5)
    refuses every ADD/MOVE/COPY of a named graph, and with SILENT the swap would pass without moving."""
    source, target = f"urn:duikou-kg:probe:{load_id}:from", f"urn:duikou-kg:probe:{load_id}:to"
    remote.update(f"INSERT DATA {{ GRAPH <{source}> {{ <{source}> <{source}> <{target}> . }} }}")
    try:
        remote.update(f"MOVE SILENT <{source}> TO <{target}>")
        return _any_triples(remote, [target]) and not _any_triples(remote, [source])
    finally:
        remote.update(f"CLEAR SILENT GRAPH <{source}> ;\nCLEAR SILENT GRAPH <{target}>")


def _insert_record(record: dict) -> str:
    (quad,) = load_record_quads(record)
    return f"INSERT DATA {{ GRAPH <{LOAD_GRAPH}> {{ {quad.subject} {quad.predicate} {quad.object} . }} }}"


def _drop(remote: RemoteStore, graphs: Iterable[str]) -> None:
    try:
        remote.update(" ;\n".join(f"CLEAR SILENT GRAPH <{graph}>" for graph in graphs))
    except Exception:  # best effort: the failure that brought us here is the one to report
        pass
