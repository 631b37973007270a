"""HTTP validators and the canned-answer cache, both keyed by the data version.

- ``etag(version)``: a weak ETag from the store's data version and what selects the representation (the
  URL with its query string, Accept, Accept-Language). ``If-None-Match`` with it gets 304 before any query
  runs; a new build or push changes the version, so every ETag changes with the data.
- ``AnswerCache``: the last ``DUIKOU_KG_CACHE_ENTRIES`` answers (status, body, headers) per version; the
  first lookup under a new version empties it.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

from flask import Request, Response, request

__all__ = ["AnswerCache", "etag", "not_modified", "representation_key"]


def representation_key(req: Request | None = None) -> tuple[str, ...]:
    req = req or request
    return (req.method, req.script_root, req.full_path, req.headers.get("Accept", ""),
            req.headers.get("Accept-Language", ""))


def etag(version: str, req: Request | None = None) -> str:
    digest = hashlib.sha1("\x00".join((str(version), *representation_key(req))).encode("utf-8")).hexdigest()
    return digest[:32]


def not_modified(tag: str) -> Response | None:
    """A 304 when the request's If-None-Match holds ``tag`` (weak comparison), else None."""
    if request.method in ("GET", "HEAD") and request.if_none_match.contains_weak(tag):
        response = Response(status=304)
        response.set_etag(tag, weak=True)
        response.vary.update(("Accept", "Accept-Language"))
        return response
    return None


class AnswerCache:
    """A small LRU of finished answers, dropped whenever the data version changes."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self._items: OrderedDict[Any, tuple[bytes, int, list[tuple[str, str]]]] = OrderedDict()
        self._version: Any = object()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, version: Any, key: Any) -> Response | None:
        if self.entries <= 0:
            return None
        with self._lock:
            if version != self._version:
                self._items.clear()
                self._version = version
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
        body, status, headers = item
        return Response(body, status=status, headers=headers)

    def put(self, version: Any, key: Any, response: Response) -> None:
        if self.entries <= 0 or response.status_code != 200 or response.is_streamed:
            return
        item = (response.get_data(), response.status_code, list(response.headers.items()))
        with self._lock:
            if version != self._version:
                return
            self._items[key] = item
            self._items.move_to_end(key)
            while len(self._items) > self.entries:
                self._items.popitem(last=False)
