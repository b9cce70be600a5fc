"""Application factory: the whole WSGI pipeline, built here and nowhere else.

The context (settings, store, services, hooks) is built once; then the Flask app with its
blueprints and error handlers; then the fast layer in front of it, whose routes are the Flask
app's own rules for the endpoints in `FAST_ANSWERS`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Flask, Response, jsonify, render_template
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from iiif.auth_tokens import TokenSigner
from store.db import UNAVAILABLE, Store
from store.schema.migrate import current_revision, upgrade
from store.settings import load_settings
from web import sessions
from web.accounts import accounts_bp
from web.auth_routes import auth_bp
from web.context import KEY, Hooks, build_context
from web.discovery_routes import discovery_bp
from web.fast_paths import FastAnswer, FastPaths
from web.http import TEXT, Reply, forbid_sniffing, store_unavailable, unexpected
from web.image_routes import fast_image, image_bp
from web.oai_routes import fast_oai, oai_bp
from web.portal import portal_bp
from web.presentation_routes import presentation_bp
from web.reader_passes import ReaderPasses
from web.search_engines import search_engines_bp
from web.search_routes import search_bp, with_search_services
from web.text_routes import text_bp

BLUEPRINTS = (oai_bp, image_bp, presentation_bp, portal_bp, accounts_bp, auth_bp,
              discovery_bp, search_engines_bp, search_bp, text_bp)
FAST_ANSWERS: dict[str, FastAnswer] = {"oai.oai_endpoint": fast_oai, "image.image": fast_image}


def create_app(settings_overrides: dict[str, Any] | None = None, hooks: Hooks | None = None,
               *, migrate: bool = True) -> Flask:
    """Build the app: defaults, THUVIENSO_* variables, then the overrides given here; `hooks`
    plug in later features (see web.context.Hooks); without a `requester` of its own, the
    reader of the signed session cookie is asking (web.sessions.reader_requester)."""
    settings = load_settings(settings_overrides)
    app = Flask(__name__)
    app.config["SECRET_KEY"] = settings.secret_key
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    https = settings.base_url.lower().startswith("https:")
    sessions.configure(app, https=https)
    store = Store(settings)
    if migrate:  # `serve` migrates once before its workers start: they boot with no query,
        upgrade(store.engine)  # so a worker (re)started while the database is down still serves
    hooks = with_search_services(hooks or Hooks())
    tokens = TokenSigner(settings.secret_key)
    passes = None
    if hooks.requester is None:
        cookies = sessions.SessionCookies(app)
        hooks = replace(hooks, requester=sessions.reader_requester(cookies, store, tokens,
                                                                   settings.base_url))
        if settings.nginx:  # nginx sends readers tiles to the holders of passes
            passes = ReaderPasses(settings.data_path, settings.secret_key, https,
                                  cookies.identity,
                                  lambda login, version: sessions.session_stands(
                                      store, login, version), app.logger)
    app.extensions[KEY] = build_context(settings, store, hooks, app.logger, tokens, passes)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    CSRFProtect(app).exempt(oai_bp)  # every form; OAI-PMH POSTs come from harvesters
    _register_errors(app)
    app.after_request(forbid_sniffing)
    _register_health(app, store)
    pipeline: Any = FastPaths(app, FAST_ANSWERS)
    if settings.trusted_proxies:
        # outside the fast layer, so the fast answers see the client's address and host too
        hops = settings.trusted_proxies
        pipeline = ProxyFix(pipeline, x_for=hops, x_proto=hops, x_host=hops, x_port=hops,
                            x_prefix=hops)
    app.wsgi_app = pipeline  # type: ignore[method-assign]
    return app


def _register_health(app: Flask, store: Store) -> None:
    @app.get("/healthz")
    def healthz() -> tuple[Response, int] | Response:
        """Cheap enough for a probe every second: one trivial query, no table scan."""
        try:
            revision = current_revision(store.engine)
        except Exception:  # noqa: BLE001 - the store does not answer
            app.logger.exception("health check failed")
            return jsonify(status="unavailable"), 503
        return jsonify(status="ok", schema=revision)


def _register_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        """A form without its token, or with a wrong or old one: a page saying what to do."""
        app.logger.info("form refused: %s", error.description)
        return render_template("error.html", title_key="csrf_title", text_key="csrf_text"), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        return Reply(error.code or 500, {"Content-Type": TEXT},
                     f"{error.code} {error.name}: {error.description}\n".encode()).response()

    def unavailable(error: Exception) -> Response:
        return store_unavailable(app.logger, error).response()

    for error_class in UNAVAILABLE:
        app.register_error_handler(error_class, unavailable)

    @app.errorhandler(Exception)
    def unforeseen(error: Exception) -> Response:
        return unexpected(app.logger).response()
