"""Which files the build loads, the named graph each becomes, and a fingerprint of them all."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

from .namespaces import graph_iri

SOURCE_GLOBS = ("ontology/*.ttl", "data/ttl/**/*.ttl")
#: Accepted curation submissions, one folder each, replayed after the hand-written files in folder-name
#: order (the folder name starts with the acceptance sequence number; see docs/curation.md).
CURATION_DIR = "data/curation"
CURATION_FILES = ("additions.ttl", "provenance.ttl")
REMOVALS_FILE = "removals.nt"


@dataclasses.dataclass(frozen=True)
class SourceFile:
    path: Path
    relative_path: str  # POSIX style, relative to the project root
    graph: str  # IRI of the named graph the file is loaded into
    removals: Path | None = None  # N-Triples to remove from all graphs loaded so far, before this file


def discover_sources(project_root: Path) -> list[SourceFile]:
    """Source files under ``project_root`` sorted by relative path (ontology first)."""
    project_root = Path(project_root)
    found: dict[str, Path] = {}
    for pattern in SOURCE_GLOBS:
        for path in project_root.glob(pattern):
            if path.is_file():
                found[path.relative_to(project_root).as_posix()] = path
    hand_written = [
        SourceFile(path=path, relative_path=rel, graph=graph_iri(rel.removesuffix(".ttl")))
        for rel, path in sorted(found.items(), key=lambda item: (not item[0].startswith("ontology/"), item[0]))
    ]
    return hand_written + curation_sources(project_root)


def curation_sources(project_root: Path) -> list[SourceFile]:
    """The files of accepted submissions in acceptance order; folders being written (``.…``) are skipped."""
    folder = Path(project_root) / CURATION_DIR
    if not folder.is_dir():
        return []
    out = []
    for step in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for index, name in enumerate(CURATION_FILES):
            path = step / name
            rel = path.relative_to(project_root).as_posix()
            removals = step / REMOVALS_FILE if index == 0 and (step / REMOVALS_FILE).is_file() else None
            out.append(SourceFile(path=path, relative_path=rel, graph=graph_iri(rel.removesuffix(".ttl")),
                                  removals=removals))
    return out


def fingerprint(sources: list[SourceFile]) -> str:
    """sha256 over every relative path and content, so a rename or an edit changes it."""
    digest = hashlib.sha256()
    for source in sorted(sources, key=lambda s: s.relative_path):
        content = source.path.read_bytes()
        parts = [source.relative_path.encode("utf-8"), content]
        if source.removals is not None:
            parts.append(source.removals.read_bytes())
        # Lengths are framed so no two different file sets can hash the same byte stream.
        for part in parts:
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
    return digest.hexdigest()
