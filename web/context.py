"""What the routes and the fast paths need, built once by `create_app` and held in one place.

`Hooks` are the extension points for later features (reader accounts, IIIF Auth, search): they
are given to `create_app` and never read from anywhere else.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Request, current_app
from werkzeug.wsgi import get_current_url

from iiif import access, auth
from iiif.auth_tokens import TokenSigner
from iiif.image_request import Limits
from iiif.image_service import ImageService, ServiceHook
from iiif.manifest import Services
from iiif.presentation_cache import DocumentCache
from store.db import Store
from store.links import Links
from store.read.queries import page_image
from store.records import PageImage
from store.settings import Settings
from web.reader_passes import ReaderPasses

KEY = "thuvienso"


@dataclass(frozen=True, slots=True)
class Hooks:
    """Extension points: who is asking, who may see what, and the service blocks of images
    (IIIF Auth by default: `iiif.auth`)."""

    # who is asking; create_app installs web.sessions.reader_requester when None
    requester: Callable[[Request], access.Requester] | None = None
    image_policy: access.Policy = access.default_policy  # the Image API's access gate
    image_services: ServiceHook | None = auth.image_services  # info.json
    presentation_services: Services = auth.PRESENTATION  # auth (and search) blocks in manifests


@dataclass(frozen=True, slots=True)
class Context:
    """The app's settings, store, services and hooks (one per app, shared by all threads)."""

    settings: Settings
    store: Store
    images: ImageService
    documents: DocumentCache
    hooks: Hooks
    log: logging.Logger
    tokens: TokenSigner  # the IIIF access tokens
    passes: ReaderPasses | None = None  # behind nginx, with the session cookie's readers

    def links(self, environ: dict[str, Any]) -> Links:
        """The public URLs as this request's client sees them."""
        return Links.make(base_of(environ, self.settings.base_url),
                          self.settings.repository_identifier, self.settings.repository_name)

    def requester(self, request: Request) -> access.Requester:
        identify = self.hooks.requester
        return identify(request) if identify else access.ANONYMOUS


def base_of(environ: dict[str, Any], configured: str) -> str:
    """`configured` (THUVIENSO_BASE_URL), else scheme, host and script root of the request
    (as Flask's request.url_root); no final slash."""
    return (configured or get_current_url(environ, root_only=True)).rstrip("/")


def build_context(settings: Settings, store: Store, hooks: Hooks, log: logging.Logger,
                  tokens: TokenSigner, passes: ReaderPasses | None = None) -> Context:
    def lookup(image_id: str) -> PageImage | None:
        with store.reading_connection() as connection:
            return page_image(connection, image_id, settings)

    images = ImageService(
        settings.data_path,
        Limits(settings.image_max_width, settings.image_max_height, settings.image_max_area),
        settings.image_cache_bytes, lookup, hooks.image_policy, hooks.image_services,
        settings.open_thumbnails, settings.nginx)
    return Context(settings, store, images, DocumentCache(settings.data_path / "cache"), hooks,
                   log, tokens, passes)


def context_of(app: Flask) -> Context:
    return app.extensions[KEY]


def current() -> Context:
    """The context of the app handling this request."""
    return context_of(current_app)
