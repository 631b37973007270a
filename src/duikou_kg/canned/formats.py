"""Output formats of canned queries: one table of formats, one renderer each (HTML lives in the web layer).

``json``   ``{"rows": [{column: value}], "columns": [...], "limit", "offset", "next"}``: IRIs and strings as
           JSON strings, integers as numbers, booleans as booleans, unbound as null
``sparql`` the W3C SPARQL 1.1 Query Results JSON of the page, every variable (parameters included)
``csv``    SPARQL 1.1 CSV results: plain values (IRIs without brackets, literals without tags)
``tsv``    SPARQL 1.1 TSV results: terms in Turtle/N-Triples syntax
``ttl``    Turtle (CONSTRUCT queries only)
``nt``     N-Triples (CONSTRUCT queries only)
``html``   a table page (rendered by ``duikou_kg.web.api``)
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from ..namespaces import XSD, all_prefixes
from .params import ParameterError
from .runner import Page

__all__ = ["FORMATS", "Format", "format_for_extension", "formats_for", "raw_flag", "render", "term_to_json"]


@dataclasses.dataclass(frozen=True)
class Format:
    name: str
    extension: str
    media_type: str
    select: bool  # offered for SELECT queries
    graph: bool  # offered for CONSTRUCT queries


#: In order of preference when the caller's Accept header leaves the choice to us.
FORMATS: tuple[Format, ...] = (
    Format("json", "json", "application/json", True, True),
    Format("sparql", "srj", "application/sparql-results+json", True, False),
    Format("ttl", "ttl", "text/turtle", False, True),
    Format("nt", "nt", "application/n-triples", False, True),
    Format("csv", "csv", "text/csv", True, True),
    Format("tsv", "tsv", "text/tab-separated-values", True, True),
    Format("html", "html", "text/html", True, True),
)

_BY_NAME = {f.name: f for f in FORMATS}
_INTEGER_TYPES = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                     "positiveInteger", "nonPositiveInteger", "negativeInteger",
                                     "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}


_TRUE, _FALSE = {"1", "true", "yes"}, {"0", "false", "no", ""}


def raw_flag(text: str | None) -> bool:
    """The ``raw`` argument (API query string or CLI ``--param raw=1``): SPARQL JSON instead of records."""
    value = (text or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ParameterError("raw", "must be 0 or 1")


def format_for_extension(extension: str) -> Format | None:
    return next((f for f in FORMATS if f.extension == extension), None)


def formats_for(page_or_graph: bool) -> list[Format]:
    """The formats of a query kind: ``True`` for CONSTRUCT, ``False`` for SELECT."""
    return [f for f in FORMATS if (f.graph if page_or_graph else f.select)]


def term_to_json(term: Any) -> Any:
    """The simple JSON value of a term (see the module docstring)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        try:
            if datatype in _INTEGER_TYPES:
                return int(term.value)
            if datatype == XSD + "boolean":
                return term.value in ("true", "1")
            if datatype in (XSD + "decimal", XSD + "double", XSD + "float"):
                number = float(Decimal(term.value))
                return number if number == number and abs(number) != float("inf") else term.value
        except (ValueError, ArithmeticError):
            return term.value  # ill-typed literal: give the lexical form
        return term.value
    return str(term)


def _sparql_json_term(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD + "string":
        out["datatype"] = term.datatype.value
    return out


def _csv_value(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return term.value


def _tsv_value(term: Any) -> str:
    if term is None:
        return ""
    # N-Triples escapes quotes, backslashes and newlines; TSV also needs tabs escaped.
    return str(term).replace("\t", "\\t").replace("\r", "\\r")


def to_records(page: Page, *, next_url: str | None = None, prev_url: str | None = None) -> dict[str, Any]:
    return {
        "query": page.query.name,
        "parameters": dict(page.arguments),
        "columns": list(page.columns),
        "rows": [{c: term_to_json(v) for c, v in record.items()} for record in page.records()],
        "limit": page.limit,
        "offset": page.offset,
        "next": next_url,
        "prev": prev_url,
    }


def to_sparql_json(page: Page) -> dict[str, Any]:
    bindings = []
    for row in page.rows:
        bindings.append({v: _sparql_json_term(t) for v, t in zip(page.variables, row) if t is not None})
    return {"head": {"vars": list(page.variables)}, "results": {"bindings": bindings}}


def _table(page: Page, cell) -> list[list[str]]:
    return [list(page.columns)] + [[cell(v) for v in record.values()] for record in page.records()]


def to_csv(page: Page) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(_table(page, _csv_value))
    return buffer.getvalue()


def to_tsv(page: Page) -> str:
    header, *rows = _table(page, _tsv_value)
    lines = ["\t".join("?" + c for c in header)] + ["\t".join(r) for r in rows]
    return "\n".join(lines) + "\n"


def to_rdf(page: Page, rdf_format: ox.RdfFormat) -> bytes:
    prefixes = all_prefixes() if rdf_format == ox.RdfFormat.TURTLE else None
    return ox.serialize(page.triples, format=rdf_format, prefixes=prefixes)


def render(page: Page, format_name: str, *, next_url: str | None = None, prev_url: str | None = None) -> bytes:
    """The page in one of the non-HTML formats, as bytes of the format's media type (UTF-8)."""
    fmt = _BY_NAME[format_name]
    if not (fmt.graph if page.query.is_graph else fmt.select):
        kind = "CONSTRUCT" if page.query.is_graph else "SELECT"
        raise ValueError(f"format {format_name} is not offered for {kind} queries")
    if format_name == "json":
        text = json.dumps(to_records(page, next_url=next_url, prev_url=prev_url), ensure_ascii=False)
    elif format_name == "sparql":
        text = json.dumps(to_sparql_json(page), ensure_ascii=False)
    elif format_name == "csv":
        text = to_csv(page)
    elif format_name == "tsv":
        text = to_tsv(page)
    elif format_name == "ttl":
        return to_rdf(page, ox.RdfFormat.TURTLE)
    elif format_name == "nt":
        return to_rdf(page, ox.RdfFormat.N_TRIPLES)
    else:
        raise ValueError(f"no renderer for {format_name} here")
    return text.encode("utf-8")
