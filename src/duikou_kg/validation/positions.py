"""Parsing uploaded RDF with the position of the first syntax error (line and column), for 400 answers.

The data is parsed by ``loading.parse_bytes`` (safe: nothing fetched or opened). When that fails, the
position comes from the error itself (JSON, XML) or from parsing the same bytes with pyoxigraph (Turtle,
N-Triples), which reports line and column and, like rdflib here, reads only the bytes it is given.
"""

from __future__ import annotations

import json
import re
import xml.sax

import pyoxigraph as ox
import rdflib

from .loading import UnsafeInputError, parse_bytes

__all__ = ["MEDIA_TYPES", "RdfSyntaxError", "parse_with_position"]

#: Request media type → rdflib parser name.
MEDIA_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/ld+json": "json-ld",
    "application/json": "json-ld",
    "application/rdf+xml": "xml",
}

_OX_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}
_LINE = re.compile(r"\bline (\d+)")


class RdfSyntaxError(ValueError):
    """The input is not well-formed in its format; ``line``/``column`` are 1-based when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def _position(data: bytes, fmt: str, exc: BaseException) -> tuple[int | None, int | None]:
    cause = exc.__cause__ or exc
    if isinstance(cause, json.JSONDecodeError):
        return cause.lineno, cause.colno
    if isinstance(cause, xml.sax.SAXParseException):
        return cause.getLineNumber(), cause.getColumnNumber() + 1
    if fmt in _OX_FORMATS:
        try:
            for _ in ox.parse(data, format=_OX_FORMATS[fmt]):
                pass
        except SyntaxError as ox_error:
            if ox_error.lineno:
                return ox_error.lineno, ox_error.offset
        except ValueError:
            pass
    match = _LINE.search(str(exc))
    return (int(match.group(1)), None) if match else (None, None)


def parse_with_position(data: bytes, fmt: str, *, name: str = "upload") -> rdflib.Graph:
    """Parse ``data``; raise ``RdfSyntaxError`` with line and column, or ``UnsafeInputError``."""
    try:
        return parse_bytes(data, fmt, name=name)
    except UnsafeInputError:
        raise
    except Exception as exc:  # rdflib's parsers raise many unrelated classes for bad input
        line, column = _position(data, fmt, exc)
        reason = " ".join(str(exc).split())[:300]
        where = f" at line {line}" + (f", column {column}" if column else "") if line else ""
        raise RdfSyntaxError(f"{name}: not valid {fmt}{where}: {reason}", line, column) from None
