"""/oai: the OAI-PMH 2.0 endpoint (GET and POST), answered by oai.provider."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from oai.compression import compress, negotiate
from oai.provider import CONTENT_TYPE, respond
from web.app import settings_of, store_of

oai_bp = Blueprint("oai", __name__)


@oai_bp.route("/oai", methods=["GET", "POST"])
def oai_endpoint() -> Response:
    """Pass the raw arguments to the provider; compress when the client asks for it."""
    settings = settings_of(current_app)
    base = settings.base_url.rstrip("/") or request.host_url.rstrip("/")
    if request.method == "POST":
        query = request.get_data(cache=False)
        if request.query_string:
            query = request.query_string + b"&" + query
    else:
        query = request.query_string

    def manifest_url(item_id: str) -> str:
        return f"{base}/iiif/{item_id}/manifest"

    with store_of(current_app).reading() as session:
        body = respond(session, settings, query, f"{base}/oai", manifest_url)
    response = Response(body, status=200, content_type=CONTENT_TYPE)
    response.vary.add("Accept-Encoding")
    coding = negotiate(request.headers.get("Accept-Encoding"))
    if coding:
        response.set_data(compress(body, coding))
        response.content_encoding = coding
    return response
