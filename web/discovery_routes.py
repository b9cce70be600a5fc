"""IIIF Change Discovery routes: the activity collection and its pages (CORS, ETag, 304).

A page whose key range is settled is final and cached for long; the collection and the newest
page change as the catalogue does.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, abort, request

from iiif.discovery import (
    DISCOVERY_CONTEXT,
    activity_collection,
    activity_page,
    key_range,
    page_count,
)
from iiif.presentation_cache import cache_key
from store.read.activity import activities, count_upto, settled_key
from store.records import utc_now
from web.context import current
from web.http import CrossOrigin, is_current, validators

discovery_bp = Blueprint("discovery", __name__)
discovery_bp.after_request(CrossOrigin("Accept, If-None-Match", expose_headers="ETag").apply)
JSON_LD = f'application/ld+json;profile="{DISCOVERY_CONTEXT}"'
FINAL = "public, max-age=31536000, immutable"


def _answer(doc_key: str, build: Any, cache_control: str) -> Response:
    headers = validators(doc_key) | {"Cache-Control": cache_control}
    if is_current(request.environ, doc_key):
        return Response(status=304, headers=headers)
    body = json.dumps(build(), ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, headers=headers, content_type=JSON_LD)


@discovery_bp.get("/iiif/discovery/activity")
def collection() -> Response:
    links = current().links(request.environ)
    with current().store.reading() as session:  # activities of completed seconds only
        settled = settled_key(session, utc_now() - timedelta(seconds=1))
        total = count_upto(session, settled)
    key = cache_key("discovery", links.base_url, str(settled), str(total))
    return _answer(key, lambda: activity_collection(links, settled, total), "public, no-cache")


@discovery_bp.get("/iiif/discovery/activity/page/<int:number>")
def page(number: int) -> Response:
    links = current().links(request.environ)
    with current().store.reading() as session:
        settled = settled_key(session, utc_now() - timedelta(seconds=1))
        if number >= page_count(settled):
            abort(404, f"there is no page {number} of activities yet")
        first, last = key_range(number)
        final = last <= settled
        found = activities(session, first, min(last, settled))
    key = cache_key("discovery-page", links.base_url, str(number),
                    "final" if final else str(settled), str(page_count(settled) - 1 == number))
    return _answer(key, lambda: activity_page(links, number, settled, found),
                   FINAL if final and number < page_count(settled) - 1 else "public, no-cache")
