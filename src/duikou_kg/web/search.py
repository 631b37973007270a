"""``/search?q=``: label search, JSON for programs and HTML for browsers."""

from __future__ import annotations

import threading

from flask import Blueprint, Flask, Response, jsonify, render_template, request

from ..errors import BadRequest
from ..linked_data import formats as F
from ..linked_data.iris import IriMapper
from ..linked_data.state import ld_state
from ..search import LabelIndex, build_index
from . import caching
from .resources import html_context

bp = Blueprint("ld_search", __name__, template_folder="templates")
MAX_LIMIT = 50


def label_index(app: Flask | None = None) -> LabelIndex:
    """The index of the current store version (built on first use after a data change)."""
    state = ld_state(app)
    return state.cached(("search-index",), lambda: build_index(state.store))


@bp.record_once
def _warm(setup_state) -> None:
    """Start building the index when the app starts, beside it, so the first answer does not wait for it."""
    app = setup_state.app
    if "duikou_kg" not in app.extensions:
        return

    def build() -> None:
        try:
            label_index(app)
        except Exception:  # noqa: BLE001 — warming is best effort: the first /search builds again and reports
            pass

    threading.Thread(target=build, name="search-index-warmup", daemon=True).start()


def _limit(text: str | None) -> int:
    """``limit``: 1 to MAX_LIMIT (20 when absent); anything else is a 400 naming it, as the canned API does."""
    if text is None or text.strip() == "":
        return 20
    if not text.strip().isascii() or not text.strip().isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise BadRequest(f"parameter 'limit': expected an integer from 1 to {MAX_LIMIT}, got {text[:40]!r}",
                         code="invalid_parameter", parameter="limit")
    return int(text)


@bp.get("/search")
def search() -> Response:
    state = ld_state()
    return caching.answer(state.answers, getattr(state.store, "version", None), _search)


def _search() -> Response:
    q = request.args.get("q", "").strip()
    lang = html_context()["lang"]
    limit = _limit(request.args.get("limit"))
    hits = label_index().search(q, lang=lang, limit=limit, kind=request.args.get("kind") or None)
    mapper = IriMapper(ld_state().public_base, request.script_root)
    results = [{"iri": h.iri, "href": mapper.to_local(h.iri), "label": h.label, "matched": h.matched,
                "match": h.match, "kinds": list(h.kinds)} for h in hits]
    fmt = F.negotiate(request.accept_mimetypes, (F.JSONLD, F.HTML), default=F.JSONLD)
    wants_html = request.args.get("format") == "html" or (fmt is F.HTML and request.args.get("format") != "json")
    if wants_html:
        response = Response(render_template("ld/search.html", q=q, results=results, **html_context()),
                            mimetype="text/html")
    else:
        response = jsonify({"query": q, "results": results})
    response.vary.add("Accept")
    return response
