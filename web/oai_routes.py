"""/oai: the OAI-PMH 2.0 endpoint (GET and POST), answered by oai.provider.

GET requests, nearly all of a harvest, are answered by the fast layer (`fast_oai`, see
web.fast_paths): a list page takes under a millisecond to make, and Flask's request machinery
would add a third to it. POST, HEAD and anything unusual go through the Flask view. Both answer
with `answer()`, so they send the same headers and bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from typing import Any

from flask import Blueprint, Response, request

from oai.compression import compress, negotiate
from oai.provider import CONTENT_TYPE, respond
from store.db import UNAVAILABLE
from web.context import Context, current
from web.http import Reply, store_unavailable, unexpected

oai_bp = Blueprint("oai", __name__)


def answer(ctx: Context, environ: dict[str, Any], query: bytes) -> Reply:
    """The answer to one request (its urlencoded arguments), its body streamed.

    The store session stays open until the last chunk is sent or the body is closed.
    """
    resources = ExitStack()
    try:
        session = resources.enter_context(ctx.store.reading())
        chunks = respond(session, ctx.settings, query, ctx.links(environ))
    except BaseException:
        resources.close()
        raise
    headers = {"Content-Type": CONTENT_TYPE, "Vary": "Accept-Encoding"}
    body: Iterable[bytes] = chunks
    coding = negotiate(environ.get("HTTP_ACCEPT_ENCODING"))
    if coding:
        body = compress(body, coding)
        headers["Content-Encoding"] = coding
    return Reply(200, headers, ClosingBody(body, resources))


class ClosingBody:
    """A response body that ends the store session after its last chunk, or when the server
    closes it (as every WSGI server must), even if it was never read (HEAD, a client gone)."""

    def __init__(self, chunks: Iterable[bytes], resources: ExitStack) -> None:
        self.chunks, self.resources = chunks, resources

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self.chunks
        finally:
            self.resources.close()

    def close(self) -> None:
        self.resources.close()


@oai_bp.route("/oai", methods=["GET", "POST"])
def oai_endpoint() -> Response:
    """The arguments of a GET query or a POST body (or both), passed raw to the provider."""
    if request.method == "POST":
        query = request.get_data(cache=False)
        if request.query_string:
            query = request.query_string + b"&" + query
    else:
        query = request.query_string
    return answer(current(), request.environ, query).response()


def fast_oai(ctx: Context, environ: dict[str, Any]) -> Reply:
    """GET /oai in the fast layer; a failure is answered as the app's error handlers would."""
    try:
        return answer(ctx, environ, environ.get("QUERY_STRING", "").encode("latin-1"))
    except UNAVAILABLE as error:
        return store_unavailable(ctx.log, error)
    except Exception:  # noqa: BLE001 - logged, and answered as Flask would
        return unexpected(ctx.log)
