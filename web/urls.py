"""The public base URL and cross-origin headers, shared by every route family."""

from __future__ import annotations

from flask import Response, current_app, request


def public_base() -> str:
    """THUVIENSO_BASE_URL, else scheme, host and script root of the request; no final slash."""
    base = current_app.config["THUVIENSO"].base_url
    return (base or request.url_root).rstrip("/")


def allow_cross_origin(response: Response, allow_headers: str) -> Response:
    """Open a IIIF response to every origin, and answer a preflight for these headers."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = allow_headers
        response.headers["Access-Control-Max-Age"] = "86400"
    return response
