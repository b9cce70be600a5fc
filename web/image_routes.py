"""IIIF Image API 3.0 routes: thin glue between HTTP and `iiif.image_service`.

Image requests are answered by the fast layer (`fast_image`, see web.fast_paths): first for an
anonymous requester, and only when that is refused, again for whoever the `Hooks.requester`
finds (a signed-in reader). The Flask view (HEAD, for example) and the fast answer both answer
through `_answered`, so they send the same headers and bytes, errors included.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Request, Response, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from iiif import access
from iiif.image_errors import IIIFError
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
    body = answer.produce()
    headers["Content-Type"] = answer.media_type
    return Reply(200, headers, body)


def iiif_error(error: IIIFError) -> Reply:
    return Reply(error.status, {"Content-Type": TEXT, "Cache-Control": "no-store"},
                 error.body().encode())


def _answered(ctx: Context, environ: dict[str, Any], make: Callable[[Links], Answer]) -> Reply:
    """The reply to an answer made for this request's links; anything unforeseen is logged and
    becomes a 503, never a 500."""
    try:
        return reply_of(make(ctx.links(environ)), environ)
    except IIIFError as error:
        return iiif_error(error)
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
    requester = ctx.requester(request)
    return _answered(ctx, request.environ, lambda links: ctx.images.info(
        image_id, links, requester, jsonld)).response()


@image_bp.get("/iiif/image/<image_id>/<region>/<size>/<rotation>/<quality_format>")
def image(image_id: str, region: str, size: str, rotation: str, quality_format: str
          ) -> Response:
    ctx = current()
    requester = ctx.requester(request)
    return _answered(ctx, request.environ, lambda links: ctx.images.image(
        image_id, region, size, rotation, quality_format, links, requester)).response()


def _requester(ctx: Context, environ: dict[str, Any]) -> access.Requester | Reply:
    """Who is asking, by the requester hook (given a Request of the environ: hooks need no
    Flask request context); a store that does not answer is a 503, as everywhere."""
    try:
        return ctx.requester(Request(environ))
    except UNAVAILABLE as error:
        return store_unavailable(ctx.log, error)
    except Exception:  # noqa: BLE001 - logged, and answered as a temporary fault
        ctx.log.exception("requester hook failed: %s", environ.get("PATH_INFO"))
        return iiif_error(IIIFError(503, "", "the image service could not answer; try again"))


def fast_image(ctx: Context, environ: dict[str, Any], image_id: str, region: str, size: str,
               rotation: str, quality_format: str) -> Reply:
    """An image request in the fast layer. It is answered for an anonymous requester first, so
    open images never touch a session; only a refusal (401, from the lookup, before any
    rendering) asks the requester hook who is asking, and answers again for a reader."""
    def answer(requester: access.Requester) -> Reply:
        return _answered(ctx, environ, lambda links: ctx.images.image(
            image_id, region, size, rotation, quality_format, links, requester))

    reply = answer(access.ANONYMOUS)
    if reply.status == 401 and ctx.hooks.requester is not None:
        requester = _requester(ctx, environ)
        if isinstance(requester, Reply):
            reply = requester
        elif requester != access.ANONYMOUS:
            reply = answer(requester)
    reply.headers.update(CORS.headers("GET"))
    return reply
