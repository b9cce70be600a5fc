"""/oai: the OAI-PMH 2.0 endpoint (GET and POST), answered by oai.provider."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import ExitStack

from flask import Blueprint, Response, current_app, request

from oai.compression import compress, negotiate
from oai.provider import CONTENT_TYPE, respond
from web.app import settings_of, store_of
from web.urls import public_base

oai_bp = Blueprint("oai", __name__)


@oai_bp.route("/oai", methods=["GET", "POST"])
def oai_endpoint() -> Response:
    """Pass the raw arguments to the provider; stream its answer, compressed if asked."""
    settings = settings_of(current_app)
    base = public_base()
    if request.method == "POST":
        query = request.get_data(cache=False)
        if request.query_string:
            query = request.query_string + b"&" + query
    else:
        query = request.query_string

    def manifest_url(item_id: str) -> str:
        return f"{base}/iiif/{item_id}/manifest"

    resources = ExitStack()  # the session lives until the last chunk is sent
    try:
        session = resources.enter_context(store_of(current_app).reading())
        chunks = respond(session, settings, query, f"{base}/oai", manifest_url)
    except BaseException:
        resources.close()
        raise
    coding = negotiate(request.headers.get("Accept-Encoding"))
    body: Iterable[bytes] = _closing(chunks, resources)
    if coding:
        body = compress(body, coding)
    response = Response(body, status=200, content_type=CONTENT_TYPE)
    response.call_on_close(resources.close)
    response.vary.add("Accept-Encoding")
    if coding:
        response.content_encoding = coding
    return response


def _closing(chunks: Iterator[bytes], resources: ExitStack) -> Iterator[bytes]:
    try:
        yield from chunks
    finally:
        resources.close()
