"""Submissions: dry run (validation + diff), accept (atomic folder + new build), revert.

Pending submissions are JSON records under ``<data_dir>/curation/submissions/``. An accepted one is the
folder ``<project_root>/data/curation/<seq>-<id>/`` (additions.ttl, removals.nt, provenance.ttl,
submission.json), written under a temporary name and renamed into place: the rename is the commit. The
build then replays the folders in order (``duikou_kg.sources``), so the files are the truth and the store
follows them; a start-up after a crash finds the fingerprint changed and rebuilds.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import fcntl
import json
import os
import re
import secrets
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib

from ..config import Settings
from ..errors import ApiError
from ..namespaces import ID_BASE, INFERRED_GRAPH, RDFS, all_prefixes, graph_iri
from ..sources import CURATION_DIR, REMOVALS_FILE
from ..store import KnowledgeStore, build_store, open_store
from ..validation.context import ValidationContext, rdflib_to_quads
from ..validation.incremental import validate_incremental
from .provenance import provenance_turtle

__all__ = ["Curation", "CurationError", "Submission"]

_ID = re.compile(r"^[0-9a-f]{12}$")
_FOLDER = re.compile(r"^(\d{6})-([0-9a-f]{12})$")
INFERRED = ox.NamedNode(INFERRED_GRAPH)
LABEL = ox.NamedNode(RDFS + "label")


class CurationError(ApiError):
    pass


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _nt(triples: list[ox.Triple]) -> str:
    return "".join(f"{line}\n" for line in sorted(f"{t} ." for t in triples))


def _triples(nt_text: str) -> list[ox.Triple]:
    return list(ox.parse(nt_text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)) if nt_text.strip() else []


def _graph(triples: list[ox.Triple]) -> rdflib.Graph:
    graph = rdflib.Graph()
    if triples:
        graph.parse(data=_nt(triples), format="nt")
    return graph


def _write(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclasses.dataclass
class Submission:
    id: str
    kind: str  # "submission" or "revert"
    curator: str
    created: str
    source: str
    comment: str
    additions: str  # N-Triples: the triples this submission adds (those not in the graph already)
    removals: str  # N-Triples: the asserted triples it removes
    already_present: int  # submitted additions already asserted (left out: nothing to add)
    not_present: list[str]  # submitted removals that are not asserted (left out: nothing to remove)
    report: dict[str, Any]
    validated_against: str  # fingerprint of the build the report is about
    reverts: str | None = None
    diff: dict[str, Any] = dataclasses.field(default_factory=dict)
    status: str = "pending"  # pending | accepted | reverted (derived from data/curation/ when read)
    accepted_at: str | None = None
    folder: str | None = None
    reverted_by: str | None = None

    @property
    def conforms(self) -> bool:
        return bool(self.report.get("conforms"))

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["conforms"] = self.conforms
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Submission":
        fields = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in fields})


class Curation:
    """The submission path of one project (``settings.project_root``) and data dir."""

    def __init__(self, settings: Settings, context: ValidationContext | None = None) -> None:
        self.settings = settings
        self.context = context or ValidationContext(settings)
        self.records = settings.data_dir / "curation" / "submissions"
        self.accepted_dir = settings.project_root / CURATION_DIR
        self._thread_lock = threading.Lock()

    # -- locking and reading ----------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One writer at a time, across threads and processes."""
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        with self._thread_lock, open(self.settings.data_dir / "curation.lock", "w", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _store(self) -> KnowledgeStore:
        return open_store(self.settings)

    def accepted_folders(self) -> dict[str, Path]:
        """Submission id → its folder, for every accepted submission, in acceptance order."""
        if not self.accepted_dir.is_dir():
            return {}
        found = {}
        for folder in sorted(self.accepted_dir.iterdir()):
            match = _FOLDER.match(folder.name)
            if match and folder.is_dir():
                found[match.group(2)] = folder
        return found

    def _accepted_meta(self) -> dict[str, dict[str, Any]]:
        return {
            sid: json.loads((folder / "submission.json").read_text(encoding="utf-8"))
            for sid, folder in self.accepted_folders().items()
        }

    def get(self, submission_id: str) -> Submission:
        if not _ID.match(submission_id or ""):
            raise CurationError(404, "not_found", f"No submission {submission_id!r}.")
        meta = self._accepted_meta()
        path = self.records / f"{submission_id}.json"
        if path.is_file():
            submission = Submission.from_json(json.loads(path.read_text(encoding="utf-8")))
        elif submission_id in meta:  # accepted elsewhere (e.g. another data dir): the folder is the record
            submission = Submission.from_json(meta[submission_id])
        else:
            raise CurationError(404, "not_found", f"No submission {submission_id!r}.")
        if submission_id in meta:
            submission.status = "accepted"
            submission.accepted_at = meta[submission_id].get("accepted_at")
            submission.folder = f"{CURATION_DIR}/{self.accepted_folders()[submission_id].name}"
            for other in meta.values():
                if other.get("reverts") == submission_id:
                    submission.status, submission.reverted_by = "reverted", other["id"]
        else:
            submission.status, submission.accepted_at, submission.folder = "pending", None, None
        return submission

    def _save(self, submission: Submission) -> None:
        self.records.mkdir(parents=True, exist_ok=True)
        path = self.records / f"{submission.id}.json"
        temporary = path.with_name(f".{path.name}.tmp")
        _write(temporary, json.dumps(submission.to_json(), ensure_ascii=False, indent=1))
        os.replace(temporary, path)

    # -- dry run ----------------------------------------------------------------------------------

    def submit(
        self,
        additions: rdflib.Graph,
        removals: rdflib.Graph | None = None,
        *,
        curator: str,
        source: str,
        comment: str = "",
        kind: str = "submission",
        reverts: str | None = None,
    ) -> Submission:
        """Validate and diff a submission against the current graph and keep it as pending."""
        if not source.strip():
            raise CurationError(400, "missing_source", "Say where the facts come from: give a source document.")
        added = rdflib_to_quads(additions)
        removed = rdflib_to_quads(removals) if removals is not None else []
        if any(isinstance(x, ox.BlankNode) for t in added + removed for x in (t.subject, t.object)):
            raise CurationError(400, "blank_node", "Name every resource with an IRI: blank nodes cannot be reverted.")
        if not added and not removed:
            raise CurationError(400, "empty_submission", "The submission adds and removes nothing.")
        submission = Submission(
            id=secrets.token_hex(6), kind=kind, curator=curator, created=_now(), source=source.strip(),
            comment=comment.strip(), additions="", removals="", already_present=0, not_present=[], report={},
            validated_against="", reverts=reverts,
        )
        self._evaluate(submission, added, removed, self._store())
        self._save(submission)
        return submission

    def _evaluate(self, submission: Submission, added: list[ox.Triple], removed: list[ox.Triple],
                  store: KnowledgeStore) -> None:
        """Effective delta, validation report and diff of ``submission`` against ``store``."""

        def asserted(t: ox.Triple) -> bool:
            return any(q.graph_name != INFERRED for q in store.quads_for_pattern(t.subject, t.predicate, t.object))

        effective_add = [t for t in dict.fromkeys(added) if not asserted(t)]
        effective_remove = [t for t in dict.fromkeys(removed) if asserted(t)]
        submission.additions = _nt(effective_add)
        submission.removals = _nt(effective_remove)
        submission.already_present = len(set(added)) - len(effective_add)
        submission.not_present = sorted(f"{t} ." for t in set(removed) if not asserted(t))
        report = validate_incremental(
            _graph(effective_add), store=store, context=self.context, removals=_graph(effective_remove)
        )
        submission.report = {**report.to_json(), "text": {"zh": report.to_text("zh"), "en": report.to_text("en")}}
        submission.validated_against = store.version
        submission.diff = self._diff(effective_add, effective_remove, store)

    def _diff(self, added: list[ox.Triple], removed: list[ox.Triple], store: KnowledgeStore) -> dict[str, Any]:
        terms = self.context.ontology_terms
        resources: dict[str, dict[str, Any]] = {}
        for change, triples in (("added", added), ("removed", removed)):
            for t in triples:
                nodes = [t.subject]
                if isinstance(t.object, ox.NamedNode) and t.object not in terms:
                    nodes.append(t.object)
                for node in nodes:
                    entry = resources.setdefault(node.value, {"iri": node.value, "labels": {}, "added": 0, "removed": 0})
                    if node == t.subject:
                        entry[change] += 1
        for iri, entry in resources.items():
            labels = [q.object for q in store.quads_for_pattern(ox.NamedNode(iri), LABEL, None)]
            labels += [t.object for t in added if t.subject.value == iri and t.predicate == LABEL]
            for label in labels:
                if isinstance(label, ox.Literal) and label.language in ("zh", "en"):
                    entry["labels"].setdefault(label.language, label.value)
        return {
            "added": [f"{t} ." for t in added],
            "removed": [f"{t} ." for t in removed],
            "resources": sorted(resources.values(), key=lambda e: e["iri"]),
        }

    # -- accept -----------------------------------------------------------------------------------

    def accept(self, submission_id: str, *, curator: str) -> Submission:
        """Commit a valid pending submission: re-validated first if the graph changed since its dry run."""
        with self._locked():
            return self._accept_locked(submission_id, curator=curator)

    def _accept_locked(self, submission_id: str, *, curator: str) -> Submission:
        submission = self.get(submission_id)
        if submission.status != "pending":
            raise CurationError(409, "already_accepted", f"Submission {submission_id} is already {submission.status}.")
        store = self._store()
        if store.version != submission.validated_against:
            self._evaluate(submission, _triples(submission.additions), _triples(submission.removals), store)
            self._save(submission)
        if not submission.conforms:
            raise CurationError(409, "invalid_submission",
                                f"Submission {submission_id} does not pass validation and cannot be accepted.",
                                report=submission.report)
        if not submission.additions and not submission.removals:
            raise CurationError(409, "nothing_to_change", f"Submission {submission_id} no longer changes anything.")
        self._commit(submission, accepted_by=curator)
        build_store(self.settings)
        return self.get(submission_id)

    def _commit(self, submission: Submission, *, accepted_by: str) -> Path:
        """Write the folder under a temporary name, then rename it into place (the atomic step)."""
        self.accepted_dir.mkdir(parents=True, exist_ok=True)
        for stale in self.accepted_dir.glob(".tmp-*"):  # left by a crash before its rename: never committed
            shutil.rmtree(stale, ignore_errors=True)
        numbers = [int(_FOLDER.match(f.name).group(1)) for f in self.accepted_folders().values()]
        name = f"{max(numbers, default=0) + 1:06d}-{submission.id}"
        final = self.accepted_dir / name
        temporary = self.accepted_dir / f".tmp-{name}"
        temporary.mkdir()
        accepted_at = _now()
        graph = graph_iri(f"{CURATION_DIR}/{name}/additions")
        additions = _graph(_triples(submission.additions))
        for prefix, namespace in all_prefixes().items():
            additions.bind(prefix, namespace)
        header = (f"# Triples added by curation submission {submission.id} ({submission.kind}), accepted {accepted_at}.\n"
                  f"# Written by `duikou-kg`; change them through a new submission, not by hand.\n")
        body = additions.serialize(format="turtle") if len(additions) else ""
        _write(temporary / "additions.ttl", header + body)
        _write(temporary / REMOVALS_FILE, submission.removals)
        _write(temporary / "provenance.ttl", provenance_turtle(
            submission, graph=graph, accepted_at=accepted_at, accepted_by=accepted_by,
            reverted_graph=self._graph_of(submission.reverts) if submission.reverts else None,
        ))
        meta = {**submission.to_json(), "accepted_at": accepted_at, "accepted_by": accepted_by, "status": "accepted"}
        meta.pop("report", None)
        _write(temporary / "submission.json", json.dumps(meta, ensure_ascii=False, indent=1))
        for path in (temporary / "additions.ttl", temporary / "provenance.ttl"):  # must build, or no commit
            ox.parse(path=path, format=ox.RdfFormat.TURTLE)
        ox.parse(path=temporary / REMOVALS_FILE, format=ox.RdfFormat.N_TRIPLES)
        _fsync_dir(temporary)
        os.rename(temporary, final)
        _fsync_dir(self.accepted_dir)
        if self.settings.curation_commit_pause:
            time.sleep(self.settings.curation_commit_pause)  # test hook: a crash here must leave a consistent state
        return final

    def _graph_of(self, submission_id: str) -> str | None:
        folder = self.accepted_folders().get(submission_id)
        return graph_iri(f"{CURATION_DIR}/{folder.name}/additions") if folder else None

    # -- revert -----------------------------------------------------------------------------------

    def revert(self, submission_id: str, *, curator: str, comment: str = "") -> Submission:
        """Undo an accepted submission with a new submission (its removals added back, its additions removed)."""
        with self._locked():
            target = self.get(submission_id)
            if target.status != "accepted":
                raise CurationError(409, "not_revertible", f"Submission {submission_id} is {target.status}: "
                                    "only an accepted, not yet reverted submission can be reverted.")
            undo = self.submit(
                _graph(_triples(target.removals)), _graph(_triples(target.additions)),
                curator=curator, source=f"{ID_BASE}submission/{submission_id}",
                comment=comment or f"Revert of submission {submission_id}", kind="revert", reverts=submission_id,
            )
            if not undo.conforms:
                raise CurationError(409, "invalid_submission",
                                    f"Reverting {submission_id} would leave the graph invalid; "
                                    f"the revert is kept as pending submission {undo.id}.",
                                    submission=undo.id, report=undo.report)
            return self._accept_locked(undo.id, curator=curator)
