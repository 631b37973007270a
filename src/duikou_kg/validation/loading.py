"""Reading RDF files safely.

Files are read as bytes by this module and handed to rdflib as data, never as a location, so rdflib and
pySHACL are never given a string they could take for a path or a URL. Formats that can pull in outside
content are checked first: JSON-LD remote contexts (``"@context": "http://…"``, ``@import``) and XML
external entities (``<!ENTITY … SYSTEM …>``, ``<!DOCTYPE … SYSTEM …>``) are refused. IRIs in the data
such as ``<file:///etc/passwd>`` are just names: nothing here dereferences them.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any, Iterable

import rdflib

__all__ = [
    "FORMAT_BY_SUFFIX",
    "UnsafeInputError",
    "UnsupportedFormatError",
    "format_for",
    "parse_bytes",
    "parse_file",
    "parse_files",
]

#: rdflib parser name per file suffix.
FORMAT_BY_SUFFIX = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".jsonld": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}

UPLOAD_BASE = "https://w3id.org/duikou/graph/upload/"


class UnsupportedFormatError(ValueError):
    """The file's suffix names no RDF format this project reads."""


class UnsafeInputError(ValueError):
    """The file asks the parser to fetch something from outside (a remote context or an external entity)."""


def format_for(path: Path) -> str:
    try:
        return FORMAT_BY_SUFFIX[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(FORMAT_BY_SUFFIX))
        raise UnsupportedFormatError(f"{path.name}: unsupported file type (use one of {known})") from None


_XML_EXTERNAL = re.compile(rb"<!(?:ENTITY|DOCTYPE)[^>]*?\b(?:SYSTEM|PUBLIC)\b", re.IGNORECASE)


def _check_jsonld(node: Any, name: str) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                _check_context(value, name)
            else:
                _check_jsonld(value, name)
    elif isinstance(node, list):
        for item in node:
            _check_jsonld(item, name)


def _check_context(context: Any, name: str) -> None:
    if isinstance(context, str):
        raise UnsafeInputError(f"{name}: remote JSON-LD context {context!r} refused; inline the context")
    if isinstance(context, list):
        for item in context:
            _check_context(item, name)
    elif isinstance(context, dict):
        if "@import" in context:
            raise UnsafeInputError(f"{name}: JSON-LD @import refused; inline the context")
        for value in context.values():
            if isinstance(value, dict) and "@context" in value:  # scoped contexts
                _check_context(value["@context"], name)


def parse_bytes(
    data: bytes, fmt: str, *, name: str = "upload", graph: rdflib.Graph | None = None
) -> rdflib.Graph:
    """Parse ``data`` (the file's content) in rdflib format ``fmt`` into ``graph`` (a new one by default)."""
    graph = rdflib.Graph() if graph is None else graph
    if fmt == "json-ld":
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{name}: not valid JSON: {exc}") from exc
        _check_jsonld(document, name)
    elif fmt == "xml" and _XML_EXTERNAL.search(data):
        raise UnsafeInputError(f"{name}: XML external entities or DTDs are refused")
    # A fixed, non-dereferenceable public ID: relative IRIs resolve against it, and rdflib never derives a
    # base from the working directory or the file system.
    public_id = UPLOAD_BASE + re.sub(r"[^A-Za-z0-9._-]", "_", name)
    with warnings.catch_warnings():
        # rdflib's own JSON-LD parser builds a ConjunctiveGraph internally and warns about it.
        warnings.filterwarnings("ignore", message="ConjunctiveGraph is deprecated", category=DeprecationWarning)
        graph.parse(data=data, format=fmt, publicID=public_id)
    return graph


def parse_file(path: Path, graph: rdflib.Graph | None = None) -> rdflib.Graph:
    """Read ``path`` and parse it by its suffix (.ttl .nt .jsonld .rdf .owl .xml)."""
    path = Path(path)
    fmt = format_for(path)
    return parse_bytes(path.read_bytes(), fmt, name=path.name, graph=graph)


def parse_files(paths: Iterable[Path], graph: rdflib.Graph | None = None) -> rdflib.Graph:
    graph = rdflib.Graph() if graph is None else graph
    for path in paths:
        parse_file(path, graph)
    return graph
