"""Keyset queries for OAI-PMH lists: pages in (datestamp, item_id) order, never OFFSET.

The order is the index ix_item_datestamp_id. A list is a window (from, until, set); a page
starts after the last (datestamp, item_id) of the one before, so page 10 000 costs what
page 1 costs. Deleted items (tombstones) are listed too, flagged.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, NamedTuple

from sqlalchemy import Row, Select, bindparam, exists, func, select, tuple_
from sqlalchemy.orm import Session

from store.dublin_core import dc_xml
from store.records import DCValue, ItemRecord
from store.schema.models import Item, ItemSet, MetadataValue, OAISet


class Listed(NamedTuple):
    """A light record of a list page: what headers and oai_dc need.

    `dc_xml` is the item's serialised Dublin Core (store.dublin_core), None when not asked for.
    """

    item_id: str
    deleted: bool
    datestamp: datetime
    sets: tuple[str, ...]
    dc_xml: str | None
    page_count: int


@dataclass(frozen=True, slots=True)
class Window:
    """Which items a list covers: datestamp from..until (inclusive), in any of these sets."""

    from_: datetime | None
    until: datetime | None
    set_pks: tuple[int, ...] | None = None  # None: every item


def has_sets(session: Session) -> bool:
    """Whether the repository has any set."""
    return session.scalar(select(OAISet.pk).limit(1)) is not None


def set_pks(session: Session, spec: str) -> tuple[int, ...]:
    """The set of this spec and all its descendants (a record in a:b is in a)."""
    query = select(OAISet.pk).where(
        (OAISet.spec == spec) | OAISet.spec.startswith(spec + ":", autoescape=True))
    return tuple(session.scalars(query))


def earliest_datestamp(session: Session) -> datetime | None:
    """The oldest datestamp of any item, tombstones included."""
    return session.scalar(select(Item.datestamp).order_by(Item.datestamp).limit(1))


def latest_datestamp(session: Session) -> datetime | None:
    """The newest datestamp of any item, tombstones included."""
    return session.scalar(select(Item.datestamp).order_by(Item.datestamp.desc()).limit(1))


def _filtered(query: Select, window: Window) -> Select:  # type: ignore[type-arg]
    if window.from_ is not None:
        query = query.where(Item.datestamp >= window.from_)
    if window.until is not None:
        query = query.where(Item.datestamp <= window.until)
    if window.set_pks is not None:
        query = query.where(exists().where(ItemSet.item_pk == Item.pk,
                                           ItemSet.set_pk.in_(window.set_pks)))
    return query


def count(session: Session, window: Window) -> int:
    """How many items (tombstones included) the window holds."""
    return int(session.scalar(_filtered(select(func.count()).select_from(Item), window)) or 0)


_SETS_OF = (select(ItemSet.item_pk, OAISet.spec).join(OAISet, OAISet.pk == ItemSet.set_pk)
            .where(ItemSet.item_pk.in_(bindparam("pks", expanding=True))))
_VALUES_OF = (select(MetadataValue.element, MetadataValue.value, MetadataValue.lang,
                     MetadataValue.item_pk, MetadataValue.position)
              .where(MetadataValue.item_pk.in_(bindparam("pks", expanding=True)))
              .order_by(MetadataValue.item_pk, MetadataValue.pk))


RowKind = Literal["headers", "dc_xml", "records", "sources"]


def _columns(kind: RowKind) -> list:  # type: ignore[type-arg]
    """The item columns of a page of this kind, in this order (listed() reads by position).

    headers: what a header needs; dc_xml: and the kept Dublin Core; records: what records()
    needs for an ItemRecord; sources: and the original record the item was imported from.
    """
    if kind in ("headers", "dc_xml"):
        light = [Item.pk, Item.item_id, Item.deleted, Item.datestamp, Item.page_count,
                 Item.set_specs]
        return light + [Item.rights_uri, Item.dc_xml] if kind == "dc_xml" else light
    columns = [Item.pk, Item.item_id, Item.access, Item.deleted, Item.created, Item.datestamp,
               Item.rights_uri, Item.page_count, Item.source_format, Item.set_specs]
    return columns + [Item.source_record] if kind == "sources" else columns


def page_rows(session: Session, window: Window, after: tuple[datetime, str] | None, limit: int,
              kind: RowKind) -> list[Row[Any]]:
    """Item rows of one page: up to `limit` after a position, in (datestamp, item_id) order.

    Turn headers and dc_xml rows into light records with listed(), records and sources rows
    into ItemRecords with records() (all at once or a few at a time).
    """
    query = _page_query(window.from_ is not None, window.until is not None,
                        window.set_pks is not None, after is not None, limit, kind)
    values: dict[str, Any] = {"from_": window.from_, "until": window.until,
                              "set_pks": window.set_pks}
    if after is not None:
        values["after_stamp"], values["after_id"] = after
    return list(session.connection().execute(query, values).all())


@functools.lru_cache(maxsize=256)
def _page_query(has_from: bool, has_until: bool, has_sets: bool, has_after: bool, limit: int,
                kind: RowKind) -> Select:  # type: ignore[type-arg]
    """The page statement of one shape of window, built once and reused with new values."""
    stamp = Item.datestamp.type
    query = select(*_columns(kind))
    if has_from:
        query = query.where(Item.datestamp >= bindparam("from_", type_=stamp))
    if has_until:
        query = query.where(Item.datestamp <= bindparam("until", type_=stamp))
    if has_sets:
        query = query.where(exists().where(
            ItemSet.item_pk == Item.pk, ItemSet.set_pk.in_(bindparam("set_pks", expanding=True))))
    if has_after:  # a row-value comparison: both databases seek the index with it
        query = query.where(tuple_(Item.datestamp, Item.item_id) > tuple_(
            bindparam("after_stamp", type_=stamp),
            bindparam("after_id", type_=Item.item_id.type)))
    return query.order_by(Item.datestamp, Item.item_id).limit(limit)


def listed(session: Session, rows: Sequence[Any]) -> list[Listed]:
    """Light records of headers or dc_xml rows (from page_rows): sets and, if read, dc_xml."""
    if not rows:
        return []
    with_dc_xml = "dc_xml" in rows[0]._fields
    lacking = [row for row in rows if row[5] is None or (with_dc_xml and row[7] is None)]
    kept = _Kept(session, lacking, with_dc_xml)
    listed = []
    for row in rows:  # by position: much faster than a Row's attributes
        pk, item_id, deleted, datestamp, page_count, specs = row[:6]
        text = (row[7] if row[7] is not None else kept.dc_xml[pk]) if with_dc_xml else None
        listed.append(Listed(item_id, deleted, datestamp,
                             kept.sets[pk] if specs is None else _split(specs), text, page_count))
    return listed


def _split(specs: str) -> tuple[str, ...]:
    """The specs of an item.set_specs column (space-separated; a spec has no space)."""
    return tuple(specs.split(" ")) if specs else ()


class _Kept:
    """The set specs and dc_xml that these item rows lack, made from the tables they summarise.

    The write path keeps both columns on every item (store.write.bulk) and migration 0002 filled
    the older ones, so callers pass no rows in practice; it keeps lists right regardless.
    """

    def __init__(self, session: Session, rows: Sequence[Row[Any]], with_dc_xml: bool) -> None:
        self.sets: dict[int, tuple[str, ...]] = {}
        self.dc_xml: dict[int, str] = {}
        if not rows:
            return
        conn = session.connection()
        no_sets = [row.pk for row in rows if row.set_specs is None]
        if no_sets:
            found: dict[int, list[str]] = {pk: [] for pk in no_sets}
            for item_pk, spec in conn.execute(_SETS_OF, {"pks": no_sets}):
                found[item_pk].append(spec)
            self.sets = {pk: tuple(sorted(specs)) for pk, specs in found.items()}
        no_text = [row for row in rows if with_dc_xml and row.dc_xml is None]
        if no_text:
            values = _values(conn.execute(_VALUES_OF, {"pks": [r.pk for r in no_text]}).all())
            self.dc_xml = {row.pk: dc_xml([DCValue(v.element, v.value, v.lang)
                                           for v in values.get(row.pk, ())], row.rights_uri)
                           for row in no_text}


def _values(found: Sequence[Any]) -> dict[int, list[Any]]:
    """Value rows grouped by item. They come in (item_pk, pk) order, the index's own; the write
    path stores an item's values in position order, which is checked here (and sorted if not)."""
    values: dict[int, list[Any]] = {}
    unsorted: set[int] = set()
    last_pk, last_position = None, -1
    for row in found:
        item_pk, position = row[3], row[4]
        if item_pk != last_pk:
            last_pk, last_position = item_pk, -1
            values[item_pk] = [row]
            continue
        if position < last_position:
            unsorted.add(item_pk)
        last_position = position
        values[item_pk].append(row)
    for item_pk in unsorted:
        values[item_pk].sort(key=_position)
    return values


def _position(row: Any) -> int:
    return int(row[4])


def item(session: Session, item_id: str, with_source: bool = True) -> ItemRecord | None:
    """One item (tombstones too) with metadata and sets, without pages."""
    rows = session.connection().execute(
        select(*_columns("sources" if with_source else "records"))
        .where(Item.item_id == item_id)).all()
    found = records(session, rows, True, with_source)
    return found[0] if found else None


def records(session: Session, rows: Sequence[Row[Any]], with_metadata: bool,
            with_source: bool) -> list[ItemRecord]:
    """Records of item rows (from page_rows), with their sets and, if asked, their values."""
    if not rows:
        return []
    conn = session.connection()
    pks = [row.pk for row in rows]
    kept = _Kept(session, [row for row in rows if row.set_specs is None], with_dc_xml=False)
    values: dict[int, list[DCValue]] = {}
    if with_metadata:
        for item_pk, found in _values(conn.execute(_VALUES_OF, {"pks": pks}).all()).items():
            values[item_pk] = [DCValue(v.element, v.value, v.lang) for v in found]
    return [ItemRecord(
        item_id=row.item_id, access=row.access, deleted=row.deleted, created=row.created,
        datestamp=row.datestamp, metadata=tuple(values.get(row.pk, ())),
        sets=kept.sets[row.pk] if row.set_specs is None else _split(row.set_specs),
        source_format=row.source_format,
        source_record=row.source_record if with_source else None, rights_uri=row.rights_uri,
        page_count=row.page_count) for row in rows]
