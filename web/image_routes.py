"""IIIF Image API 3.0 routes: thin glue between Flask and `iiif.image_service`.

Hooks for later layers (set in `app.extensions` before the first image request):
- `thuvienso.requester`: callable(flask.Request) -> iiif.access.Requester (who is asking);
- `thuvienso.image_policy`: an `iiif.access.Policy` replacing the default gate;
- `thuvienso.image_services`: callable(PageImage) -> list of service blocks for info.json.
"""

from __future__ import annotations

import threading

from flask import Blueprint, Flask, Response, current_app, redirect, request
from werkzeug.http import is_resource_modified
from werkzeug.wrappers import Response as BaseResponse

from iiif import access
from iiif.image_errors import IIIFError
from iiif.image_request import Limits
from iiif.image_service import Answer, ImageService, service_id
from store.queries import page_image
from store.records import PageImage

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


def _base() -> str:
    """The public base URL: the setting, else scheme, host and script root of the request."""
    base = current_app.config["THUVIENSO"].base_url
    return base.rstrip("/") if base else f"{request.scheme}://{request.host}{request.script_root}"


def _requester() -> access.Requester:
    identify = current_app.extensions.get(REQUESTER)
    return identify(request) if identify else access.ANONYMOUS


def _reply(answer: Answer) -> Response:
    headers = dict(answer.headers)
    if not is_resource_modified(request.environ, etag=answer.etag,
                                last_modified=answer.last_modified):
        response = Response(status=304, headers=headers)
    else:
        response = Response(answer.produce(), mimetype=answer.media_type, headers=headers)
        if answer.media_type.startswith("application/ld+json"):
            response.headers["Content-Type"] = answer.media_type
    response.set_etag(answer.etag)
    response.last_modified = answer.last_modified
    return response


@image_bp.errorhandler(IIIFError)
def iiif_error(error: IIIFError) -> Response:
    return Response(error.body(), status=error.status, mimetype="text/plain",
                    headers={"Cache-Control": "no-store"})


@image_bp.after_request
def cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@image_bp.get("/iiif/image/<image_id>")
def base_uri(image_id: str) -> BaseResponse:
    """The image's base URI redirects (303) to its info.json."""
    return redirect(f"{service_id(_base(), image_id)}/info.json", code=303)


@image_bp.get("/iiif/image/<image_id>/info.json")
def info_json(image_id: str) -> Response:
    accept = request.accept_mimetypes
    jsonld = accept["application/ld+json"] > accept["application/json"]
    return _guarded(lambda: image_service(current_app).info(image_id, _base(), _requester(),
                                                            jsonld))


@image_bp.get("/iiif/image/<image_id>/<region>/<size>/<rotation>/<quality_format>")
def image(image_id: str, region: str, size: str, rotation: str, quality_format: str
          ) -> Response:
    return _guarded(lambda: image_service(current_app).image(
        image_id, region, size, rotation, quality_format, _base(), _requester()))


def _guarded(make) -> Response:  # type: ignore[no-untyped-def]
    """Build and send an answer; anything unforeseen is logged and becomes a 503, never 500."""
    try:
        return _reply(make())
    except IIIFError:
        raise
    except Exception:
        current_app.logger.exception("image request failed: %s", request.path)
        return iiif_error(IIIFError(503, "", "the image service could not answer; try again"))
