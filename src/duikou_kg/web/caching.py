"""HTTP validators and the answer cache, both keyed by the data version.

- ``etag(version)``: a weak ETag from the store's data version, the package's version and what selects the
  representation (the URL with its query string, Accept, Accept-Language, the host). ``If-None-Match``
  with it gets 304 before any query runs; a new build or push changes the version, so every ETag changes
  with the data.
- ``AnswerCache``: the last ``DUIKOU_KG_CACHE_ENTRIES`` answers (status, body, headers) per version; the
  first lookup under a new version empties it.
- ``answer(cache, version, build)``: both for one route (canned queries, pages, search).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flask import Request, Response, request

__all__ = ["AnswerCache", "answer", "etag", "not_modified", "representation_key"]


def representation_key(req: Request | None = None) -> tuple[str, ...]:
    req = req or request
    # The host too: a JSON-LD page names its context by absolute URL.
    return (req.method, req.host, req.script_root, req.full_path, req.headers.get("Accept", ""),
            req.headers.get("Accept-Language", ""))


@functools.lru_cache(maxsize=1)
def _software_version() -> str:
    # A new release may render the same data differently: its tags must not match the old release's.
    try:
        return importlib.metadata.version("duikou-kg")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree without installing
        return "unreleased"


def etag(version: str, req: Request | None = None) -> str:
    parts = (_software_version(), str(version), *representation_key(req))
    return hashlib.sha1("\x00".join(parts).encode("utf-8")).hexdigest()[:32]


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


def answer(cache: AnswerCache, version: Any, build: Callable[[], Response]) -> Response:
    """304 when the client holds this version's representation, else the cached answer or ``build()``'s.

    Only a 200 carries the ETag (and is cached): an error or a 404 is answered afresh every time.
    """
    tag = etag(version)
    if unchanged := not_modified(tag):
        return unchanged
    key = representation_key()
    response = cache.get(version, key)
    if response is None:
        response = build()
        cache.put(version, key, response)
    if response.status_code == 200:
        response.set_etag(tag, weak=True)
    return response
