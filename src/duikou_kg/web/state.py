"""What the app keeps in ``app.extensions["duikou_kg"]``: settings and the store in use
(the embedded build, or the remote SPARQL store when ``DUIKOU_KG_SPARQL_URL`` is set)."""

from __future__ import annotations

import threading

from flask import Flask, current_app

from ..config import Settings
from ..errors import StoreUnavailable
from ..store import BuildError, KnowledgeStore, current_build_id, open_store

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
        build_id = current_build_id(self.settings)
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
