"""Whole-graph dumps: with and without inferred triples, in four formats, gzip-compressed, with SHA-256 files.

Files are named ``duikou-kg-<variant>.<ext>.gz`` (variant ``all`` = asserted + inferred, ``asserted`` = without
the inferred graph). Turtle and N-Triples hold the merge of all graphs (the default graph the SPARQL endpoint
queries); N-Quads and JSON-LD keep every named graph. Each file gets ``<file>.sha256`` in ``sha256sum`` format,
and ``dumps.json`` lists them all (read by the VoID description). Gzip headers carry no time stamp, so the
same data always gives the same checksums.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox

from .rdf import prefixes

MANIFEST = "dumps.json"
VARIANTS = ("all", "asserted")


@dataclass(frozen=True)
class DumpFormat:
    extension: str
    media_type: str
    rdf_format: ox.RdfFormat
    quads: bool  # keeps named graphs


DUMP_FORMATS = (
    DumpFormat("ttl", "text/turtle", ox.RdfFormat.TURTLE, False),
    DumpFormat("nt", "application/n-triples", ox.RdfFormat.N_TRIPLES, False),
    DumpFormat("nq", "application/n-quads", ox.RdfFormat.N_QUADS, True),
    DumpFormat("jsonld", "application/ld+json", ox.RdfFormat.JSON_LD, True),
)


@dataclass(frozen=True)
class DumpFile:
    name: str
    variant: str
    extension: str
    media_type: str
    statements: int  # triples, or quads for the formats that keep graphs
    bytes: int
    sha256: str


def store_quads(store, *, include_inferred: bool) -> list[ox.Quad]:
    # The backend's own whole-graph read: on a remote store it is checked against the load record and can
    # go in pages (DUIKOU_KG_SPARQL_PAGE_ROWS), where one query would be cut at the store's answer cap.
    return sorted(store.quads(include_inferred=include_inferred), key=str)


def merged_triples(quads: list[ox.Quad]) -> list[ox.Triple]:
    return sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=str)


def dump_name(variant: str, extension: str) -> str:
    return f"duikou-kg-{variant}.{extension}.gz"


def _gzip(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, filename="") as out:
        out.write(data)
    return buffer.getvalue()


def format_for(extension: str) -> DumpFormat:
    return next(fmt for fmt in DUMP_FORMATS if fmt.extension == extension)


def serialize_dump(quads: list[ox.Quad], fmt: DumpFormat) -> tuple[bytes, int]:
    """The bytes of one dump and how many statements it holds (quads, or merged triples for triple formats)."""
    statements = quads if fmt.quads else merged_triples(quads)
    kwargs = {} if fmt.rdf_format in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS) else {"prefixes": prefixes()}
    return ox.serialize(statements, format=fmt.rdf_format, **kwargs), len(statements)


def write_dumps(store, out_dir: Path, *, formats: tuple[str, ...] | None = None) -> list[DumpFile]:
    """Write every variant × format (or only ``formats`` extensions) into ``out_dir``; return what was written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[DumpFile] = []
    for variant in VARIANTS:
        quads = store_quads(store, include_inferred=variant == "all")
        for fmt in DUMP_FORMATS:
            if formats and fmt.extension not in formats:
                continue
            raw, count = serialize_dump(quads, fmt)
            data = _gzip(raw)
            name = dump_name(variant, fmt.extension)
            _write_atomically(out_dir / name, data)
            digest = hashlib.sha256(data).hexdigest()
            _write_atomically(out_dir / f"{name}.sha256", f"{digest}  {name}\n".encode())
            written.append(DumpFile(name, variant, fmt.extension, fmt.media_type, count, len(data), digest))
    manifest = {"version": getattr(store, "version", None), "files": [asdict(f) for f in written]}
    _write_atomically(out_dir / MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode())
    return written


def dumps_are_current(store, out_dir: Path) -> bool:
    """True when ``out_dir`` holds the dumps of exactly this store version."""
    manifest = read_manifest(out_dir)
    return bool(manifest) and manifest.get("version") == getattr(store, "version", None) and all(
        (Path(out_dir) / entry["name"]).is_file() for entry in manifest["files"])


def _write_atomically(path: Path, data: bytes) -> None:
    # A reader (the /dumps/ route) never sees half a file: write beside it, then rename over it.
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def read_manifest(out_dir: Path) -> dict | None:
    path = Path(out_dir) / MANIFEST
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def parse_dump(path: Path) -> list:
    """Parse a dump back (used by tests and by anyone checking a download)."""
    fmt = format_for(Path(path).name.removesuffix(".gz").rsplit(".", 1)[-1])
    with gzip.open(path, "rb") as handle:
        return list(ox.parse(handle.read(), format=fmt.rdf_format))
