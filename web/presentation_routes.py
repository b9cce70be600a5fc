"""IIIF Presentation 3.0 routes: manifests and collections, cached, CORS, ETag and 304."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request

from iiif.collection import set_collection, top_collection
from iiif.manifest import NO_SERVICES, Services, build_manifest, to_json_bytes
from iiif.presentation_cache import DocumentCache, cache_key
from iiif.presentation_links import PRESENTATION_CONTEXT, Links
from store.read.presentation import item_stamp, members, set_member_ids, store_stamp
from store.read.queries import get_item, list_sets
from web.app import settings_of, store_of
from web.urls import allow_cross_origin, public_base

presentation_bp = Blueprint("presentation", __name__)
CACHE = "thuvienso.presentation_cache"
SERVICES = "thuvienso.presentation_services"
JSON_LD = f'application/ld+json;profile="{PRESENTATION_CONTEXT}"'


def links() -> Links:
    """URL builder for this request: THUVIENSO_BASE_URL, else the request's host."""
    settings = settings_of(current_app)
    return Links.make(public_base(), settings.repository_identifier,
                      settings.repository_name)


def services() -> Services:
    """Auth and search service hooks, registered by later features in app.extensions."""
    return current_app.extensions.get(SERVICES, NO_SERVICES)


def document_cache() -> DocumentCache:
    cache = current_app.extensions.get(CACHE)
    if cache is None:
        cache = DocumentCache(settings_of(current_app).data_path / "cache")
        current_app.extensions[CACHE] = cache
    return cache


def _wants_json_ld() -> bool:
    return any(m.split(";")[0].strip().lower() == "application/ld+json" and q > 0
               for m, q in request.accept_mimetypes)


def _answer(key: str, body: bytes | None) -> Response:
    """The document (or 304) with its ETag and content type."""
    etag = f'"{key}"'
    headers = {"ETag": etag, "Vary": "Accept", "Cache-Control": "public, no-cache"}
    if request.if_none_match.contains(key) or request.if_none_match.star_tag:
        return Response(status=304, headers=headers)
    assert body is not None
    return Response(body, headers=headers,
                    content_type=JSON_LD if _wants_json_ld() else "application/json")


@presentation_bp.after_request
def cors(response: Response) -> Response:
    response.headers["Access-Control-Expose-Headers"] = "ETag"
    return allow_cross_origin(response, "Accept, If-None-Match")


@presentation_bp.get("/iiif/<item_id>/manifest")
def manifest(item_id: str) -> Response:
    settings, url, hooks = settings_of(current_app), links(), services()
    cache = document_cache()
    with store_of(current_app).reading() as session:
        stamp = item_stamp(session, item_id)
        if stamp is None:
            abort(404, f"there is no item {item_id!r}")
        if stamp.deleted:
            abort(410, f"item {item_id!r} was deleted")
        if stamp.page_count == 0:
            abort(404, f"item {item_id!r} has no pages, so no manifest")
        key = cache_key("manifest", item_id, stamp.datestamp.isoformat(), stamp.content_hash,
                        url.base_url, url.repository_identifier, url.repository_name,
                        repr(stamp.set_names), hooks.version)
        if request.if_none_match.contains(key):
            return _answer(key, None)
        body = cache.get("manifests", item_id, key)
        if body is None:
            item = get_item(session, item_id, settings)
            if item is None or item.deleted or not item.pages:  # changed since the stamp
                abort(404, f"item {item_id!r} has no manifest")
            body = to_json_bytes(build_manifest(item, dict(stamp.set_names), url, hooks))
            cache.put("manifests", item_id, key, body)
    return _answer(key, body)


@presentation_bp.get("/iiif/collection/top")
def collection_top() -> Response:
    return _collection(None)


@presentation_bp.get("/iiif/collection/<spec>")
def collection(spec: str) -> Response:
    return _collection(spec)


def _collection(spec: str | None) -> Response:
    url, cache = links(), document_cache()
    name = spec or "_top"
    with store_of(current_app).reading() as session:
        sets = list_sets(session)
        subset = next((s for s in sets if s.spec == spec), None)
        if spec is not None and subset is None:
            abort(404, f"there is no set {spec!r}")
        key = cache_key("collection", name, store_stamp(session), repr(sets), url.base_url,
                        url.repository_name)
        if request.if_none_match.contains(key):
            return _answer(key, None)
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
    return _answer(key, body)
