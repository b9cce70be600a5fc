"""Application factory: settings, store, schema, blueprints, error handling."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from store.db import UNAVAILABLE, Store
from store.schema.migrate import current_revision, upgrade
from store.settings import Settings, load_settings

STORE = "thuvienso.store"
RETRY_AFTER = 30  # seconds a client is asked to wait when the database does not answer


def create_app(settings_overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, THUVIENSO_* variables, then the overrides given here."""
    settings = load_settings(settings_overrides)
    app = Flask(__name__)
    app.config["THUVIENSO"] = settings
    app.config["SECRET_KEY"] = settings.secret_key
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    store = Store(settings)
    upgrade(store.engine)
    app.extensions[STORE] = store
    _register_blueprints(app)
    _register_errors(app)

    @app.get("/healthz")
    def healthz():  # type: ignore[no-untyped-def]
        """Cheap enough for a probe every second: one trivial query, no table scan."""
        try:
            revision = current_revision(store.engine)
        except Exception:  # noqa: BLE001 - the store does not answer
            app.logger.exception("health check failed")
            return jsonify(status="unavailable"), 503
        return jsonify(status="ok", schema=revision)

    return app


def store_of(app: Flask) -> Store:
    return app.extensions[STORE]


def settings_of(app: Flask) -> Settings:
    return app.config["THUVIENSO"]


def _register_blueprints(app: Flask) -> None:
    from web.image_routes import image_bp
    from web.oai_routes import oai_bp
    from web.portal import portal_bp
    from web.presentation_routes import presentation_bp

    for blueprint in (oai_bp, image_bp, presentation_bp, portal_bp):
        app.register_blueprint(blueprint)


def _register_errors(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        return (f"{error.code} {error.name}: {error.description}\n", error.code,
                {"Content-Type": "text/plain; charset=utf-8"})

    def store_unavailable(error: Exception):  # type: ignore[no-untyped-def]
        """The database does not answer (down, restarting, locked too long): a temporary
        condition, so 503 with Retry-After, which harvesters honour, not a 500."""
        app.logger.error("store unavailable: %s", error)
        return ("503 Service Unavailable: the catalogue's database does not answer; "
                "try again shortly.\n", 503,
                {"Content-Type": "text/plain; charset=utf-8", "Retry-After": str(RETRY_AFTER)})

    for error_class in UNAVAILABLE:
        app.register_error_handler(error_class, store_unavailable)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):  # type: ignore[no-untyped-def]
        app.logger.exception("unexpected error")
        return ("500 Internal Server Error\n", 500, {"Content-Type": "text/plain; charset=utf-8"})
