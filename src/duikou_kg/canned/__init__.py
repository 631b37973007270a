"""Canned queries: ``queries/*.rq`` files with ``#+`` metadata, served as an API and from the CLI.

- ``metadata``: reading a ``.rq`` file into a ``CannedQuery``; the ``Catalog`` of a folder
- ``params``: parameter types, validation, and conversion to RDF terms
- ``runner``: binding terms as ``VALUES`` rows (``duikou_kg.binding``) and reading one page of results
- ``formats``: JSON records, SPARQL JSON, CSV, TSV, Turtle, N-Triples
- ``openapi``: the OpenAPI 3 description of the catalog
- ``examples``: plain-SPARQL versions (VALUES-bound) for the query editor
"""

from __future__ import annotations

from pathlib import Path

from .formats import FORMATS, Format, render, term_to_json
from .metadata import DEFAULT_LIMIT, MAX_LIMIT, CannedQuery, Catalog, MetadataError, load_catalog, parse_query_file
from .params import Parameter, ParameterError
from .runner import Page, page_bounds, run_query

__all__ = [
    "DEFAULT_LIMIT",
    "FORMATS",
    "MAX_LIMIT",
    "CannedQuery",
    "Catalog",
    "Format",
    "MetadataError",
    "Page",
    "Parameter",
    "ParameterError",
    "default_queries_dir",
    "load_catalog",
    "page_bounds",
    "parse_query_file",
    "render",
    "run_query",
    "term_to_json",
]


def default_queries_dir(project_root: Path) -> Path:
    """Where the canned queries of a checkout live."""
    return Path(project_root) / "queries"
