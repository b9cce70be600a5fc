"""The live items of the sitemaps: fixed ranges of item keys, at most SITEMAP_SIZE items each.

A sitemap covers keys n·SITEMAP_SIZE+1 to (n+1)·SITEMAP_SIZE, so it holds at most that many
items (fewer where items were deleted) and is read by one key range, however many there are.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.schema.models import Item

SITEMAP_SIZE = 50_000  # the sitemaps.org limit of URLs per sitemap


def sitemap_stamps(session: Session) -> list[tuple[int, datetime]]:
    """Each sitemap that holds a live item: its number and its newest datestamp, in order."""
    number = (Item.pk - 1) // SITEMAP_SIZE
    rows = session.execute(select(number, func.max(Item.datestamp))
                           .where(Item.deleted.is_(False)).group_by(number).order_by(number))
    return [(int(n), stamp) for n, stamp in rows]


def sitemap_items(session: Session, number: int) -> list[tuple[str, datetime]]:
    """The live items of one sitemap: id and datestamp, in key order."""
    first = number * SITEMAP_SIZE + 1
    rows = session.execute(select(Item.item_id, Item.datestamp)
                           .where(Item.pk.between(first, first + SITEMAP_SIZE - 1),
                                  Item.deleted.is_(False)).order_by(Item.pk))
    return [(item_id, stamp) for item_id, stamp in rows]
