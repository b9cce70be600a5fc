"""The public base URL and cross-origin headers, shared by every route family."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from werkzeug.wsgi import get_current_url


def base_of(environ: dict[str, Any], configured: str) -> str:
    """`configured` (THUVIENSO_BASE_URL), else scheme, host and script root of the request
    (as Flask's request.url_root); no final slash. For the WSGI fast paths, which have no
    Flask request."""
    return (configured or get_current_url(environ, root_only=True)).rstrip("/")


def public_base() -> str:
    """THUVIENSO_BASE_URL, else scheme, host and script root of the request; no final slash."""
    return base_of(request.environ, current_app.config["THUVIENSO"].base_url)


def allow_cross_origin(response: Response, allow_headers: str) -> Response:
    """Open a IIIF response to every origin, and answer a preflight for these headers."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = allow_headers
        response.headers["Access-Control-Max-Age"] = "86400"
    return response
