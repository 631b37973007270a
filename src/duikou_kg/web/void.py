"""``/.well-known/void`` (VoID + DCAT, Turtle by default) and the dump files under ``/dumps/``."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, send_from_directory

from ..linked_data import formats as F
from ..linked_data.dumps import read_manifest
from ..linked_data.rdf import serialize
from ..linked_data.state import ld_state, not_acceptable, not_found_json
from ..linked_data.void import void_triples
from .resources import context_url, html_context

bp = Blueprint("ld_void", __name__, template_folder="templates")


@bp.get("/.well-known/void", defaults={"format": None})
@bp.get("/.well-known/void.<format>")
def void(format: str | None) -> Response:
    fmt = F.BY_EXTENSION.get(format) if format else F.negotiate(request.accept_mimetypes)
    if fmt is None:
        return not_acceptable([f.media_type for f in F.PAGE_FORMATS])
    state = ld_state()
    manifest = read_manifest(state.dumps_dir)
    triples = void_triples(state.store, public_base=state.public_base, service_url=request.url_root,
                           manifest=manifest)
    turtle = serialize(triples, F.TURTLE, context_url=context_url())
    if fmt is F.HTML:
        response = Response(render_template("ld/void.html", turtle=turtle.decode("utf-8"),
                                            files=(manifest or {}).get("files", []), **html_context()),
                            mimetype="text/html")
    else:
        body = turtle if fmt is F.TURTLE else serialize(triples, fmt, context_url=context_url())
        response = Response(body, mimetype=fmt.media_type)
    response.vary.add("Accept")
    return response


@bp.get("/dumps/<name>")
def dump(name: str) -> Response:
    folder = ld_state().dumps_dir
    listed = {f["name"] for f in (read_manifest(folder) or {}).get("files", [])}
    allowed = listed | {n + ".sha256" for n in listed}
    if name not in allowed:
        return not_found_json(f"No dump named {name}")
    mimetype = "text/plain" if name.endswith(".sha256") else "application/gzip"
    return send_from_directory(folder, name, mimetype=mimetype, as_attachment=not name.endswith(".sha256"))
