"""The SPARQL 1.1 Protocol endpoint at /sparql (query only; updates are refused).

Queries on the embedded store run in killable worker processes under ``DUIKOU_KG_QUERY_TIMEOUT`` and are
cut at ``DUIKOU_KG_MAX_RESULT_ROWS`` rows (see ``duikou_kg.query_workers``)."""

from __future__ import annotations

import dataclasses

import pyoxigraph as ox
from flask import Blueprint, Request, Response, request
from werkzeug.datastructures import CombinedMultiDict, MultiDict

from ..errors import BadRequest, NotAcceptable, PayloadTooLarge, QueryTooDeep, UnsupportedMediaType, UpdateNotAllowed
from .. import query_workers
from ..formats import GRAPH_FORMATS
from ..namespaces import SD, VOID
from ..service_description import service_description
from ..sparql_guard import nesting_depth
from . import caching, negotiation
from .state import app_state

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"


@dataclasses.dataclass(frozen=True)
class ProtocolRequest:
    query: str | None
    default_graphs: list[str] | None  # None: the protocol did not specify a dataset
    named_graphs: list[str] | None
    format_name: str | None


def _parameters(req: Request) -> MultiDict:
    if req.method == "GET":
        return req.args
    if req.mimetype == FORM:
        return CombinedMultiDict([req.args, req.form])
    if req.mimetype == SPARQL_QUERY:
        return req.args
    if req.mimetype == SPARQL_UPDATE:
        raise UpdateNotAllowed()
    raise UnsupportedMediaType(
        f"POST needs Content-Type {FORM} or {SPARQL_QUERY}, not {req.mimetype or 'none'!r}"
    )


def _graph_iris(values: list[str], parameter: str) -> list[str]:
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError:
            raise BadRequest(f"{parameter} is not an absolute IRI: {value!r}", code="invalid_graph_uri") from None
    return values


def read_protocol_request(req: Request, max_query_length: int) -> ProtocolRequest:
    """The query, dataset and format of a protocol request, or the ``ApiError`` it deserves."""
    parameters = _parameters(req)
    queries = parameters.getlist("query")
    if parameters.getlist("update"):
        if queries:
            raise BadRequest("give either query or update, not both", code="query_and_update")
        raise UpdateNotAllowed()
    if req.method == "POST" and req.mimetype == SPARQL_QUERY:
        if queries:
            raise BadRequest("the query is in the body; do not also pass a query parameter", code="multiple_queries")
        try:
            queries = [req.get_data(cache=False).decode("utf-8")]
        except UnicodeDecodeError:
            raise BadRequest("the query body is not UTF-8", code="bad_encoding") from None
    if len(queries) > 1:
        raise BadRequest(f"exactly one query parameter is allowed, got {len(queries)}", code="multiple_queries")
    query = queries[0] if queries else None
    if query is not None and len(query) > max_query_length:
        raise PayloadTooLarge(f"the query has {len(query)} characters; the limit is {max_query_length}")
    defaults = parameters.getlist("default-graph-uri")
    named = parameters.getlist("named-graph-uri")
    dataset_given = bool(defaults or named)
    return ProtocolRequest(
        query=query,
        default_graphs=_graph_iris(defaults, "default-graph-uri") if dataset_given else None,
        named_graphs=_graph_iris(named, "named-graph-uri") if dataset_given else None,
        format_name=parameters.get("format") or None,
    )


def _respond(body: bytes, content_type: str) -> Response:
    response = Response(body, content_type=content_type)
    response.vary.add("Accept")
    return response


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    state = app_state()
    protocol = read_protocol_request(request, state.settings.max_query_length)
    if protocol.query is None:
        if request.method == "POST":
            raise BadRequest("no query given", code="missing_query")
        return _describe_service(state, protocol.format_name)
    if not negotiation.accepts_any(request.accept_mimetypes, protocol.format_name):
        raise NotAcceptable("none of the accepted media types can express SPARQL results")
    if (depth := nesting_depth(protocol.query)) > state.settings.max_query_nesting:
        raise QueryTooDeep(depth, state.settings.max_query_nesting)
    store = state.store
    tag = caching.etag(store.version) if request.method == "GET" else None
    if tag and (unchanged := caching.not_modified(tag)):
        return unchanged
    options = {"default_graph": protocol.default_graphs, "named_graphs": protocol.named_graphs,
               "base_iri": _endpoint_url()}  # the protocol leaves the base to the service: the endpoint's URL
    answer = query_workers.run_query(state.settings, store, protocol.query, options,
                                     accept=request.headers.get("Accept"), format_name=protocol.format_name)
    response = _respond(answer.body, answer.content_type)
    response.headers.update(query_workers.truncation_headers(answer, state.settings.max_result_rows))
    if tag:
        response.set_etag(tag, weak=True)
    return response


def _endpoint_url() -> str:
    # request.base_url also decodes the URL into an IRI (a third of this endpoint's own time for a small
    # query); a base IRI needs only the URL as the client sent it.
    return f"{request.scheme}://{request.host}{request.root_path}{request.path}"


def _describe_service(state, format_name: str | None) -> Response:
    fmt = negotiation.choose(GRAPH_FORMATS, request.accept_mimetypes, format_name)
    manifest = state.store.manifest
    triples = service_description(request.base_url, manifest.graph_counts, manifest.inferred_count)
    return _respond(ox.serialize(triples, format=fmt.oxigraph, prefixes=_SD_PREFIXES), fmt.content_type)


_SD_PREFIXES = {"sd": SD, "void": VOID}


def register_sparql(app) -> None:
    app.register_blueprint(bp)

