"""Dereferencing of every IRI under the public base: HTML pages and RDF by content negotiation.

See ``duikou_kg.linked_data`` for the choice of direct negotiation (200 + Content-Location) over 303.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, render_template, request, url_for

from ..linked_data import formats as F
from ..linked_data.describe import PropertyLookup, describe, reproducing_query
from ..linked_data.iris import IriMapper
from ..linked_data.ontology_doc import ontology_view
from ..linked_data.pages import page_view, pick_lang
from ..linked_data.rdf import jsonld_context, serialize
from ..namespaces import ONTOLOGY_IRI
from ..linked_data.ontology_doc import ontology_graph_triples
from ..linked_data.state import ld_state, not_acceptable, not_found_json
from . import caching

bp = Blueprint("ld_resources", __name__, static_folder="static", static_url_path="/ld-static",
               template_folder="templates")


def mapper() -> IriMapper:
    return IriMapper(ld_state().public_base, request.script_root)


def context_url() -> str:
    return url_for("ld_resources.context", _external=True)


def html_context(**extra) -> dict:
    lang = pick_lang(request.args.get("lang"), request.accept_languages)
    other = "en" if lang == "zh" else "zh"
    args = {k: v for k, v in request.args.items() if k != "lang"}
    switch_url = request.path + "?" + urlencode({**args, "lang": other})
    return {"lang": lang, "other_lang": other, "switch_url": switch_url, "root": request.script_root, **extra}


def _finish(response: Response, fmt: F.Format, doc_url: str | None, by_extension: bool) -> Response:
    response.vary.add("Accept")
    if fmt is F.HTML:
        response.vary.add("Accept-Language")
    if doc_url and not by_extension:
        response.headers["Content-Location"] = f"{doc_url}.{fmt.extension}"
    return response


def _choose(fmt: F.Format | None) -> F.Format | None:
    return fmt or F.negotiate(request.accept_mimetypes)


def _not_found(iri: str, fmt: F.Format | None) -> Response:
    if fmt is F.HTML:
        guess = iri.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")
        body = render_template("ld/not_found.html", iri=iri, guess=guess, **html_context())
        response = Response(body, status=404, mimetype="text/html")
    else:
        response = not_found_json(f"No resource {iri} in the knowledge graph")
    response.vary.add("Accept")
    return response


def serve(rest: str) -> Response:
    """Serve ``public_base + rest``; ``rest`` may end with a format extension (ETag, 304, answer cache)."""
    state = ld_state()
    return caching.answer(state.answers, getattr(state.store, "version", None), lambda: _describe_page(rest))


def _describe_page(rest: str) -> Response:
    stem, by_ext = F.split_extension(rest)
    fmt = _choose(by_ext)
    if fmt is None:
        return not_acceptable([f.media_type for f in F.PAGE_FORMATS])
    m = mapper()
    iri = m.to_public(stem)
    state = ld_state()
    d = describe(state.store, iri, state.cached(("property-terms",), PropertyLookup))
    if not d.exists:
        return _not_found(iri, fmt if fmt is F.HTML else None)
    doc_url = f"{request.script_root}/{stem}"
    if fmt is F.HTML:
        body = render_template(
            "ld/resource.html", d=d, doc_url=doc_url, alternates=F.RDF_FORMATS,
            sparql_url=f"{request.script_root}/sparql?" + urlencode({"query": reproducing_query(iri)}),
            **page_view(d, html_context()["lang"], m), **html_context())
        response = Response(body, mimetype="text/html")
    else:
        response = Response(serialize(d.triples, fmt, context_url=context_url()), mimetype=fmt.media_type)
    return _finish(response, fmt, doc_url, by_ext is not None)


@bp.get("/id/<path:rest>")
def resource(rest: str) -> Response:
    return serve("id/" + rest)


@bp.get("/graph/<path:rest>")
def graph(rest: str) -> Response:
    return serve("graph/" + rest)


@bp.get("/ontology", defaults={"ext": None})
@bp.get("/ontology.<ext>")
def ontology(ext: str | None) -> Response:
    state = ld_state()
    return caching.answer(state.answers, getattr(state.store, "version", None), lambda: _ontology_page(ext))


def _ontology_page(ext: str | None) -> Response:
    fmt = F.BY_EXTENSION.get(ext) if ext else None
    if ext and fmt is None:
        return _not_found(ONTOLOGY_IRI + "." + ext, None)
    fmt = _choose(fmt)
    if fmt is None:
        return not_acceptable([f.media_type for f in F.PAGE_FORMATS])
    state = ld_state()
    doc_url = f"{request.script_root}/ontology"
    if fmt is F.HTML:
        ctx = html_context()
        view = state.cached(("ontology", ctx["lang"]), lambda: ontology_view(state.store, ctx["lang"], mapper()))
        body = render_template("ld/ontology.html", o=view, doc_url=doc_url, alternates=F.RDF_FORMATS, **ctx)
        response = Response(body, mimetype="text/html")
    else:
        triples = state.cached(("ontology-triples",), lambda: ontology_graph_triples(state.store))
        response = Response(serialize(triples, fmt, context_url=context_url()), mimetype=fmt.media_type)
    return _finish(response, fmt, doc_url, ext is not None)


@bp.get("/ontology/<path:rest>")
def ontology_version(rest: str) -> Response:
    return serve("ontology/" + rest)


@bp.get("/context.jsonld")
def context() -> Response:
    response = current_app.response_class(
        json.dumps(jsonld_context(), ensure_ascii=False, indent=2), mimetype="application/ld+json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def register_linked_data(app) -> None:
    """Register the linked-data blueprints (resources, search, VoID and dumps) on ``app``."""
    from . import search, void

    app.register_blueprint(bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(void.bp)
