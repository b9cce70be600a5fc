"""IIIF Content Search of an item's page text: 1.0 (which Mirador 4 reads) and 2.0, with
autocomplete; the same access rule as the item's images (web.text_access)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, abort, request

from iiif import auth, content_search
from iiif.content_search import Found
from iiif.manifest import ServiceBlocks
from store.links import Links
from store.read.fulltext import box_of, completions, find_hits, snippet
from store.read.search import matching_pages
from store.read.search_query import parse_query
from store.records import ItemRecord, whole_number
from web.context import Hooks, current
from web.http import CrossOrigin
from web.text_access import Refused, admitted_pages, query_text, readable_text

search_bp = Blueprint("content_search", __name__)
search_bp.after_request(CrossOrigin("Accept, Authorization").apply)
VERSIONS = {1, 2}
MAX_PAGE = 10_000
SERVICES_VERSION = "search-1+2.auth"  # part of the manifest cache key: change with the blocks


def with_search_services(hooks: Hooks) -> Hooks:
    """The hooks with the search services added to the manifests of items with page text,
    after whatever manifest services the hooks had (IIIF Auth's, for example); a non-open
    item's search services carry the auth services of its text."""
    before = hooks.presentation_services
    earlier = before.manifest

    def blocks(item: ItemRecord, links: Links) -> ServiceBlocks:
        own = earlier(item, links) if earlier else []
        if item.has_text:
            own = [*own, *content_search.service_blocks(
                links, item.item_id, *auth.text_services(links, item.item_id, item.access))]
        return own

    return replace(hooks, presentation_services=replace(
        before, manifest=blocks, version=f"{before.version}+{SERVICES_VERSION}"))


def _json(doc: dict[str, Any], version: int, status: int = 200) -> Response:
    context = content_search.CONTEXT_1 if version == 1 else content_search.CONTEXT_2
    return Response(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), status,
                    content_type=f'application/ld+json;profile="{context}"',
                    headers={"Cache-Control": "private, no-cache" if status == 200
                             else "no-store"})


def _refusal(refused: Refused, links: Links, item_id: str, version: int, empty: dict[str, Any]
             ) -> Response:
    """401 (signing in would open the text) or 403 (never online): `empty`, the answer with
    no hits or terms, whatever the query, with the auth services of the text of that version.
    Mirador 4 reads a 401's JSON as a result (no hits, no error) and a 403 as a failure."""
    level = "readers" if refused.status == 401 else "restricted"
    auth_1, auth_2 = auth.text_services(links, item_id, level)
    doc = (content_search.refused(empty, auth_1) if version == 1 else
           content_search.refused(empty, auth_2, auth.AUTH2_CONTEXT))
    return _json(doc, version, refused.status)


def _page() -> int:
    number = whole_number(request.args.get("page", "1"))
    if number is None or not 1 <= number <= MAX_PAGE:
        abort(400, "page must be a whole number from 1 to 10000")
    return number


def _ignored(names: tuple[str, ...]) -> list[str]:
    return [name for name in names if name in request.args]


@search_bp.get("/iiif/<item_id>/search/<int:version>")
def search(item_id: str, version: int) -> Response:
    if version not in VERSIONS:
        abort(404, "Content Search versions 1 and 2 are served")
    ctx, page = current(), _page()
    query = query_text(request)
    links = ctx.links(request.environ)
    build = content_search.search_1 if version == 1 else content_search.search_2
    ignored = _ignored(content_search.IGNORED)
    parsed = parse_query(query)
    try:
        item = readable_text(ctx, request, item_id, [])
        if item is None:
            abort(404, f"there is no item {item_id!r}")
        seqs = []
        if content_search.motivated(request.args.get("motivation")):
            with ctx.store.reading() as session:
                seqs = matching_pages(session, item.item_pk, parsed)
        pages = admitted_pages(ctx, item, seqs) if seqs else None
    except Refused as refused:
        return _refusal(refused, links, item_id, version,
                        build(links, item_id, query, [], 1, ignored))
    found = []
    for text in pages.pages if pages else ():
        for hit in find_hits(text, parsed):
            part = snippet(text, hit)
            found.append(Found(text.seq, part.match, part.before, part.after,
                               box_of(text, hit)))
    if page > content_search.last_page(len(found)):
        abort(404, "there is no such page of results")
    return _json(build(links, item_id, query, found, page, ignored), version)


@search_bp.get("/iiif/<item_id>/autocomplete/<int:version>")
def autocomplete(item_id: str, version: int) -> Response:
    if version not in VERSIONS:
        abort(404, "Content Search versions 1 and 2 are served")
    ctx = current()
    prefix = query_text(request)
    links = ctx.links(request.environ)
    build = content_search.autocomplete_1 if version == 1 else content_search.autocomplete_2
    ignored = _ignored(content_search.IGNORED)  # `min` and `motivation` are supported
    least = whole_number(request.args.get("min", "1"))
    if least is None or least < 1:
        abort(400, "min must be a whole number from 1")
    try:  # the access first: a refused requester costs no reading of the text
        item = readable_text(ctx, request, item_id, [])
        if item is not None and content_search.motivated(request.args.get("motivation")):
            item = admitted_pages(ctx, item)
    except Refused as refused:
        return _refusal(refused, links, item_id, version,
                        build(links, item_id, prefix, [], ignored))
    if item is None:
        abort(404, f"there is no item {item_id!r}")
    terms = [term for term in completions(item.pages, prefix) if term.count >= least]
    return _json(build(links, item_id, prefix, terms, ignored), version)
