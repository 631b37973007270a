"""``POST /validate`` (with its HTML page) and the curation API ``/curation/submissions``.

Both parse the body into a graph first (``validation.positions``: nothing fetched or opened) and validate
incrementally against the current build. Curation needs a curator's bearer token (``DUIKOU_KG_CURATOR_TOKENS``).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import rdflib
from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request

from ..curation import Curation, authenticate
from ..errors import ApiError, BadRequest, UnsupportedMediaType
from ..validation.context import ValidationContext
from ..validation.incremental import validate_incremental
from ..validation.loading import FORMAT_BY_SUFFIX, UnsafeInputError
from ..validation.positions import MEDIA_TYPES, RdfSyntaxError, parse_with_position
from ..validation.report import ValidationReport
from .state import app_state

SERVICES_KEY = "duikou_kg.curation"
SERVICES_LOCK_KEY = "duikou_kg.curation.lock"  # one ValidationContext (one HermiT JVM) per app
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
REPORT_TYPES = ("application/json", "text/turtle", "text/html")
FORMAT_CHOICES = {"turtle": "Turtle", "nt": "N-Triples", "json-ld": "JSON-LD", "xml": "RDF/XML"}

validation_bp = Blueprint("validation", __name__)
curation_bp = Blueprint("curation", __name__, url_prefix="/curation")


class MalformedRdf(ApiError):
    def __init__(self, error: RdfSyntaxError, part: str) -> None:
        details = {"part": part}
        if error.line is not None:
            details["line"] = error.line
        if error.column is not None:
            details["column"] = error.column
        super().__init__(400, "malformed_rdf", error.message, **details)


def _services() -> tuple[ValidationContext, Curation]:
    services = current_app.extensions.get(SERVICES_KEY)
    if services is None:
        with current_app.extensions[SERVICES_LOCK_KEY]:  # the warm-up thread and a request may race
            services = current_app.extensions.get(SERVICES_KEY)
            if services is None:
                settings = app_state().settings
                context = ValidationContext(settings)
                services = current_app.extensions[SERVICES_KEY] = (context, Curation(settings, context))
    return services


def start_validation(app: Flask) -> ValidationContext:
    """Create the validation services now and warm HermiT in the background, so the first curator waits for
    neither (``duikou-kg serve`` calls this; ``close_validation`` ends the HermiT process)."""
    with app.app_context():
        context, _ = _services()
    context.start_reasoner()
    return context


def close_validation(app: Flask) -> None:
    services = app.extensions.pop(SERVICES_KEY, None)
    if services is not None:
        services[0].close()


def _parse(data: bytes, fmt: str, part: str) -> rdflib.Graph:
    try:
        return parse_with_position(data, fmt, name=part)
    except RdfSyntaxError as exc:
        raise MalformedRdf(exc, part) from None
    except UnsafeInputError as exc:
        raise BadRequest(str(exc), code="unsafe_input") from None


def _format_of_request() -> str:
    fmt = MEDIA_TYPES.get(request.mimetype)
    if fmt is None:
        known = ", ".join(sorted(MEDIA_TYPES))
        raise UnsupportedMediaType(f"Send RDF as one of: {known} (got {request.mimetype or 'no Content-Type'}).")
    return fmt


def _lang() -> str:
    lang = request.args.get("lang") or request.accept_languages.best_match(["zh", "en"]) or "en"
    return "zh" if lang.startswith("zh") else "en"


# -- /validate ------------------------------------------------------------------------------------


def _page(report: ValidationReport | None = None, *, text: str = "", fmt: str = "turtle",
          error: ApiError | None = None, status: int = 200) -> Response:
    html = render_template("curation/validate.html", report=report, text=text, fmt=fmt, formats=FORMAT_CHOICES,
                           error=error, lang=_lang())
    return Response(html, status=status, mimetype="text/html")


@validation_bp.get("/validate")
def validate_page() -> Response:
    return _page()


@validation_bp.post("/validate")
def validate() -> Response:
    from_form = request.mimetype in FORM_TYPES
    if from_form:
        upload = request.files.get("file")
        fmt = request.form.get("format", "turtle")
        if upload is not None and upload.filename:
            data = upload.read()
            fmt = FORMAT_BY_SUFFIX.get(Path(upload.filename).suffix.lower(), fmt)
        else:
            data = request.form.get("data", "").encode("utf-8")
        if fmt not in FORMAT_CHOICES:
            raise BadRequest(f"unknown format {fmt!r}; use one of {', '.join(FORMAT_CHOICES)}")
        wanted = request.accept_mimetypes.best_match(["text/html", *REPORT_TYPES]) or "text/html"
    else:
        data, fmt = request.get_data(), _format_of_request()
        wanted = request.accept_mimetypes.best_match(REPORT_TYPES) or "application/json"
    try:
        candidate = _parse(data, fmt, "body")
    except ApiError as exc:
        if wanted == "text/html":
            return _page(text=data.decode("utf-8", "replace"), fmt=fmt, error=exc, status=exc.status)
        raise
    context, _ = _services()
    report = validate_incremental(candidate, store=app_state().store, context=context)
    if wanted == "text/turtle":
        return Response(report.to_turtle(), mimetype="text/turtle")
    if wanted == "text/html":
        return _page(report, text=data.decode("utf-8", "replace"), fmt=fmt)
    return jsonify(_report_json(report))


def _report_json(report: ValidationReport) -> dict[str, Any]:
    body = report.to_json()
    body["by_resource"] = {k: [r.to_json() for r in v] for k, v in report.grouped_by_resource().items()}
    body["by_shape"] = {k: [r.to_json() for r in v] for k, v in report.grouped_by_shape().items()}
    body["text"] = {"zh": report.to_text("zh"), "en": report.to_text("en")}
    return body


# -- /curation/submissions -------------------------------------------------------------------------


def _curator() -> str:
    return authenticate(request.headers.get("Authorization"), app_state().settings.curator_tokens)


@curation_bp.after_request
def _challenge(response: Response) -> Response:
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="duikou-kg curation"'
    return response


def _submission_body() -> tuple[rdflib.Graph, rdflib.Graph | None, str, str]:
    if request.mimetype == "application/json":
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not all(isinstance(body.get(k, ""), str) for k in
                                                 ("additions", "removals", "source", "comment")):
            raise BadRequest('Send {"additions": "<Turtle>", "removals": "<Turtle>", "source": "…", "comment": "…"}.')
        additions = _parse(body.get("additions", "").encode("utf-8"), "turtle", "additions")
        removals = _parse(body.get("removals", "").encode("utf-8"), "turtle", "removals")
        return additions, removals, body.get("source", ""), body.get("comment", "")
    fmt = _format_of_request()
    additions = _parse(request.get_data(), fmt, "additions")
    return additions, None, request.args.get("source", ""), request.args.get("comment", "")


@curation_bp.post("/submissions")
def create_submission() -> tuple[Response, int]:
    curator = _curator()
    additions, removals, source, comment = _submission_body()
    submission = _services()[1].submit(additions, removals, curator=curator, source=source, comment=comment)
    return jsonify(submission.to_json()), 201


@curation_bp.get("/submissions/<submission_id>")
def get_submission(submission_id: str) -> Response:
    _curator()
    return jsonify(_services()[1].get(submission_id).to_json())


@curation_bp.post("/submissions/<submission_id>/accept")
def accept_submission(submission_id: str) -> Response:
    curator = _curator()
    return jsonify(_services()[1].accept(submission_id, curator=curator).to_json())


@curation_bp.post("/submissions/<submission_id>/revert")
def revert_submission(submission_id: str) -> tuple[Response, int]:
    curator = _curator()
    body = request.get_json(silent=True) if request.mimetype == "application/json" else None
    comment = body.get("comment", "") if isinstance(body, dict) else ""
    return jsonify(_services()[1].revert(submission_id, curator=curator, comment=str(comment)).to_json()), 201


def register_curation(app: Flask) -> None:
    app.extensions[SERVICES_LOCK_KEY] = threading.Lock()
    app.register_blueprint(validation_bp)
    app.register_blueprint(curation_bp)
