"""/oai: the OAI-PMH 2.0 endpoint (GET and POST), answered by oai.provider.

GET requests, nearly all of a harvest, are answered by `FastOAIPath`, a WSGI layer in front of
Flask: a list page takes under a millisecond to make, and Flask's request machinery (contexts,
routing, hooks) would add a third to it. POST, HEAD and anything unusual go through the Flask
view. Both answer with `answer()`, so they send the same headers and bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request

from oai.compression import compress, negotiate
from oai.provider import CONTENT_TYPE, respond
from web.app import settings_of, store_of
from web.urls import base_of

oai_bp = Blueprint("oai", __name__)
PATH = "/oai"


def answer(app: Flask, environ: dict[str, Any], query: bytes
           ) -> tuple[list[tuple[str, str]], Iterable[bytes]]:
    """Headers and streamed body of the answer to one request (its urlencoded arguments).

    The store session stays open until the last chunk is sent or the body is closed.
    """
    settings = settings_of(app)
    base = base_of(environ, settings.base_url)

    def manifest_url(item_id: str) -> str:
        return f"{base}/iiif/{item_id}/manifest"

    resources = ExitStack()
    try:
        session = resources.enter_context(store_of(app).reading())
        chunks = respond(session, settings, query, f"{base}{PATH}", manifest_url)
    except BaseException:
        resources.close()
        raise
    headers = [("Content-Type", CONTENT_TYPE), ("Vary", "Accept-Encoding")]
    body: Iterable[bytes] = chunks
    coding = negotiate(environ.get("HTTP_ACCEPT_ENCODING"))
    if coding:
        body = compress(body, coding)
        headers.append(("Content-Encoding", coding))
    return headers, ClosingBody(body, resources)


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


@oai_bp.route(PATH, methods=["GET", "POST"])
def oai_endpoint() -> Response:
    """The arguments of a GET query or a POST body (or both), passed raw to the provider."""
    if request.method == "POST":
        query = request.get_data(cache=False)
        if request.query_string:
            query = request.query_string + b"&" + query
    else:
        query = request.query_string
    headers, body = answer(current_app, request.environ, query)
    return Response(body, status=200, headers=headers)


class FastOAIPath:
    """WSGI layer in front of Flask answering GET /oai with `answer()` (see the module)."""

    def __init__(self, app: Flask, wsgi_app: Any) -> None:
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "GET":
            return self.wsgi_app(environ, start_response)
        try:
            headers, body = answer(self.app, environ,
                                   environ.get("QUERY_STRING", "").encode("latin-1"))
        except Exception:  # noqa: BLE001 - the Flask view will answer it, or report it
            return self.wsgi_app(environ, start_response)
        start_response("200 OK", headers)
        return body


@oai_bp.record_once
def _install_fast_path(state: Any) -> None:
    state.app.wsgi_app = FastOAIPath(state.app, state.app.wsgi_app)
