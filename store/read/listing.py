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

from store.records import DCValue, MetadataRecord, Origin
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
    access: str
    rights_uri: str | None
    origin: Origin | None


@dataclass(frozen=True, slots=True)
class Window:
    """Which items a list covers: datestamp from..until (inclusive), in any of these sets."""

    from_: datetime | None
    until: datetime | None
    set_pks: tuple[int, ...] | None = None  # None: every item
    edm_lacks: tuple[str, ...] | None = None  # only items whose item.edm_lacks is one of these


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
    if window.edm_lacks is not None:
        query = query.where(Item.deleted | Item.edm_lacks.in_(window.edm_lacks))
    return query


def count(session: Session, window: Window) -> int:
    """How many items (tombstones included) the window holds."""
    return int(session.scalar(_filtered(select(func.count()).select_from(Item), window)) or 0)


_VALUES_OF = (select(MetadataValue.element, MetadataValue.value, MetadataValue.lang,
                     MetadataValue.item_pk, MetadataValue.position)
              .where(MetadataValue.item_pk.in_(bindparam("pks", expanding=True)))
              .order_by(MetadataValue.item_pk, MetadataValue.pk))


RowKind = Literal["headers", "dc_xml", "records", "sources"]


def _columns(kind: RowKind) -> list:  # type: ignore[type-arg]
    """The item columns of a page of this kind, in this order (listed() reads by position).

    headers: what a header needs; dc_xml: and the kept Dublin Core; records: what
    metadata_records() needs; sources: and the original record the item was imported from.
    """
    if kind in ("headers", "dc_xml"):
        light = [Item.item_id, Item.deleted, Item.datestamp, Item.page_count, Item.set_specs,
                 Item.access, Item.rights_uri, Item.origin]
        return light + [Item.dc_xml] if kind == "dc_xml" else light
    columns = [Item.pk, Item.item_id, Item.deleted, Item.datestamp, Item.rights_uri,
               Item.page_count, Item.source_format, Item.set_specs, Item.access, Item.edm_lacks,
               Item.origin]
    return columns + [Item.source_record] if kind == "sources" else columns


def page_rows(session: Session, window: Window, after: tuple[datetime, str] | None, limit: int,
              kind: RowKind) -> list[Row[Any]]:
    """Item rows of one page: up to `limit` after a position, in (datestamp, item_id) order.

    Turn headers and dc_xml rows into light records with listed(), records and sources rows
    into MetadataRecords with metadata_records() (all at once or a few at a time).
    """
    query = _page_query(window.from_ is not None, window.until is not None,
                        window.set_pks is not None, after is not None, limit, kind,
                        window.edm_lacks is not None)
    values: dict[str, Any] = {"from_": window.from_, "until": window.until,
                              "set_pks": window.set_pks, "edm_lacks": window.edm_lacks}
    if after is not None:
        values["after_stamp"], values["after_id"] = after
    return list(session.connection().execute(query, values).all())


@functools.lru_cache(maxsize=256)
def _page_query(has_from: bool, has_until: bool, has_sets: bool, has_after: bool, limit: int,
                kind: RowKind, has_lacks: bool = False) -> Select:  # type: ignore[type-arg]
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
    if has_lacks:  # formats with mandatory rules: the items that meet them, and tombstones
        query = query.where(Item.deleted | Item.edm_lacks.in_(
            bindparam("edm_lacks", expanding=True)))
    if has_after:  # a row-value comparison: both databases seek the index with it
        query = query.where(tuple_(Item.datestamp, Item.item_id) > tuple_(
            bindparam("after_stamp", type_=stamp),
            bindparam("after_id", type_=Item.item_id.type)))
    return query.order_by(Item.datestamp, Item.item_id).limit(limit)


def listed(rows: Sequence[Any]) -> list[Listed]:
    """Light records of headers or dc_xml rows (from page_rows): sets and, if read, dc_xml."""
    if not rows:
        return []
    with_dc_xml = "dc_xml" in rows[0]._fields
    listed = []
    for row in rows:  # by position: much faster than a Row's attributes
        item_id, deleted, datestamp, page_count, specs, access, rights_uri, origin = row[:8]
        listed.append(Listed(item_id, deleted, datestamp, _split(specs),
                             row[8] if with_dc_xml else None, page_count, access, rights_uri,
                             Origin.from_json(origin) if origin else None))
    return listed


def _split(specs: str) -> tuple[str, ...]:
    """The specs of an item.set_specs column (space-separated; a spec has no space)."""
    return tuple(specs.split(" ")) if specs else ()


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


def metadata_record(session: Session, item_id: str, with_source: bool = True
                    ) -> MetadataRecord | None:
    """One item's metadata record (tombstones too)."""
    rows = session.connection().execute(
        select(*_columns("sources" if with_source else "records"))
        .where(Item.item_id == item_id)).all()
    found = metadata_records(session, rows, with_source)
    return found[0] if found else None


def metadata_records(session: Session, rows: Sequence[Row[Any]], with_source: bool
                     ) -> list[MetadataRecord]:
    """Metadata records of item rows (from page_rows) with their values, in the rows' order."""
    if not rows:
        return []
    found = session.connection().execute(_VALUES_OF, {"pks": [row.pk for row in rows]}).all()
    values = {item_pk: tuple(DCValue(v.element, v.value, v.lang) for v in item_values)
              for item_pk, item_values in _values(found).items()}
    return [MetadataRecord(
        item_id=row.item_id, deleted=row.deleted, datestamp=row.datestamp,
        metadata=values.get(row.pk, ()), sets=_split(row.set_specs), rights_uri=row.rights_uri,
        page_count=row.page_count, source_format=row.source_format,
        source_record=row.source_record if with_source else None, access=row.access,
        edm_lacks=row.edm_lacks, origin=Origin.from_json(row.origin))
        for row in rows]
