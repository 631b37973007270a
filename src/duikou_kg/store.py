"""The on-disk store: build a new one from the sources, open the current one read-only.

Layout under ``data_dir``::

    builds/<fingerprint[:12]>-<UTC timestamp>/store/          pyoxigraph (RocksDB) store
    builds/<fingerprint[:12]>-<UTC timestamp>/manifest.json   what went in, counts, timings
    current                                                  name of the build in use
    build.lock                                               serialises concurrent builds

A build loads and infers in memory, writes a new directory, then swaps ``current`` with an
atomic ``os.replace``; readers (the server, a CLI query) open builds read-only, so a build never
disturbs them. A failed build deletes its own directory and leaves ``current`` alone.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from . import inference, rollups
from .config import Settings
from .binding import bind_values, can_bind_values
from .errors import MalformedQuery, ServiceNotAllowed
from .namespaces import INFERRED_GRAPH, all_prefixes
from .sources import SourceFile, discover_sources, fingerprint
from .sparql_guard import declares_dataset, forbidden_keywords

# Bump when the build's output changes for the same sources (rules, layout), forcing a rebuild.
BUILD_FORMAT = 2  # 2: roll-ups in the inferred graph
CURRENT_POINTER = "current"
MANIFEST = "manifest.json"


class BuildError(Exception):
    """The sources could not be built into a store; the previous build stays current."""


class SourceParseError(BuildError):
    def __init__(self, relative_path: str, line: int | None, column: int | None, reason: str) -> None:
        position = f":{line}:{column}" if line is not None else ""
        super().__init__(f"{relative_path}{position}: {reason}")
        self.relative_path = relative_path
        self.line = line
        self.column = column
        self.reason = reason


class StoreNotBuilt(BuildError):
    pass


@dataclasses.dataclass(frozen=True)
class BuildInfo:
    build_id: str
    path: Path  # the build directory
    fingerprint: str
    graph_counts: dict[str, int]  # asserted graph IRI -> triples
    graph_sources: dict[str, str]  # asserted graph IRI -> source file, relative to the project root
    inferred_count: int
    inference_rounds: int
    build_seconds: float
    inference_seconds: float
    built_at: str
    format: int = BUILD_FORMAT

    @property
    def asserted_count(self) -> int:
        return sum(self.graph_counts.values())

    @property
    def triple_count(self) -> int:
        return self.asserted_count + self.inferred_count

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "build_id": self.build_id,
            "fingerprint": self.fingerprint,
            "built_at": self.built_at,
            "build_seconds": round(self.build_seconds, 3),
            "inference_seconds": round(self.inference_seconds, 3),
            "inference_rounds": self.inference_rounds,
            "graphs": {
                iri: {"source": self.graph_sources[iri], "triples": count}
                for iri, count in self.graph_counts.items()
            },
            "inferred_graph": INFERRED_GRAPH,
            "inferred_triples": self.inferred_count,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], path: Path) -> "BuildInfo":
        graphs = data["graphs"]
        return cls(
            build_id=data["build_id"],
            path=path,
            fingerprint=data["fingerprint"],
            graph_counts={iri: entry["triples"] for iri, entry in graphs.items()},
            graph_sources={iri: entry["source"] for iri, entry in graphs.items()},
            inferred_count=data["inferred_triples"],
            inference_rounds=data["inference_rounds"],
            build_seconds=data["build_seconds"],
            inference_seconds=data["inference_seconds"],
            built_at=data["built_at"],
            format=data["format"],
        )


def _builds_dir(settings: Settings) -> Path:
    return settings.data_dir / "builds"


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def current_build(settings: Settings) -> BuildInfo | None:
    """The build ``current`` points at, or None when there is none (or it vanished)."""
    try:
        build_id = (settings.data_dir / CURRENT_POINTER).read_text(encoding="utf-8").strip()
        path = _builds_dir(settings) / build_id
        data = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
        return None
    return BuildInfo.from_json(data, path)


def current_build_id(settings: Settings) -> str | None:
    """Cheap check for readers that want to notice a new build."""
    try:
        return (settings.data_dir / CURRENT_POINTER).read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


@contextlib.contextmanager
def _build_lock(settings: Settings) -> Iterator[None]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.data_dir / "build.lock", "w", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _load_sources(sources: list[SourceFile]) -> ox.Store:
    """Parse every source into its own named graph of an in-memory store."""
    memory = ox.Store()
    for source in sources:
        try:
            if source.removals is not None:  # an accepted submission: its removals first, then its additions
                apply_removals(memory, source.removals)
            memory.load(path=source.path, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(source.graph))
        except SyntaxError as exc:
            line, column = (exc.lineno, exc.offset) if exc.lineno else (None, None)
            reason = str(exc.args[0] if exc.args else exc)
            raise SourceParseError(source.relative_path, line, column, reason) from None
        except ValueError as exc:  # e.g. a graph IRI pyoxigraph refuses
            raise SourceParseError(source.relative_path, None, None, str(exc)) from None
    return memory


def apply_removals(memory: ox.Store, path: Path) -> None:
    """Remove every triple of the N-Triples file ``path`` from every graph loaded so far."""
    for triple in ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES):
        for quad in list(memory.quads_for_pattern(triple.subject, triple.predicate, triple.object, None)):
            memory.remove(quad)


def _graph_counts(store: ox.Store) -> dict[str, int]:
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row["g"].value: int(row["n"].value) for row in rows}


def _write_store(memory: ox.Store, path: Path, round_graphs: tuple[str, ...]) -> None:
    """Copy the in-memory store to disk, moving the inference rounds' graphs into the inferred graph."""
    deltas = {ox.NamedNode(iri) for iri in round_graphs}
    inferred = ox.NamedNode(INFERRED_GRAPH)
    disk = ox.Store(path)
    disk.bulk_extend(
        ox.Quad(quad.subject, quad.predicate, quad.object, inferred) if quad.graph_name in deltas else quad
        for quad in memory
    )
    disk.flush()
    disk.optimize()
    del disk  # closes RocksDB, so read-only openers see a finished store


def _prune_builds(settings: Settings, keep: set[str]) -> None:
    for folder in _builds_dir(settings).iterdir():
        if folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)


def build_store(settings: Settings) -> BuildInfo:
    """Build a new store from the sources, make it current, delete older builds.

    Keeps the build that was current until now too, so a server still reading it is not cut
    off mid-request; everything older goes. Raises ``BuildError`` (``SourceParseError`` with
    file, line and column for a syntax error) and then leaves the current build as it was.
    """
    with _build_lock(settings):
        return _build_locked(settings)


def _build_locked(settings: Settings) -> BuildInfo:
    started = time.perf_counter()
    sources = discover_sources(settings.project_root)
    if not any(source.relative_path.startswith("ontology/") for source in sources):
        raise BuildError(f"no ontology/*.ttl under the project root {settings.project_root.name!r}")
    source_fingerprint = fingerprint(sources)
    memory = _load_sources(sources)
    try:
        report = inference.materialise(memory, keep_round_graphs=True)
    except inference.RuleError as exc:
        raise BuildError(str(exc)) from None
    rollup_triples = rollups.materialise_rollups(memory, INFERRED_GRAPH)
    counts = _graph_counts(memory)

    now = datetime.datetime.now(datetime.timezone.utc)
    build_id = f"{source_fingerprint[:12]}-{now.strftime('%Y%m%dT%H%M%S%fZ')}"
    build_dir = _builds_dir(settings) / build_id
    build_dir.mkdir(parents=True)
    try:
        _write_store(memory, build_dir / "store", report.graphs)
        info = BuildInfo(
            build_id=build_id,
            path=build_dir,
            fingerprint=source_fingerprint,
            graph_counts={source.graph: counts.get(source.graph, 0) for source in sources},
            graph_sources={source.graph: source.relative_path for source in sources},
            inferred_count=report.inferred_triples + rollup_triples,
            inference_rounds=report.rounds,
            build_seconds=time.perf_counter() - started,
            inference_seconds=report.seconds,
            built_at=now.isoformat(timespec="seconds"),
        )
        _write_atomically(build_dir / MANIFEST, json.dumps(info.to_json(), indent=2, ensure_ascii=False))
    except BaseException:
        shutil.rmtree(build_dir, ignore_errors=True)
        raise
    previous = current_build_id(settings)
    _write_atomically(settings.data_dir / CURRENT_POINTER, build_id + "\n")
    _prune_builds(settings, keep={build_id, previous} - {None})
    return info


def is_stale(settings: Settings, build: BuildInfo | None) -> bool:
    if build is None or build.format != BUILD_FORMAT:
        return True
    return build.fingerprint != fingerprint(discover_sources(settings.project_root))


def open_store(settings: Settings, *, rebuild_if_stale: bool = True) -> "KnowledgeStore":
    """The current build, opened read-only; built first when missing or stale (if allowed)."""
    build = current_build(settings)
    if rebuild_if_stale and is_stale(settings, build):
        with _build_lock(settings):
            build = current_build(settings)  # another process may have built meanwhile
            if is_stale(settings, build):
                build = _build_locked(settings)
    if build is None:
        raise StoreNotBuilt("no build yet: run `duikou-kg build`")
    return KnowledgeStore(ox.Store.read_only(str(build.path / "store")), build)


class KnowledgeStore:
    """A read-only view of one build: SPARQL with a union default graph, plus what went in."""

    def __init__(self, store: ox.Store, manifest: BuildInfo) -> None:
        self._store = store
        self._manifest = manifest

    @property
    def version(self) -> str:
        """Fingerprint of the sources of this build (stable across rebuilds of the same sources)."""
        return self._manifest.fingerprint

    @property
    def manifest(self) -> BuildInfo:
        return self._manifest

    @property
    def triple_count(self) -> int:
        return self._manifest.triple_count

    @property
    def graphs(self) -> list[str]:
        """Asserted graphs in source order, then the inferred graph."""
        return [*self._manifest.graph_counts, INFERRED_GRAPH]

    def query(
        self,
        sparql: str,
        *,
        substitutions: dict[ox.Variable, Any] | None = None,
        default_graph: list[str | ox.NamedNode] | None = None,
        named_graphs: list[str | ox.NamedNode] | None = None,
        base_iri: str | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Evaluate a SPARQL query; refuse SERVICE before evaluation.

        The default graph is the union of all graphs unless ``default_graph`` is given or the
        query names its own dataset with FROM. Relative IRIs resolve against ``base_iri`` (the
        endpoint's URL for protocol requests) unless the query declares BASE.
        Raises ``MalformedQuery`` / ``ServiceNotAllowed``.
        """
        if forbidden_keywords(sparql):
            raise ServiceNotAllowed()
        options: dict[str, Any] = {"prefixes": all_prefixes()}
        if default_graph is not None:
            options["default_graph"] = [_node(graph) for graph in default_graph]
        elif not declares_dataset(sparql):
            options["use_default_graph_as_union"] = True
        if named_graphs is not None:
            options["named_graphs"] = [_node(graph) for graph in named_graphs]
        if substitutions and can_bind_values(sparql, substitutions):
            sparql = bind_values(sparql, substitutions)  # the optimiser plans around a VALUES row, not substitutions
        elif substitutions:
            options["substitutions"] = substitutions
        if base_iri:
            options["base_iri"] = base_iri
        try:
            return self._store.query(sparql, **options)
        except SyntaxError as exc:
            raise MalformedQuery.from_syntax_error(exc) from None

    def quads_for_pattern(self, subject: Any, predicate: Any, obj: Any, graph: Any = None) -> Iterator[ox.Quad]:
        """Index lookup of the quads matching a pattern (``None`` matches anything), no query text."""
        return self._store.quads_for_pattern(subject, predicate, obj, graph)

    def quads(self, *, include_inferred: bool = True) -> Iterator[ox.Quad]:
        inferred = ox.NamedNode(INFERRED_GRAPH)
        for quad in self._store:
            if include_inferred or quad.graph_name != inferred:
                yield quad


def _node(graph: str | ox.NamedNode) -> ox.NamedNode:
    return graph if isinstance(graph, ox.NamedNode) else ox.NamedNode(graph)
