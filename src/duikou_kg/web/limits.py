"""Limits every route honours before its view runs: a per-client rate limit, the request body size, and
a query string that is UTF-8 (Werkzeug would fail with a 500 on the first ``request.args`` otherwise).

The rate limit is a token bucket per client address (``REMOTE_ADDR`` as waitress reports it), kept in
``app.extensions`` so each app has its own: ``rate_limit`` tokens flow in per second up to
``rate_limit_burst``; a request takes one or gets 429 with ``Retry-After``. Reads and writes share it.
Behind a reverse proxy every client has the proxy's address; this service trusts no forwarding header.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from flask import Flask, request

from ..errors import BadRequest, RateLimited, RequestTooLarge
from .state import app_state

EXTENSION_KEY = "duikou_kg.rate_limiter"


class RateLimiter:
    """Token buckets keyed by client address; thread-safe; idle buckets are forgotten.

    ``clock`` is injectable so tests need not sleep.
    """

    #: Above this many remembered addresses, buckets that have refilled completely are dropped.
    SWEEP_AT = 10_000

    def __init__(self, rate: float, burst: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # address -> (tokens, time of that count)

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def acquire(self, client: str) -> float:
        """Take a token for ``client``: 0.0 on success, else the seconds until a token is available."""
        if not self.enabled:
            return 0.0
        now = self._clock()
        with self._lock:
            tokens, then = self._buckets.get(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * self.rate)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                wait = 0.0
            else:
                self._buckets[client] = (tokens, now)
                wait = (1.0 - tokens) / self.rate
            if len(self._buckets) > self.SWEEP_AT:
                self._sweep(now)
        return wait

    def _sweep(self, now: float) -> None:
        full = [client for client, (tokens, then) in self._buckets.items()
                if tokens + (now - then) * self.rate >= self.burst]
        for client in full:
            del self._buckets[client]

    def __len__(self) -> int:
        return len(self._buckets)


def rate_limiter(app: Flask) -> RateLimiter:
    return app.extensions[EXTENSION_KEY]


def install_limits(app: Flask) -> None:
    """Check every request, on every route: rate limit, body size limit, then the query string's encoding."""
    settings = app_state(app).settings
    limiter = app.extensions[EXTENSION_KEY] = RateLimiter(settings.rate_limit, settings.rate_limit_burst)

    @app.before_request
    def enforce_limits() -> None:
        wait = limiter.acquire(request.remote_addr or "unknown")
        if wait > 0:
            raise RateLimited(max(1, math.ceil(wait)), limiter.rate, limiter.burst)
        # Flask checks MAX_CONTENT_LENGTH only when a view reads the body; this check covers every route,
        # including those that never read it. Bodies without a length are capped while they are read.
        size = request.content_length
        if size is not None and size > settings.max_request_bytes:
            raise RequestTooLarge(size, settings.max_request_bytes)
        try:
            request.query_string.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest("the query string is not UTF-8 (percent-encode UTF-8 bytes)", code="bad_encoding") from None
