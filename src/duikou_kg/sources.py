"""Which files the build loads, the named graph each becomes, and a fingerprint of them all."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

from .namespaces import graph_iri

SOURCE_GLOBS = ("ontology/*.ttl", "data/ttl/**/*.ttl")


@dataclasses.dataclass(frozen=True)
class SourceFile:
    path: Path
    relative_path: str  # POSIX style, relative to the project root
    graph: str  # IRI of the named graph the file is loaded into


def discover_sources(project_root: Path) -> list[SourceFile]:
    """Source files under ``project_root`` sorted by relative path (ontology first)."""
    project_root = Path(project_root)
    found: dict[str, Path] = {}
    for pattern in SOURCE_GLOBS:
        for path in project_root.glob(pattern):
            if path.is_file():
                found[path.relative_to(project_root).as_posix()] = path
    return [
        SourceFile(path=path, relative_path=rel, graph=graph_iri(rel.removesuffix(".ttl")))
        for rel, path in sorted(found.items(), key=lambda item: (not item[0].startswith("ontology/"), item[0]))
    ]


def fingerprint(sources: list[SourceFile]) -> str:
    """sha256 over every relative path and content, so a rename or an edit changes it."""
    digest = hashlib.sha256()
    for source in sorted(sources, key=lambda s: s.relative_path):
        content = source.path.read_bytes()
        # Lengths are framed so no two different file sets can hash the same byte stream.
        for part in (source.relative_path.encode("utf-8"), content):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
    return digest.hexdigest()
