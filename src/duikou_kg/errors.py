"""Error classes that carry an HTTP status and a stable code, and the one JSON envelope.

Every error response of the web app has the body
``{"error": {"status": 400, "code": "malformed_query", "message": "…"}}``
plus ``"details": {…}`` when an error has structured extras (e.g. line and column).
"""

from __future__ import annotations

import re
from typing import Any


class ApiError(Exception):
    """An error a client can act on: HTTP ``status``, machine-readable ``code``, human ``message``."""

    def __init__(self, status: int, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details

    def envelope(self) -> dict[str, Any]:
        return error_envelope(self.status, self.code, self.message, **self.details)


def error_envelope(status: int, code: str, message: str, **details: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status, "code": code, "message": message}
    if details:
        body["details"] = details
    return {"error": body}


class MalformedQuery(ApiError):
    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(400, "malformed_query", message, **details)

    _POSITION = re.compile(r"\bat (\d+):(\d+)")

    @classmethod
    def from_syntax_error(cls, exc: SyntaxError) -> "MalformedQuery":
        """Keep the engine's message; lift its ``line:column`` into details when it gives one."""
        message = str(exc.args[0] if exc.args else exc)
        match = cls._POSITION.search(message)
        details = {"line": int(match.group(1)), "column": int(match.group(2))} if match else {}
        return cls(message, **details)


class BadRequest(ApiError):
    def __init__(self, message: str, code: str = "bad_request", **details: Any) -> None:
        super().__init__(400, code, message, **details)


class ServiceNotAllowed(ApiError):
    def __init__(self) -> None:
        super().__init__(
            400, "service_not_allowed",
            "SERVICE (federated query) is refused: this endpoint does not call other endpoints.",
        )


class UpdateNotAllowed(ApiError):
    def __init__(self) -> None:
        super().__init__(403, "read_only", "This endpoint is read-only: SPARQL Update is not accepted.")


class NotAcceptable(ApiError):
    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(406, "not_acceptable", message, **details)


class PayloadTooLarge(ApiError):
    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(413, "query_too_long", message, **details)


class UnsupportedMediaType(ApiError):
    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(415, "unsupported_media_type", message, **details)


class StoreUnavailable(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(503, "store_unavailable", message)


class RequestTooLarge(ApiError):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(413, "request_too_large",
                         f"the request body has {size} bytes; the limit is {limit} (max_request_bytes)",
                         limit="max_request_bytes", max_request_bytes=limit)


class QueryTooDeep(ApiError):
    def __init__(self, depth: int, limit: int) -> None:
        super().__init__(400, "query_too_deep",
                         f"the query nests brackets {depth} deep; the limit is {limit} (max_query_nesting)",
                         limit="max_query_nesting", max_query_nesting=limit)


class RateLimited(ApiError):
    """429: the client's token bucket is empty; ``retry_after`` whole seconds until a request fits."""

    def __init__(self, retry_after: int, rate: float, burst: int) -> None:
        super().__init__(429, "rate_limited",
                         f"too many requests from this address: at most {rate:g} per second on average, "
                         f"{burst} at once (rate_limit, rate_limit_burst); retry in {retry_after} s",
                         limit="rate_limit", rate_limit=rate, rate_limit_burst=burst, retry_after=retry_after)
        self.retry_after = retry_after
