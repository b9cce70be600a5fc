"""IIIF Image API 3.0 routes: thin glue between HTTP and `iiif.image_service`.

Image requests are answered by the fast layer (`fast_image`, see web.fast_paths). Who is asking
(the `Hooks.requester`: a signed-in reader) is found out only for a page refused to anonymous
requesters, so open images never touch a session. The Flask view (HEAD, for example) and the
fast answer both answer through `_answered`, so they send the same headers and bytes, errors
included.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Request, Response, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from iiif.image_errors import IIIFError
from iiif.image_info import JSONLD_TYPE
from iiif.image_service import Answer
from store.db import UNAVAILABLE
from store.links import Links
from web.context import Context, current
from web.http import TEXT, CrossOrigin, Reply, is_current, store_unavailable, validators

image_bp = Blueprint("image", __name__)
# A preflight comes, for example, for info.json with a bearer token.
CORS = CrossOrigin("Authorization, Accept")
image_bp.after_request(CORS.apply)


def reply_of(answer: Answer, environ: dict[str, Any]) -> Reply:
    """The answer, or a 304 (no body made) when the client's copy is current."""
    headers = answer.headers | validators(answer.etag, answer.last_modified)
    if is_current(environ, answer.etag, answer.last_modified):
        return Reply(304, headers)
    headers["Content-Type"] = answer.media_type
    accel = answer.accel() if answer.accel else None
    if accel is not None:  # nginx sends the file (its ETag form may differ, nothing else)
        return Reply(200, headers | {"X-Accel-Redirect": accel})
    return Reply(200, headers, answer.produce())


def iiif_error(error: IIIFError, jsonld: bool = False) -> Reply:
    """Plain text, or the error's JSON document (a refused info.json) typed as a 200 one
    would be for this request's Accept; never kept by any cache."""
    if error.document is None:
        return Reply(error.status, {"Content-Type": TEXT, "Cache-Control": "no-store"},
                     error.body().encode())
    body = json.dumps(error.document, ensure_ascii=False, separators=(",", ":")).encode()
    return Reply(error.status, {"Content-Type": JSONLD_TYPE if jsonld else "application/json",
                                "Cache-Control": "no-store", "Vary": "Accept"}, body)


def _answered(ctx: Context, environ: dict[str, Any], make: Callable[[Links], Answer],
              jsonld: bool = False) -> Reply:
    """The reply to an answer made for this request's links; anything unforeseen is logged and
    becomes a 503, never a 500."""
    try:
        return reply_of(make(ctx.links(environ)), environ)
    except IIIFError as error:
        return iiif_error(error, jsonld)
    except UNAVAILABLE as error:
        return store_unavailable(ctx.log, error)
    except Exception:  # noqa: BLE001 - logged, and answered as a temporary fault
        ctx.log.exception("image request failed: %s", environ.get("PATH_INFO"))
        return iiif_error(IIIFError(503, "", "the image service could not answer; try again"))


@image_bp.get("/iiif/image/<image_id>")
def base_uri(image_id: str) -> BaseResponse:
    """The image's base URI redirects (303) to its info.json."""
    links = current().links(request.environ)
    return redirect(f"{links.image_service(image_id)}/info.json", code=303)


@image_bp.get("/iiif/image/<image_id>/info.json")
def info_json(image_id: str) -> Response:
    ctx, accept = current(), request.accept_mimetypes
    jsonld = accept["application/ld+json"] > accept["application/json"]
    return _answered(ctx, request.environ, lambda links: ctx.images.info(
        image_id, links, lambda: ctx.requester(request), jsonld), jsonld).response()


@image_bp.get("/iiif/image/<image_id>/<region>/<size>/<rotation>/<quality_format>")
def image(image_id: str, region: str, size: str, rotation: str, quality_format: str
          ) -> Response:
    return _image_reply(current(), request, image_id, region, size, rotation,
                        quality_format).response()


def fast_image(ctx: Context, environ: dict[str, Any], image_id: str, region: str, size: str,
               rotation: str, quality_format: str) -> Reply:
    """An image request in the fast layer (a Request made from the environ: hooks need no
    Flask request context)."""
    reply = _image_reply(ctx, Request(environ), image_id, region, size, rotation,
                         quality_format)
    reply.headers.update(CORS.headers("GET"))
    return reply


def _image_reply(ctx: Context, req: Request, image_id: str, region: str, size: str,
                 rotation: str, quality_format: str) -> Reply:
    """The requester hook is asked only when the page is refused to anonymous requesters, so
    open images never touch a session; one page lookup either way. Behind nginx, a reader
    answered a readers tile gets the day's pass with it (web.reader_passes)."""
    reply = _answered(ctx, req.environ, lambda links: ctx.images.image(
        image_id, region, size, rotation, quality_format, links, lambda: ctx.requester(req)))
    if ctx.passes is not None:  # it looks at readers-tree answers only
        ctx.passes.give(req, reply)
    return reply
