"""IIIF Change Discovery API 1.0: the OrderedCollection of manifest changes and its pages.

Pages hold fixed ranges of the stream's keys (page n: keys n·PAGE_SIZE+1 to (n+1)·PAGE_SIZE),
oldest first, so a page whose range is settled never changes; `last` is the newest page. An
aggregator reads from `last` backwards (`prev`) until it reaches what it has seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from store.links import Links
from store.read.activity import ActivityRecord

DISCOVERY_CONTEXT = "http://iiif.io/api/discovery/1/context.json"
PAGE_SIZE = 1000


def page_count(settled: int) -> int:
    """How many pages the settled stream fills (the last one perhaps partly)."""
    return -(-settled // PAGE_SIZE)


def key_range(number: int) -> tuple[int, int]:
    """The first and last key of a page."""
    return number * PAGE_SIZE + 1, (number + 1) * PAGE_SIZE


def _page_ref(links: Links, number: int) -> dict[str, str]:
    return {"id": links.discovery_page(number), "type": "OrderedCollectionPage"}


def activity_collection(links: Links, settled: int, total: int) -> dict[str, Any]:
    """The OrderedCollection: how many activities, the first and the last page."""
    doc: dict[str, Any] = {"@context": DISCOVERY_CONTEXT, "id": links.discovery(),
                           "type": "OrderedCollection", "totalItems": total}
    pages = page_count(settled)
    if pages:
        doc["first"] = _page_ref(links, 0)
        doc["last"] = _page_ref(links, pages - 1)
    return doc


def activity_page(links: Links, number: int, settled: int,
                  found: Sequence[ActivityRecord]) -> dict[str, Any]:
    """One OrderedCollectionPage of activities, oldest first, with its neighbours."""
    doc: dict[str, Any] = {
        "@context": DISCOVERY_CONTEXT, "id": links.discovery_page(number),
        "type": "OrderedCollectionPage",
        "partOf": {"id": links.discovery(), "type": "OrderedCollection"}}
    if number > 0:
        doc["prev"] = _page_ref(links, number - 1)
    if number < page_count(settled) - 1:
        doc["next"] = _page_ref(links, number + 1)
    doc["orderedItems"] = [
        {"type": a.kind, "object": {"id": links.manifest(a.item_id), "type": "Manifest"},
         "endTime": a.end_time.strftime("%Y-%m-%dT%H:%M:%SZ")} for a in found]
    return doc
