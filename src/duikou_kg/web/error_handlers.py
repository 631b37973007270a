"""One handler per error family, all answering with the envelope of ``duikou_kg.errors``."""

from __future__ import annotations

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from ..errors import ApiError, error_envelope

# Stable codes for the Werkzeug errors a client can meet.
_HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "request_too_large",
    415: "unsupported_media_type",
}


def _json(body: dict, status: int) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> Response:
        response = _json(error.envelope(), error.status)
        if retry_after := getattr(error, "retry_after", None):  # 429 and 503 may say when to come back
            response.headers["Retry-After"] = str(retry_after)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        status = error.code or 500
        response = _json(error_envelope(status, _HTTP_CODES.get(status, "http_error"), error.description or ""), status)
        if "Allow" in error.get_response().headers:  # keep the Allow header of a 405
            response.headers["Allow"] = error.get_response().headers["Allow"]
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> Response:
        app.logger.exception("unexpected error")  # the trace goes to the log, never to the client
        return _json(error_envelope(500, "internal_error", "An unexpected error occurred."), 500)
