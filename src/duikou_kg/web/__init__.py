"""The Flask application: ``create_app`` wires settings, store, error handling, CORS and blueprints."""

from __future__ import annotations

from flask import Flask

from ..config import Settings
from ..store import KnowledgeStore
from .cors import install_cors
from .error_handlers import register_error_handlers
from .limits import install_limits
from .security_headers import install_security_headers
from .sparql import register_sparql
from .state import EXTENSION_KEY, AppState


def create_app(settings: Settings | None = None, *, store: KnowledgeStore | None = None) -> Flask:
    """A new app. Without ``store`` it serves the current build under ``settings.data_dir``."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.json.ensure_ascii = False
    app.extensions[EXTENSION_KEY] = AppState(settings, store)
    register_error_handlers(app)
    install_limits(app)
    install_cors(app)
    install_security_headers(app)
    register_sparql(app)
    _register_feature_blueprints(app)
    return app


def _register_feature_blueprints(app: Flask) -> None:
    # Imported here: these modules pull in templates and caches the SPARQL endpoint does not need.
    from .api import register_canned
    from .curation import register_curation
    from .pictures import register_pictures
    from .resources import register_linked_data

    register_canned(app)
    register_curation(app)
    register_linked_data(app)
    register_pictures(app)
