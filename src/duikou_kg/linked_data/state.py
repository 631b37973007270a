"""Per-app linked-data state: the store, the public base, and caches keyed by the store's version."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, jsonify

from ..errors import error_envelope
from ..version_cache import PerVersionCache
from ..web.caching import AnswerCache

EXTENSION_KEY = "duikou_kg.linked_data"


@dataclass
class LinkedDataState:
    app_state: Any  # what the app factory keeps in app.extensions["duikou_kg"]
    _cache: PerVersionCache = field(default_factory=PerVersionCache)

    def _get(self, name: str):
        if isinstance(self.app_state, Mapping):
            return self.app_state[name]
        return getattr(self.app_state, name)

    @property
    def store(self):
        return self._get("store")

    @property
    def settings(self):
        return self._get("settings")

    @property
    def public_base(self) -> str:
        return self.settings.public_base

    @property
    def dumps_dir(self) -> Path:
        return Path(self.settings.data_dir) / "dumps"

    @functools.cached_property
    def answers(self) -> AnswerCache:
        """Finished pages and search answers (``DUIKOU_KG_CACHE_ENTRIES`` of them), dropped with the version."""
        return AnswerCache(getattr(self.settings, "cache_entries", 0))

    def cached(self, key: tuple, build: Callable[[], Any]) -> Any:
        """``build()`` once per store version (a rebuilt store drops every cached value)."""
        return self._cache.get(getattr(self.store, "version", None), key, build)


def ld_state(app: Flask | None = None) -> LinkedDataState:
    app = app or current_app
    state = app.extensions.get(EXTENSION_KEY)
    if state is None:
        state = app.extensions[EXTENSION_KEY] = LinkedDataState(app.extensions["duikou_kg"])
    return state


def error_response(status: int, code: str, message: str) -> Response:
    """The app's one error envelope (see ``duikou_kg.errors``), for routes that answer rather than raise."""
    response = jsonify(error_envelope(status, code, message))
    response.status_code = status
    return response


def not_found_json(message: str) -> Response:
    return error_response(404, "not_found", message)


def not_acceptable(offered: list[str]) -> Response:
    return error_response(406, "not_acceptable",
                          "None of the offered media types is acceptable: " + ", ".join(offered))
