"""The OpenAPI 3 description of the canned-query API, generated from the ``.rq`` metadata.

One path per query (``/api/queries/<name>``), its parameters with schema types; concept parameters list
the slugs of their SKOS scheme as read from the store, so the description follows the data.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import pyoxigraph as ox

from ..namespaces import ID_PREFIXES, SKOS
from .formats import formats_for
from .metadata import MAX_LIMIT, Catalog, CannedQuery
from .params import Parameter

__all__ = ["build_openapi", "concept_slugs", "operation_id"]

OPENAPI_VERSION = "3.0.3"

_SCHEME_MEMBERS = f"SELECT ?concept ?scheme WHERE {{ ?concept <{SKOS}inScheme> ?scheme }} ORDER BY ?concept"


def concept_slugs(store: Any, schemes: Iterable[str]) -> dict[str, list[str]]:
    """Slugs of the concepts of each scheme (the part after the scheme's IRI prefix)."""
    out: dict[str, list[str]] = {}
    for scheme in sorted(set(schemes)):
        base = ID_PREFIXES[scheme]
        rows = store.query(_SCHEME_MEMBERS,
                           substitutions={ox.Variable("scheme"): ox.NamedNode(ID_PREFIXES["scheme"] + scheme)})
        out[scheme] = [row["concept"].value[len(base):] for row in rows
                       if isinstance(row["concept"], ox.NamedNode) and row["concept"].value.startswith(base)]
    return out


def operation_id(query: CannedQuery) -> str:
    head, *rest = query.name.split("-")
    return head + "".join(word.capitalize() for word in rest)


def _text(texts: Mapping[str, str]) -> str:
    return f"{texts.get('en', '')}\n\n{texts.get('zh', '')}".strip()


def _schema(param: Parameter, concepts: Mapping[str, list[str]]) -> dict[str, Any]:
    if param.type in ("year", "integer"):
        schema: dict[str, Any] = {"type": "integer"}
        low, high = param.bounds()
        if low is not None:
            schema["minimum"] = low
        if high is not None:
            schema["maximum"] = high
    elif param.choices():
        schema = {"type": "string", "enum": param.choices()}
    elif param.type == "concept":
        schema = {"type": "string", "enum": concepts.get(param.scheme, [])}
    elif param.type == "iri":
        schema = {"type": "string", "minLength": 1}
    else:
        schema = {"type": "string", "minLength": 1, "maxLength": param.max_length}
    if param.default is not None:
        schema["default"] = int(param.default) if schema["type"] == "integer" else param.default
    return schema


def _parameter(param: Parameter, concepts: Mapping[str, list[str]]) -> dict[str, Any]:
    description = _text(param.description)
    if param.type == "iri":
        classes = ", ".join(param.classes)
        description += f"\n\nAn IRI (or prefixed name) of: {classes}."
    elif param.type == "concept":
        description += f"\n\nA concept of the {param.scheme} scheme: slug, {param.scheme}:slug or IRI."
    out: dict[str, Any] = {
        "name": param.name,
        "in": "query",
        "required": param.required,
        "description": description.strip(),
        "schema": _schema(param, concepts),
    }
    if param.example is not None:
        out["example"] = int(param.example) if out["schema"]["type"] == "integer" else param.example
    return out


def _paging(query: CannedQuery) -> list[dict[str, Any]]:
    return [
        {"name": "limit", "in": "query", "required": False,
         "description": f"Rows per page (at most {query.max_limit}).",
         "schema": {"type": "integer", "minimum": 1, "maximum": query.max_limit, "default": query.default_limit}},
        {"name": "offset", "in": "query", "required": False, "description": "Rows to skip.",
         "schema": {"type": "integer", "minimum": 0, "default": 0}},
        {"name": "raw", "in": "query", "required": False,
         "description": "1: the W3C SPARQL JSON results instead of the simple records (SELECT queries).",
         "schema": {"type": "string", "enum": ["0", "1"]}},
    ]


def _operation(query: CannedQuery, concepts: Mapping[str, list[str]]) -> dict[str, Any]:
    content: dict[str, Any] = {}
    for fmt in formats_for(query.is_graph):
        if fmt.name == "json":
            content[fmt.media_type] = {"schema": {"$ref": "#/components/schemas/Records"}}
        elif fmt.name == "sparql":
            content[fmt.media_type] = {"schema": {"$ref": "#/components/schemas/SparqlResults"}}
        else:
            content[fmt.media_type] = {"schema": {"type": "string"}}
    extensions = ", ".join("." + f.extension for f in formats_for(query.is_graph))
    return {
        "operationId": operation_id(query),
        "summary": query.summary["en"],
        "description": _text(query.description) + f"\n\nAlso at /api/queries/{query.name}{{{extensions}}}.",
        "tags": list(query.tags),
        "parameters": [_parameter(p, concepts) for p in query.parameters] + _paging(query),
        "responses": {
            "200": {"description": "One page of results.",
                    "headers": {"Link": {"description": 'rel="next" and rel="prev" pages',
                                         "schema": {"type": "string"}}},
                    "content": content},
            "400": {"$ref": "#/components/responses/BadRequest"},
            "406": {"$ref": "#/components/responses/NotAcceptable"},
        },
    }


_COMPONENTS: dict[str, Any] = {
    "schemas": {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {"error": {
                "type": "object",
                "required": ["status", "code", "message"],
                "properties": {"status": {"type": "integer"}, "code": {"type": "string"},
                               "message": {"type": "string"}},
            }},
        },
        "Records": {
            "type": "object",
            "required": ["rows", "columns", "limit", "offset"],
            "properties": {
                "query": {"type": "string"},
                "parameters": {"type": "object", "additionalProperties": {"type": "string"}},
                "columns": {"type": "array", "items": {"type": "string"}},
                "rows": {"type": "array", "items": {"type": "object"}},
                "limit": {"type": "integer"},
                "offset": {"type": "integer"},
                "next": {"type": "string", "nullable": True},
                "prev": {"type": "string", "nullable": True},
            },
        },
        "SparqlResults": {
            "type": "object",
            "properties": {"head": {"type": "object"}, "results": {"type": "object"}},
        },
    },
    "responses": {
        "BadRequest": {"description": "A parameter is missing, unknown or invalid (the message names it).",
                       "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        "NotAcceptable": {"description": "None of the formats in Accept is offered for this query.",
                          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        "NotFound": {"description": "No such query.",
                     "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
    },
}


def build_openapi(catalog: Catalog, concepts: Mapping[str, list[str]], *, server_url: str = "/",
                  version: str = "0.1.0") -> dict[str, Any]:
    """The OpenAPI document (a dict ready for ``json.dumps``)."""
    paths: dict[str, Any] = {
        "/api/queries": {"get": {
            "operationId": "listQueries",
            "summary": "The canned queries, with their parameters",
            "tags": ["catalog"],
            "responses": {"200": {"description": "The catalog.",
                                  "content": {"application/json": {"schema": {"type": "object"}}}}},
        }},
    }
    for query in catalog:
        paths[f"/api/queries/{query.name}"] = {"get": _operation(query, concepts)}
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "duikou-kg canned queries",
            "version": version,
            "description": ("Questions researchers ask of China's counterpart-support policy (对口支援), as "
                            "parameterised SPARQL queries over the duikou-kg knowledge graph. "
                            f"Pages of at most {MAX_LIMIT} rows; errors as {{\"error\": {{status, code, message}}}}."),
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": _COMPONENTS,
    }
