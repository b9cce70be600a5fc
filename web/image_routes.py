"""IIIF Image API 3.0 routes: thin glue between Flask and `iiif.image_service`.

Hooks for later layers (set in `app.extensions` before the first image request):
- `thuvienso.requester`: callable(flask.Request) -> iiif.access.Requester (who is asking);
- `thuvienso.image_policy`: an `iiif.access.Policy` replacing the default gate;
- `thuvienso.image_services`: callable(PageImage) -> list of service blocks for info.json.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Blueprint, Flask, Response, current_app, redirect, request
from werkzeug.http import http_date, is_resource_modified, quote_etag
from werkzeug.wrappers import Response as BaseResponse

from iiif import access
from iiif.image_errors import IIIFError
from iiif.image_request import Limits
from iiif.image_service import Answer, ImageService, service_id
from store.db import UNAVAILABLE
from store.read.queries import page_image
from store.records import PageImage
from web.urls import allow_cross_origin, base_of, public_base

image_bp = Blueprint("image", __name__)
SERVICE = "thuvienso.images"
REQUESTER = "thuvienso.requester"
POLICY = "thuvienso.image_policy"
SERVICES = "thuvienso.image_services"
_create_lock = threading.Lock()


def image_service(app: Flask) -> ImageService:
    """The app's ImageService, made on first use (one per process)."""
    found = app.extensions.get(SERVICE)
    if found is not None:
        return found
    with _create_lock:
        if SERVICE not in app.extensions:
            settings = app.config["THUVIENSO"]
            store = app.extensions["thuvienso.store"]

            def lookup(image_id: str) -> PageImage | None:
                with store.reading() as session:
                    return page_image(session, image_id, settings)

            app.extensions[SERVICE] = ImageService(
                settings.data_path,
                Limits(settings.image_max_width, settings.image_max_height,
                       settings.image_max_area),
                settings.image_cache_bytes, lookup,
                policy=app.extensions.get(POLICY, access.default_policy),
                services=app.extensions.get(SERVICES))
    return app.extensions[SERVICE]


def _requester() -> access.Requester:
    identify = current_app.extensions.get(REQUESTER)
    return identify(request) if identify else access.ANONYMOUS


def reply_parts(answer: Answer, environ: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of an answer: 304 (no body made) when the client's copy is
    current. Shared by the Flask views and the fast path, so both send the same bytes."""
    headers = dict(answer.headers)
    headers["ETag"] = quote_etag(answer.etag)
    headers["Last-Modified"] = http_date(answer.last_modified)
    headers["Access-Control-Allow-Origin"] = "*"
    if not is_resource_modified(environ, etag=answer.etag, last_modified=answer.last_modified):
        return 304, headers, b""
    body = answer.produce()
    headers["Content-Type"] = answer.media_type
    return 200, headers, body


def _reply(answer: Answer) -> Response:
    status, headers, body = reply_parts(answer, request.environ)
    return Response(body, status=status, headers=headers)


class FastImagePath:
    """WSGI layer in front of Flask for the hottest request: an image of an open page.

    It answers only GET image requests that anyone may have, with the very headers and bytes of
    the Flask view (`reply_parts`), in a fraction of the time; anything else (info.json, errors,
    images behind the access gate, surprises) goes on to Flask untouched. It wraps
    `app.wsgi_app` when the blueprint is registered, so a middleware that rewrites the environ
    (such as ProxyFix) must be applied after the blueprints, outside it.
    """

    PREFIX = "/iiif/image/"

    def __init__(self, app: Flask, wsgi_app: Any) -> None:
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith(self.PREFIX) and environ.get("REQUEST_METHOD") == "GET" \
                and path.isascii():
            parts = path[len(self.PREFIX):].split("/")
            if len(parts) == 5:
                try:
                    reply = self._reply(environ, parts)
                except Exception:  # noqa: BLE001 - the Flask view will answer it properly
                    reply = None
                if reply is not None:
                    status, headers, body = reply
                    if status == 200:
                        headers["Content-Length"] = str(len(body))
                    start_response("200 OK" if status == 200 else "304 Not Modified",
                                   list(headers.items()))
                    return [body]
        return self.wsgi_app(environ, start_response)

    def _reply(self, environ: dict[str, Any], parts: list[str]
               ) -> tuple[int, dict[str, str], bytes] | None:
        base = base_of(environ, self.app.config["THUVIENSO"].base_url)
        image_id, region, size, rotation, quality_format = parts
        answer = image_service(self.app).image(image_id, region, size, rotation, quality_format,
                                               base, access.ANONYMOUS)
        return reply_parts(answer, environ) if answer.public else None


@image_bp.record_once
def _install_fast_path(state: Any) -> None:
    state.app.wsgi_app = FastImagePath(state.app, state.app.wsgi_app)


@image_bp.errorhandler(IIIFError)
def iiif_error(error: IIIFError) -> Response:
    return Response(error.body(), status=error.status, mimetype="text/plain",
                    headers={"Cache-Control": "no-store"})


@image_bp.after_request
def cors(response: Response) -> Response:
    # A preflight comes, for example, for info.json with a bearer token.
    return allow_cross_origin(response, "Authorization, Accept")


@image_bp.get("/iiif/image/<image_id>")
def base_uri(image_id: str) -> BaseResponse:
    """The image's base URI redirects (303) to its info.json."""
    return redirect(f"{service_id(public_base(), image_id)}/info.json", code=303)


@image_bp.get("/iiif/image/<image_id>/info.json")
def info_json(image_id: str) -> Response:
    accept = request.accept_mimetypes
    jsonld = accept["application/ld+json"] > accept["application/json"]
    return _guarded(lambda: image_service(current_app).info(image_id, public_base(), _requester(),
                                                            jsonld))


@image_bp.get("/iiif/image/<image_id>/<region>/<size>/<rotation>/<quality_format>")
def image(image_id: str, region: str, size: str, rotation: str, quality_format: str
          ) -> Response:
    return _guarded(lambda: image_service(current_app).image(
        image_id, region, size, rotation, quality_format, public_base(), _requester()))


def _guarded(make) -> Response:  # type: ignore[no-untyped-def]
    """Build and send an answer; anything unforeseen is logged and becomes a 503, never 500."""
    try:
        return _reply(make())
    except (IIIFError, *UNAVAILABLE):
        raise  # answered by their handlers (the database's: 503 with Retry-After)
    except Exception:
        current_app.logger.exception("image request failed: %s", request.path)
        return iiif_error(IIIFError(503, "", "the image service could not answer; try again"))
