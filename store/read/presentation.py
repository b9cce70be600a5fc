"""Small read queries for manifests, collections and the portal (cache stamps, list rows)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.read.queries import ITEM_ID, image_id
from store.records import DCValue, PageRecord
from store.schema.models import Item, ItemSet, MetadataValue, OAISet, Page


@dataclass(frozen=True, slots=True)
class ItemStamp:
    """What decides whether a cached manifest is still right, read without loading pages."""

    item_id: str
    deleted: bool
    datestamp: datetime
    content_hash: str
    page_count: int
    set_names: tuple[tuple[str, str], ...]  # (spec, name) of the item's sets


@dataclass(frozen=True, slots=True)
class Member:
    """An item as a collection or a result list shows it: titles and its first page."""

    item_id: str
    access: str
    titles: tuple[DCValue, ...]
    creators: tuple[str, ...]
    dates: tuple[str, ...]
    first_page: PageRecord | None
    page_count: int
    descriptions: tuple[str, ...] = ()


def item_stamp(session: Session, item_id: str) -> ItemStamp | None:
    """The stamp of one item, or None when the id is unknown."""
    if not ITEM_ID.fullmatch(item_id):
        return None
    row = session.execute(select(Item.pk, Item.deleted, Item.datestamp, Item.content_hash,
                                 Item.page_count).where(Item.item_id == item_id)).first()
    if row is None:
        return None
    names = session.execute(select(OAISet.spec, OAISet.name)
                            .join(ItemSet, ItemSet.set_pk == OAISet.pk)
                            .where(ItemSet.item_pk == row.pk).order_by(OAISet.spec)).all()
    return ItemStamp(item_id, row.deleted, row.datestamp, row.content_hash, row.page_count,
                     tuple((spec, name) for spec, name in names))


def store_stamp(session: Session) -> str:
    """Changes whenever any item or set changes (for caching collections)."""
    # Both maxima are read from indexes; a count would scan the whole table on every request.
    items = session.execute(select(func.max(Item.datestamp), func.max(Item.pk))).first()
    sets = session.execute(select(func.count(), func.max(OAISet.pk))).first()
    return f"{items[0] if items else ''}|{items[1] if items else 0}|{tuple(sets or ())}"


def set_member_ids(session: Session, spec: str) -> list[str]:
    """Ids of the live items with pages filed directly in a set (not in its subsets)."""
    return list(session.scalars(
        select(Item.item_id).join(ItemSet, ItemSet.item_pk == Item.pk)
        .join(OAISet, OAISet.pk == ItemSet.set_pk)
        .where(OAISet.spec == spec, Item.deleted.is_(False), Item.page_count > 0)
        .order_by(Item.item_id)))


def members(session: Session, item_ids: Iterable[str]) -> dict[str, Member]:
    """List rows of several live items by id (unknown and deleted ids are left out)."""
    ids = list(item_ids)
    if not ids:
        return {}
    rows = session.execute(select(Item.pk, Item.item_id, Item.access, Item.page_count)
                           .where(Item.item_id.in_(ids), Item.deleted.is_(False))).all()
    pks = {row.pk: row for row in rows}
    values: dict[int, list[MetadataValue]] = {}
    for value in session.scalars(
            select(MetadataValue).where(MetadataValue.item_pk.in_(list(pks)),
                                        MetadataValue.element.in_(("title", "creator", "date",
                                                                    "description")))
            .order_by(MetadataValue.item_pk, MetadataValue.position)):
        values.setdefault(value.item_pk, []).append(value)
    firsts = {page.item_pk: page for page in session.scalars(
        select(Page).where(Page.item_pk.in_(list(pks)), Page.seq == 1))}
    out: dict[str, Member] = {}
    for pk, row in pks.items():
        mine = values.get(pk, [])
        page = firsts.get(pk)
        first = PageRecord(image_id=image_id(row.item_id, 1), seq=1, label=page.label,
                           width=page.width, height=page.height, image_path="",
                           checksum=page.checksum) if page else None
        out[row.item_id] = Member(
            item_id=row.item_id, access=row.access,
            titles=tuple(DCValue(v.element, v.value, v.lang) for v in mine
                         if v.element == "title"),
            creators=tuple(v.value for v in mine if v.element == "creator"),
            dates=tuple(v.value for v in mine if v.element == "date"),
            first_page=first, page_count=row.page_count,
            descriptions=tuple(v.value for v in mine if v.element == "description"))
    return out


def set_counts(session: Session) -> dict[str, int]:
    """Live items filed directly in each set, by spec (sets without items are left out)."""
    rows = session.execute(select(OAISet.spec, func.count(Item.pk))
                           .join(ItemSet, ItemSet.set_pk == OAISet.pk)
                           .join(Item, Item.pk == ItemSet.item_pk)
                           .where(Item.deleted.is_(False)).group_by(OAISet.spec))
    return {spec: int(n) for spec, n in rows}
