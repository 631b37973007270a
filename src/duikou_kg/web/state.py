"""What the app keeps in ``app.extensions["duikou_kg"]``: settings and the store in use
(the embedded build, or the remote SPARQL store when ``DUIKOU_KG_SPARQL_URL`` is set)."""

from __future__ import annotations

import os
import threading

from flask import Flask, current_app

from ..config import Settings
from ..errors import StoreUnavailable
from ..store import CURRENT_POINTER, BuildError, KnowledgeStore, current_build_id, open_store

EXTENSION_KEY = "duikou_kg"


class AppState:
    """``.settings`` and ``.store``; a store given to the factory is used as is, otherwise the
    current build is opened on first use and reopened when ``duikou-kg build`` switches builds."""

    def __init__(self, settings: Settings, store: KnowledgeStore | None = None) -> None:
        self.settings = settings
        self._fixed_store = store
        self._store: KnowledgeStore | None = None
        self._build_id: str | None = None
        self._lock = threading.Lock()
        self._pointer_seen: tuple[int, int, int] | None = None
        self._pointer_build_id: str | None = None

    def _current_build_id(self) -> str | None:
        # A build replaces the pointer file (a new inode), so an unchanged stat means the same build:
        # one stat per request instead of opening and reading the file.
        try:
            stat = os.stat(self.settings.data_dir / CURRENT_POINTER)
        except FileNotFoundError:
            return None
        seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if seen != self._pointer_seen:
            self._pointer_build_id = current_build_id(self.settings)
            self._pointer_seen = seen
        return self._pointer_build_id

    @property
    def store(self) -> KnowledgeStore:
        if self._fixed_store is not None:
            return self._fixed_store
        if self.settings.remote:  # a remote SPARQL store follows new pushes itself
            from ..backends.remote import RemoteStore

            with self._lock:
                if self._fixed_store is None:
                    self._fixed_store = RemoteStore(self.settings)
            return self._fixed_store
        build_id = self._current_build_id()
        with self._lock:
            if self._store is None or build_id != self._build_id:
                try:
                    # Build on first use if needed; later, only follow builds made elsewhere.
                    self._store = open_store(self.settings, rebuild_if_stale=self._store is None)
                except BuildError as exc:
                    raise StoreUnavailable(f"the knowledge graph is not available: {exc}") from None
                self._build_id = self._store.manifest.build_id
            return self._store


def app_state(app: Flask | None = None) -> AppState:
    return (app or current_app).extensions[EXTENSION_KEY]
