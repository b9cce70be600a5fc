"""Read queries of the store; everything returned is a frozen record, not an ORM object."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.orm import Session, selectinload

from store.europeana import eligible_values, served_lacks
from store.read.search import SearchPage
from store.records import DCValue, ItemRecord, PageImage, PageRecord, SetRecord
from store.schema.models import Item, ItemSet, OAISet, Page, Reader
from store.settings import Settings

ITEM_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
IMAGE_ID = re.compile(r"(?P<item>[A-Za-z0-9][A-Za-z0-9._-]{0,127})~p(?P<seq>[0-9]{4,6})")


def image_id(item_id: str, seq: int) -> str:
    """The IIIF Image API identifier of a page: item id, '~p', page number."""
    return f"{item_id}~p{seq:04d}"


def _page_record(page: Page, item_id: str, data: Settings | None, with_text: bool) -> PageRecord:
    path = str(data.data_path / page.image_file) if data else page.image_file
    return PageRecord(image_id=image_id(item_id, page.seq), seq=page.seq, label=page.label,
                      width=page.width, height=page.height, image_path=path,
                      checksum=page.checksum, text=page.text if with_text else None)


def _item_record(row: Item, settings: Settings | None, with_text: bool) -> ItemRecord:
    return ItemRecord(
        item_id=row.item_id, access=row.access, deleted=row.deleted, created=row.created,
        datestamp=row.datestamp,
        metadata=tuple(DCValue(v.element, v.value, v.lang) for v in row.values),
        sets=tuple(s.spec for s in row.sets),
        pages=tuple(_page_record(p, row.item_id, settings, with_text) for p in row.pages),
        source_format=row.source_format, source_record=row.source_record,
        rights_uri=row.rights_uri or (settings.rights_default if settings else None) or None,
        viewing_direction=row.viewing_direction,
        behavior=row.behavior, subtitle=row.subtitle, page_count=row.page_count,
        has_text=any(p.text for p in row.pages))


def get_item(session: Session, item_id: str, settings: Settings | None = None,
             with_text: bool = False) -> ItemRecord | None:
    """One whole item with its pages (deleted ones too, flagged), or None when the id is unknown.

    Page image paths are absolute under `settings`' data dir when given; page text is read
    only `with_text`.
    """
    if not ITEM_ID.fullmatch(item_id):
        return None
    row = session.scalar(select(Item).where(Item.item_id == item_id).options(
        selectinload(Item.values), selectinload(Item.sets), selectinload(Item.pages)))
    return _item_record(row, settings, with_text) if row else None


# Built once and reused with new values: an image request is the hottest read of all, and
# building a statement costs more than running it.
_PAGE_IMAGE = (
    select(Item.item_id, Item.access, Item.datestamp, Page.image_file, Page.width, Page.height,
           Page.checksum)
    .join(Page, Page.item_pk == Item.pk)
    .where(Item.item_id == bindparam("item_id"), Page.seq == bindparam("seq"),
           Item.deleted.is_(False)))


def page_image(reader: Session | Connection, image_id: str, settings: Settings
               ) -> PageImage | None:
    """What the Image API needs for one image id; None for an unknown or deleted one."""
    match = IMAGE_ID.fullmatch(image_id)
    if not match:
        return None
    row = reader.execute(_PAGE_IMAGE, {"item_id": match["item"],
                                       "seq": int(match["seq"])}).first()
    if row is None:
        return None
    item_id, access, datestamp, image_file, width, height, checksum = row
    return PageImage(image_id=image_id, item_id=item_id, access=access,
                     image_path=str(settings.data_path / image_file), width=width,
                     height=height, checksum=checksum, datestamp=datestamp)


def list_sets(session: Session) -> list[SetRecord]:
    """All sets in spec order (plain rows, not ORM objects: a store may have 10 000 sets)."""
    rows = session.execute(select(OAISet.spec, OAISet.name, OAISet.description)
                           .order_by(OAISet.spec))
    return [SetRecord(spec, name, description) for spec, name, description in rows]


def browse_set(session: Session, set_pks: tuple[int, ...], limit: int, offset: int
               ) -> SearchPage:
    """One page of the live items of a set and its subsets (set_pks), in id order."""
    members = select(Item.item_id).where(
        Item.pk.in_(select(ItemSet.item_pk).where(ItemSet.set_pk.in_(set_pks))),
        Item.deleted.is_(False))
    total = session.scalar(select(func.count()).select_from(members.subquery()))
    ids = session.scalars(members.order_by(Item.item_id).limit(limit).offset(offset))
    return SearchPage(list(ids), int(total or 0))


@dataclass(frozen=True, slots=True)
class Stats:
    items: int
    pages: int
    sets: int
    deleted: int
    readers: int


def stats(session: Session) -> Stats:
    """Counts for `thuvienso stats` and /healthz."""
    def count(query) -> int:  # type: ignore[no-untyped-def]
        return int(session.scalar(query) or 0)
    return Stats(
        items=count(select(func.count()).select_from(Item).where(Item.deleted.is_(False))),
        pages=count(select(func.count()).select_from(Page)),
        sets=count(select(func.count()).select_from(OAISet)),
        deleted=count(select(func.count()).select_from(Item).where(Item.deleted.is_(True))),
        readers=count(select(func.count()).select_from(Reader)))


def edm_refusals(session: Session, default_rights: str | None) -> list[tuple[str, list[str]]]:
    """The live items not disseminated as EDM, in id order, with what each lacks in words."""
    rows = session.execute(
        select(Item.item_id, Item.edm_lacks)
        .where(Item.deleted.is_(False), Item.edm_lacks.not_in(eligible_values(default_rights)))
        .order_by(Item.item_id))
    return [(item_id, served_lacks(lacks, default_rights)) for item_id, lacks in rows]
