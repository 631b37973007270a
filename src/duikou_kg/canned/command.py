"""Canned queries from the command line: ``duikou-kg query --name NAME --param key=value …``.

The same catalog, validation, binding and renderers as the API; only the transport differs. Paging and
raw output are parameters too, as in the API's query string: ``--param limit=50 --param offset=100``,
``--param raw=1`` (W3C SPARQL JSON instead of the records).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from .formats import FORMATS, formats_for, raw_flag, render
from .metadata import Catalog, load_catalog
from .params import ParameterError
from .runner import run_query

__all__ = ["CLI_FORMATS", "CannedCommandError", "parse_params", "run_named"]

#: Formats the command line offers (HTML is a web page: use the API for it).
CLI_FORMATS = tuple(f.name for f in FORMATS if f.name != "html")


class CannedCommandError(ValueError):
    """Anything the user can fix: unknown query, bad ``key=value``, bad parameter, wrong format."""


def parse_params(pairs: Iterable[str]) -> dict[str, str]:
    """``["year=1996", "lang=zh"]`` → ``{"year": "1996", "lang": "zh"}``; each key at most once."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise CannedCommandError(f"--param expects key=value, got {pair!r}")
        if key in out:
            raise CannedCommandError(f"--param {key} given more than once")
        out[key] = value
    return out


def run_named(store: Any, name: str, pairs: Iterable[str], format_name: str = "json", *,
              queries_dir: Path | None = None, catalog: Catalog | None = None) -> bytes:
    """Run the canned query ``name`` with ``key=value`` pairs and render it in ``format_name``."""
    if catalog is None:
        if queries_dir is None:
            raise TypeError("give queries_dir or catalog")
        catalog = load_catalog(queries_dir)
    query = catalog.get(name)
    if query is None:
        raise CannedCommandError(f"no canned query named {name!r}; there are: {', '.join(catalog.names)}")
    offered = [f.name for f in formats_for(query.is_graph) if f.name in CLI_FORMATS]
    if format_name not in offered:
        raise CannedCommandError(f"query {name!r} comes as {', '.join(offered)}, not {format_name!r}")
    arguments = parse_params(pairs)
    try:
        if raw_flag(arguments.get("raw")):  # as on the API: raw=1 turns the JSON records into SPARQL JSON
            if query.is_graph or format_name != "json":
                raise ParameterError("raw", "goes with JSON output of SELECT queries only")
            format_name = "sparql"
        page = run_query(query, store, arguments)
    except ParameterError as exc:
        raise CannedCommandError(str(exc)) from None
    return render(page, format_name)
