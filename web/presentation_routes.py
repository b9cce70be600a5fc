"""IIIF Presentation 3.0 routes: manifests and collections, cached, CORS, ETag and 304."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from iiif.collection import set_collection, top_collection
from iiif.manifest import build_manifest, to_json_bytes
from iiif.presentation_cache import cache_key
from iiif.presentation_links import PRESENTATION_CONTEXT
from store.read.presentation import item_stamp, members, set_member_ids, store_stamp
from store.read.queries import get_item, list_sets
from web.context import current
from web.http import CrossOrigin, is_current, validators

presentation_bp = Blueprint("presentation", __name__)
presentation_bp.after_request(CrossOrigin("Accept, If-None-Match", expose_headers="ETag").apply)
JSON_LD = f'application/ld+json;profile="{PRESENTATION_CONTEXT}"'


def _wants_json_ld() -> bool:
    return any(m.split(";")[0].strip().lower() == "application/ld+json" and q > 0
               for m, q in request.accept_mimetypes)


def _headers(key: str) -> dict[str, str]:
    return validators(key) | {"Vary": "Accept", "Cache-Control": "public, no-cache"}


def _not_modified(key: str) -> Response:
    return Response(status=304, headers=_headers(key))


def _document(key: str, body: bytes) -> Response:
    """The document with its ETag and content type."""
    return Response(body, headers=_headers(key),
                    content_type=JSON_LD if _wants_json_ld() else "application/json")


@presentation_bp.get("/iiif/<item_id>/manifest")
def manifest(item_id: str) -> Response:
    ctx = current()
    url, hooks, cache = ctx.links(request.environ), ctx.hooks.presentation_services, ctx.documents
    with ctx.store.reading() as session:
        stamp = item_stamp(session, item_id)
        if stamp is None:
            abort(404, f"there is no item {item_id!r}")
        if stamp.deleted:
            abort(410, f"item {item_id!r} was deleted")
        if stamp.page_count == 0:
            abort(404, f"item {item_id!r} has no pages, so no manifest")
        key = cache_key("manifest", item_id, stamp.datestamp.isoformat(), stamp.content_hash,
                        url.base_url, url.repository_identifier, url.repository_name,
                        repr(stamp.set_names), hooks.version, ctx.settings.rights_default)
        if is_current(request.environ, key):
            return _not_modified(key)
        body = cache.get("manifests", item_id, key)
        if body is None:
            item = get_item(session, item_id, ctx.settings)
            if item is None or item.deleted or not item.pages:  # changed since the stamp
                abort(404, f"item {item_id!r} has no manifest")
            body = to_json_bytes(build_manifest(item, dict(stamp.set_names), url, hooks))
            cache.put("manifests", item_id, key, body)
    return _document(key, body)


@presentation_bp.get("/iiif/collection/top")
def collection_top() -> Response:
    return _collection(None)


@presentation_bp.get("/iiif/collection/<spec>")
def collection(spec: str) -> Response:
    return _collection(spec)


def _collection(spec: str | None) -> Response:
    ctx = current()
    url, cache = ctx.links(request.environ), ctx.documents
    name = spec or "_top"
    with ctx.store.reading() as session:
        sets = list_sets(session)
        subset = next((s for s in sets if s.spec == spec), None)
        if spec is not None and subset is None:
            abort(404, f"there is no set {spec!r}")
        key = cache_key("collection", name, store_stamp(session), repr(sets), url.base_url,
                        url.repository_name)
        if is_current(request.environ, key):
            return _not_modified(key)
        body = cache.get("collections", name, key)
        if body is None:
            if subset is None:
                doc = top_collection(sets, url)
            else:
                ids = set_member_ids(session, subset.spec)
                rows = members(session, ids)
                doc = set_collection(subset, sets, [rows[i] for i in ids if i in rows], url)
            body = to_json_bytes(doc)
            cache.put("collections", name, key, body)
    return _document(key, body)
