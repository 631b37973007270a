"""The canned-query API: ``/api/queries``, ``/api/queries/<name>[.<ext>]`` and ``/api/openapi.json``.

Formats by extension or by the Accept header (Werkzeug's parser); ``?raw=1`` gives the W3C SPARQL JSON.
Pages of ``limit`` rows from ``offset``, with ``Link: <…>; rel="next"`` / ``rel="prev"``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, current_app, render_template, request

from .. import query_workers
from ..canned import Catalog, ParameterError, load_catalog, page_bounds, run_query
from ..canned.formats import FORMATS, Format, format_for_extension, formats_for, raw_flag, render, term_to_json
from ..canned.metadata import CannedQuery
from ..canned.openapi import build_openapi, concept_slugs
from ..canned.runner import Page
from ..errors import ApiError, BadRequest, NotAcceptable
from ..version_cache import PerVersionCache
from . import caching
from .caching import AnswerCache

__all__ = ["bp", "canned_state", "register_canned"]

bp = Blueprint("canned_api", __name__, template_folder="templates")


EXTENSION_KEY = "duikou_kg.canned"


class CannedState:
    """Per-app state: the catalog (read once) and caches keyed by the store's version."""

    def __init__(self, app_state: Any, queries_dir: Path):
        self.app_state = app_state
        self.catalog: Catalog = load_catalog(queries_dir)
        self._cache = PerVersionCache()
        settings = self.settings
        self.answers = AnswerCache(getattr(settings, "cache_entries", 0))

    def _get(self, name: str) -> Any:
        if isinstance(self.app_state, Mapping):
            return self.app_state[name]
        return getattr(self.app_state, name)

    @property
    def store(self) -> Any:
        return self._get("store")

    @property
    def settings(self) -> Any:
        return self._get("settings")

    def cached(self, key: Any, build: Callable[[], Any]) -> Any:
        """``build()`` once per store version: a rebuilt store drops every cached value."""
        return self._cache.get(getattr(self.store, "version", None), key, build)

    def concepts(self) -> dict[str, list[str]]:
        """Concept slugs per scheme that some parameter draws from."""
        schemes = {p.scheme for q in self.catalog for p in q.parameters if p.type == "concept"}
        return self.cached("concepts", lambda: concept_slugs(self.store, schemes))


def canned_state(app: Flask | None = None) -> CannedState:
    app = app or current_app
    state = app.extensions.get(EXTENSION_KEY)
    if state is None:
        app_state = app.extensions["duikou_kg"]
        settings = app_state["settings"] if isinstance(app_state, Mapping) else app_state.settings
        state = app.extensions[EXTENSION_KEY] = CannedState(app_state, Path(settings.project_root) / "queries")
    return state


# ---------------------------------------------------------------------- catalog and OpenAPI


def _query_url(query: CannedQuery, extension: str | None = None) -> str:
    return f"{request.script_root}/api/queries/{query.name}" + (f".{extension}" if extension else "")


@bp.get("/api/queries")
def list_queries() -> Response:
    state = canned_state()
    items = []
    for query in state.catalog:
        item = query.describe()
        item["url"] = _query_url(query)
        item["formats"] = {f.name: _query_url(query, f.extension) for f in formats_for(query.is_graph)}
        items.append(item)
    return _json({"queries": items, "openapi": f"{request.script_root}/api/openapi.json"})


@bp.get("/api/openapi.json")
def openapi() -> Response:
    state = canned_state()
    document = build_openapi(state.catalog, state.concepts(), server_url=request.script_root or "/")
    return _json(document)


# ---------------------------------------------------------------------- running a query


def _single_args() -> dict[str, str]:
    args: dict[str, str] = {}
    for key in request.args:
        values = request.args.getlist(key)
        if len(values) > 1:
            raise ParameterError(key, "given more than once")
        args[key] = values[0]
    return args


def choose_format(query: CannedQuery, extension: str | None, raw: bool) -> Format:
    """The format from the extension if any, else from the Accept header; ``raw`` asks for SPARQL JSON."""
    offered = formats_for(query.is_graph)
    if raw and query.is_graph:
        raise BadRequest("parameter 'raw': raw SPARQL results exist for SELECT queries only", code="invalid_parameter")
    if extension is not None:
        fmt = format_for_extension(extension)
        if fmt is None or fmt not in offered:
            names = ", ".join("." + f.extension for f in offered)
            raise ApiError(404, "not_found", f"query '{query.name}' has no .{extension} form (it has {names})")
    else:
        accept = request.accept_mimetypes
        # No Accept header means anything goes (RFC 9110 §12.5.1): the first offer, JSON.
        media = accept.best_match([f.media_type for f in offered]) if accept else offered[0].media_type
        if media is None:
            types = ", ".join(f.media_type for f in offered)
            raise NotAcceptable(f"none of the Accept types is offered; offered: {types}")
        fmt = next(f for f in offered if f.media_type == media)
    if raw and fmt.name == "json":
        fmt = next(f for f in FORMATS if f.name == "sparql")
    return fmt


def _page_url(args: Mapping[str, str], offset: int) -> str:
    new = {**args, "offset": str(offset)}
    if offset == 0:
        new.pop("offset")
    query_string = urlencode(new)
    return request.script_root + request.path + (f"?{query_string}" if query_string else "")


@bp.get("/api/queries/<spec>")
def run(spec: str) -> Response:
    """One canned query's answer: ETag from the data version (304 on If-None-Match), cached per version."""
    state = canned_state()
    return caching.answer(state.answers, getattr(state.store, "version", None), lambda: _run(state, spec))


def _run(state: CannedState, spec: str) -> Response:
    name, dot, extension = spec.partition(".")
    query = state.catalog.get(name)
    if query is None:
        raise ApiError(404, "not_found", f"no canned query named '{name}'; see /api/queries")
    try:
        args = _single_args()
        fmt = choose_format(query, extension if dot else None, raw_flag(args.get("raw")))
        limit, offset = page_bounds(query, args)
        # Solutions are read up to the end of the page (and one more, for "next"); graphs are sorted whole.
        store = query_workers.LimitedStore(state.settings, state.store,
                                           rows=None if query.is_graph else offset + limit + 1)
        page = run_query(query, store, args)
    except ParameterError as exc:
        raise BadRequest(str(exc), code="invalid_parameter") from None
    next_url = _page_url(args, page.offset + page.limit) if page.has_next else None
    prev_url = _page_url(args, max(page.offset - page.limit, 0)) if page.offset > 0 else None
    if fmt.name == "html":
        body = render_template("canned/result.html", page=page, query=query, table=_html_rows(page),
                               lang=_page_lang(page), next_url=next_url, prev_url=prev_url,
                               formats=[(f.extension, _query_url(query, f.extension) + _query_string())
                                        for f in formats_for(query.is_graph) if f.name != "html"])
        response = Response(body, mimetype="text/html")
    else:
        body = render(page, fmt.name, next_url=next_url, prev_url=prev_url)
        response = Response(body, content_type=f"{fmt.media_type}; charset=utf-8")
    links = [f'<{url}>; rel="{rel}"' for rel, url in (("next", next_url), ("prev", prev_url)) if url]
    if links:
        response.headers["Link"] = ", ".join(links)
    if store.truncated:
        response.headers.update({query_workers.TRUNCATED_HEADER: "true",
                                 query_workers.ROW_CAP_HEADER: str(state.settings.max_result_rows)})
    response.vary.add("Accept")
    return response


def _query_string() -> str:
    text = request.query_string.decode("latin-1")
    return f"?{text}" if text else ""


def _page_lang(page: Page) -> str:
    chosen = page.arguments.get("lang")
    if chosen in ("en", "zh"):
        return chosen
    return request.accept_languages.best_match(["en", "zh"], default="en")


def _html_rows(page: Page) -> list[list[dict[str, Any]]]:
    """Cells for the template: text, and a link target for http(s) IRIs (Jinja escapes both)."""
    rows = []
    for record in page.records():
        cells = []
        for term in record.values():
            value = term_to_json(term)
            text = "" if value is None else str(value)
            is_link = isinstance(term, ox.NamedNode) and text.startswith(("http://", "https://"))
            cells.append({"text": text, "href": text if is_link else None})
        rows.append(cells)
    return rows


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status=status, mimetype="application/json")


def register_canned(app: Flask) -> None:
    """Register the canned-query API and the query editor on ``app``."""
    from .editor import bp as editor_bp

    app.register_blueprint(bp)
    app.register_blueprint(editor_bp)
