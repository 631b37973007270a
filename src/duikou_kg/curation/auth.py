"""Bearer tokens of curators: constant-time comparison, no token ever logged or echoed."""

from __future__ import annotations

import hmac

from ..config import CuratorTokens
from ..errors import ApiError

__all__ = ["authenticate"]


def authenticate(header: str | None, tokens: CuratorTokens) -> str:
    """The curator's name for an ``Authorization: Bearer …`` header.

    Raises ``ApiError`` 401 without a bearer token and 403 for a token no curator holds. Every configured
    token is compared (``hmac.compare_digest``), so the time taken does not tell which one nearly matched.
    """
    scheme, _, token = (header or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "unauthorized", "Curation needs a curator's token: send Authorization: Bearer <token>.")
    found = None
    given = token.encode("utf-8")
    for name, expected in tokens.pairs():
        if hmac.compare_digest(given, expected.encode("utf-8")) and found is None:
            found = name
    if found is None:
        raise ApiError(403, "forbidden", "This token does not belong to a curator.")
    return found
