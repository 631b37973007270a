"""Values computed from the store and kept until its version changes (the label index, concept lists)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any

_NO_VERSION = object()


class PerVersionCache:
    """``get(version, key, build)`` builds each key once per store version; a new version drops everything.

    One build per key: a caller arriving while it runs waits for it instead of building a second copy (the label
    index at 5 M triples costs 30 s of interpreter time, twice when /search came before the warm-up was done).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[Hashable, Any] = {}
        self._building: dict[Hashable, threading.Lock] = {}  # key -> held while that value is being built
        self._version: Any = _NO_VERSION

    def get(self, version: Any, key: Hashable, build: Callable[[], Any]) -> Any:
        with self._lock:
            if version != self._version:
                self._values, self._building, self._version = {}, {}, version
            if key in self._values:
                return self._values[key]
            gate = self._building.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                if version == self._version and key in self._values:
                    return self._values[key]
            value = build()
            with self._lock:
                if version == self._version:
                    self._values[key] = value
            return value
