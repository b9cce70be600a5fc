"""What the full-text routes share: an item's text as this requester may read it, and the query
text from the request made safe to search with."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from flask import Request

from iiif.access import may_read_text
from store.read.fulltext import item_pages, item_text
from store.records import ItemText
from web.context import Context

MAX_QUERY_CHARS = 2_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def query_text(request: Request, name: str = "q") -> str:
    """A query parameter without control characters, cut to MAX_QUERY_CHARS."""
    return _CONTROL.sub("", request.args.get(name, ""))[:MAX_QUERY_CHARS].strip()


class Refused(Exception):
    """The item exists but its text is not for this requester: 401 when signing in would
    help (`readers`), 403 otherwise (`restricted`)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def readable_text(ctx: Context, request: Request, item_id: str,
                  seqs: Iterable[int] | None = None) -> ItemText | None:
    """The item's pages (only `seqs` when given) with text, None for an unknown or deleted
    item; raises Refused when the requester may not read it (the same rule as images)."""
    with ctx.store.reading() as session:
        found = item_text(session, item_id, seqs)
    if found is None:
        return None
    if not may_read_text(found.access, ctx.requester(request)):
        raise Refused(401 if found.access == "readers" else 403)
    return found


def admitted_pages(ctx: Context, item: ItemText, seqs: Iterable[int] | None = None) -> ItemText:
    """More pages (only `seqs` when given) of an item `readable_text` has just let this
    requester read: no second lookup of the item, no second session check."""
    with ctx.store.reading() as session:
        return replace(item, pages=item_pages(session, item.item_pk, seqs))
