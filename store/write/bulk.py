"""Bulk writes: many items in one transaction, with the same semantics as store.write.items.

The content hash, datestamps, set creation, tombstones and search index rows are exactly those
of upsert_item and delete_item; only the statements are batched: one SELECT for the ids, one
multi-row INSERT ... RETURNING for new items, and the child rows (values, sets, pages, index)
through the driver's fastest path (COPY on PostgreSQL, executemany on SQLite). Used by the
importers and the demo.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, bindparam, event, select, update
from sqlalchemy.orm import Session

from store.dublin_core import dc_xml
from store.europeana import edm_lacks
from store.records import DCValue, ItemInput, utc_now
from store.rights import own_statement
from store.schema.models import Item
from store.write.activity import CREATE, DELETE, UPDATE, note
from store.write.items import (
    Outcome,
    content_hash,
    ensure_sets,
    file_checksum,
    inherited_statement,
    nfc,
    set_defaults,
    store_image,
    validate,
)
from store.write.search_index import (
    index_words,
    keep_rebuild_in_step,
    page_document,
    page_fts_item,
    page_fts_row,
)

CHUNK = 500  # ids per IN (...) list
ITEM_COLUMNS = ("item_id", "access", "deleted", "datestamp", "content_hash", "source_format",
                "source_record", "rights_uri", "viewing_direction", "behavior", "subtitle",
                "page_count", "dc_xml", "set_specs", "rights_inherited", "edm_lacks", "origin",
                "created", "pk")
COLUMNS = {
    "item": ITEM_COLUMNS,
    "metadata_value": ("item_pk", "position", "element", "value", "lang"),
    "page": ("item_pk", "seq", "label", "checksum", "width", "height", "text", "image_file",
             "boxes"),
    "page_search": ("item_pk", "seq", "document"),
    "item_set": ("item_pk", "set_pk"),
    "item_search": ("item_pk", "title_words", "creator_words", "subject_words", "other_words",
                    "year"),
    "item_fts": ("rowid", "title", "creator", "subject", "other"),
    "page_fts": ("rowid", "body"),
}

def _chunks(values: Sequence[Any]) -> list[list[Any]]:
    return [list(values[i:i + CHUNK]) for i in range(0, len(values), CHUNK)]


def insert_rows(session: Session, table: str, rows: list[tuple[Any, ...]]) -> None:
    """Insert plain rows into one of the store's tables by the driver's fastest path."""
    if not rows:
        return
    columns = COLUMNS[table]
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        raw = connection.connection.dbapi_connection
        with raw.cursor() as cursor, cursor.copy(  # type: ignore[union-attr]
                f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    connection.exec_driver_sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                               rows)


def _delete_children(session: Session, pks: list[int], pages_too: bool = True,
                     all_children: bool = True) -> None:
    connection = session.connection()
    page_tables = ["page"] if connection.dialect.name == "sqlite" else ["page_search", "page"]
    tables = (["metadata_value", "item_set"] if all_children else []) + \
        (page_tables if pages_too else []) + ["item_search"]
    for chunk in _chunks(pks):
        marks = ", ".join(str(int(pk)) for pk in chunk)  # integers from the database
        if pages_too and connection.dialect.name == "sqlite":
            # a contentless FTS5 table forgets a row given the very words it indexed
            pages = connection.exec_driver_sql(
                f"SELECT item_pk, seq, text FROM page WHERE item_pk IN ({marks}) "
                "AND text IS NOT NULL").all()
            if pages:
                forget = "INSERT INTO page_fts(page_fts, rowid, body) VALUES('delete', ?, ?)"
                rows = [page_fts_row(*page) for page in pages]
                connection.exec_driver_sql(forget, rows)
                keep_rebuild_in_step(connection, forget, rows, "page_fts", page_fts_item)
        for table in tables:
            connection.exec_driver_sql(f"DELETE FROM {table} WHERE item_pk IN ({marks})")
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql(f"DELETE FROM item_fts WHERE rowid IN ({marks})")
            keep_rebuild_in_step(connection, "DELETE FROM item_fts WHERE rowid = ?",
                                 [(pk,) for pk in chunk], "item_fts", lambda row: row[0])


def _item_row(item: ItemInput, digest: str, now: datetime | str, inherited: bool
              ) -> dict[str, Any]:
    """The item table's columns in ITEM_COLUMNS order (created added by the caller).

    `item` is as _stated() made it: its rights URI is its own statement or, `inherited`, its
    set's.
    """
    return {"item_id": item.item_id, "access": item.access, "deleted": False, "datestamp": now,
            "content_hash": digest, "source_format": item.source_format,
            "source_record": item.source_record, "rights_uri": item.rights_uri,
            "viewing_direction": item.viewing_direction, "behavior": item.behavior,
            "subtitle": item.subtitle,
            "page_count": len(item.pages),
            "dc_xml": dc_xml(item.metadata, item.rights_uri),
            "set_specs": " ".join(sorted(set(item.sets))),
            "rights_inherited": inherited,
            "edm_lacks": edm_lacks(item.metadata, item.rights_uri),
            "origin": item.origin.to_json() if item.origin else None}


def _normalised(item: ItemInput) -> ItemInput:
    """The item with its texts in NFC, as the store keeps them (values, subtitle, page texts),
    and its own rights statement (store.rights) as its rights URI."""
    rights = [v.value for v in item.metadata if v.element == "rights"]
    own = own_statement(item.rights_uri, rights)
    metadata = item.metadata
    if item.rights_uri and own is None and item.rights_uri not in rights:
        metadata += (DCValue("rights", item.rights_uri),)  # not a statement: kept as given
    return replace(
        item, rights_uri=own, metadata=tuple(replace(v, value=nfc(v.value)) for v in metadata),
        subtitle=nfc(item.subtitle) if item.subtitle else None,
        pages=tuple(replace(p, text=nfc(p.text)) if p.text else p for p in item.pages))


def _stated(session: Session, items: list[ItemInput]) -> list[tuple[ItemInput, bool]]:
    """Each item with its set's default statement when it has none of its own (and whether)."""
    bare = [item for item in items if item.rights_uri is None and item.sets]
    defaults = set_defaults(session, {spec for item in bare for spec in item.sets}) \
        if bare else {}
    stated = []
    for item in items:
        inherited = None if item.rights_uri else inherited_statement(item.sets, defaults)
        stated.append((replace(item, rights_uri=inherited), True) if inherited
                      else (item, False))
    return stated


def _existing(session: Session, ids: Sequence[str]) -> dict[str, tuple[int, bool, str]]:
    found: dict[str, tuple[int, bool, str]] = {}
    for chunk in _chunks(ids):
        rows = session.execute(select(Item.item_id, Item.pk, Item.deleted, Item.content_hash)
                               .where(Item.item_id.in_(chunk)))
        found.update({r[0]: (r[1], r[2], r[3]) for r in rows})
    return found


def _keep_statistics(session: Session, highest_pk: int) -> None:
    """ANALYZE once when PostgreSQL has no statistics yet for a store that is filling up.

    Autovacuum may be off or late during a long load; a planner without statistics scans
    `item` for every batch's id lookup, and each batch gets slower than the last, and it
    takes a handful of items for hundreds of thousands of value rows. Called once a batch's
    items and their children are written (ANALYZE sees the transaction's own rows), so every
    table gets its statistics (ids unique, values per item), which the planner then scales
    with the tables.
    """
    if session.connection().dialect.name != "postgresql":
        return
    estimate = session.connection().exec_driver_sql(
        "SELECT reltuples FROM pg_class WHERE oid = 'item'::regclass").scalar() or 0
    if highest_pk >= 1000 and estimate <= 0:
        session.connection().exec_driver_sql(
            "ANALYZE item, metadata_value, item_set, item_search, page, page_search")


def _insert_items(session: Session, new: list[tuple[int, ItemInput, str, bool]],
                  now: datetime) -> dict[int, int]:
    """Insert new item rows; their primary keys by position."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":  # take the keys first, then COPY with them
        keys = connection.exec_driver_sql(
            "SELECT nextval(pg_get_serial_sequence('item', 'pk')) "
            f"FROM generate_series(1, {len(new)})").scalars().all()
        insert_rows(session, "item", [
            (*_item_row(item, digest, now, inherited).values(), now, pk)
            for (_n, item, digest, inherited), pk in zip(new, keys, strict=True)])
        return {n: pk for (n, _item, _digest, _inherited), pk in zip(new, keys, strict=True)}
    stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLAlchemy stores DateTime in SQLite
    insert_rows(session, "item", [(*_item_row(item, digest, stamp, inherited).values(), stamp,
                                   None) for _n, item, digest, inherited in new])
    made = _existing(session, [item.item_id for _n, item, _digest, _inherited in new])
    return {n: made[item.item_id][0] for n, item, _digest, _inherited in new}


def bulk_upsert(session: Session, items: Sequence[ItemInput], data_path: Path) -> list[Outcome]:
    """Insert or update many items (distinct ids) in the caller's transaction; outcomes in order."""
    ids = [item.item_id for item in items]
    if len(set(ids)) != len(ids):
        raise ValueError("bulk_upsert needs distinct item ids")
    for item in items:
        validate(item)
    checksums = [[p.checksum or file_checksum(p.image_path) for p in item.pages]
                 for item in items]
    digests = [content_hash(item, sums) for item, sums in zip(items, checksums, strict=True)]
    stated = _stated(session, [_normalised(item) for item in items])
    items = [item for item, _inherited in stated]
    inherited = [flag for _item, flag in stated]
    existing = _existing(session, ids)
    now = utc_now()
    outcomes: list[Outcome] = []
    new: list[int] = []
    changed: list[int] = []
    for n, (item, digest) in enumerate(zip(items, digests, strict=True)):
        found = existing.get(item.item_id)
        if found is None:
            outcomes.append("imported")
            new.append(n)
        elif not found[1] and found[2] == digest:
            outcomes.append("unchanged")
        else:
            outcomes.append("imported" if found[1] else "updated")
            changed.append(n)
    table = cast(Table, Item.__table__)
    pks: dict[int, int] = {n: existing[items[n].item_id][0] for n in changed}
    if new:
        pks.update(_insert_items(session, [(n, items[n], digests[n], inherited[n])
                                           for n in new], now))
    if changed:
        session.execute(
            update(table).where(table.c.pk == bindparam("b_pk")),
            [dict(_item_row(items[n], digests[n], now, inherited[n]), b_pk=pks[n])
             for n in changed])
        _delete_children(session, [pks[n] for n in changed])
    if pks:
        _insert_children(session, items, checksums, pks, data_path)
        if new:  # statistics go missing only while a store fills up
            _keep_statistics(session, max(pks.values()))
        stamp_at_commit(session, now, pks.values())
        note(session, [(items[n].item_id, CREATE if outcomes[n] == "imported" else UPDATE)
                       for n in pks if items[n].pages])
    return outcomes


def _insert_children(session: Session, items: Sequence[ItemInput], checksums: list[list[str]],
                     pks: dict[int, int], data_path: Path) -> None:
    written = sorted(pks)
    insert_rows(session, "metadata_value", [
        (pks[n], pos, v.element, v.value, v.lang)
        for n in written for pos, v in enumerate(items[n].metadata)])
    pages = [(pks[n], seq, p.label, c, p.width, p.height, p.text or None,
              store_image(p.image_path, c, data_path), p.boxes if p.text else None)
             for n in written
             for seq, (p, c) in enumerate(zip(items[n].pages, checksums[n], strict=True), 1)]
    sqlite = session.connection().dialect.name == "sqlite"
    if sqlite:
        insert_rows(session, "page", pages)
        indexed = [page_fts_row(row[0], row[1], row[6]) for row in pages if row[6]]
        insert_rows(session, "page_fts", indexed)
        keep_rebuild_in_step(session.connection(), "INSERT INTO page_fts (rowid, body) "
                             "VALUES (?, ?)", indexed, "page_fts", page_fts_item)
    else:
        insert_rows(session, "page", pages)
        insert_rows(session, "page_search", [(row[0], row[1], page_document(row[6]))
                                             for row in pages if row[6]])
    specs = sorted({s for n in written for s in items[n].sets})
    if specs:
        sets = ensure_sets(session, specs)
        insert_rows(session, "item_set", [(pks[n], sets[s].pk) for n in written
                                          for s in sorted(set(items[n].sets))])
    search = [(pks[n], *index_words(items[n])) for n in written]
    insert_rows(session, "item_search", search)
    if sqlite:
        insert_rows(session, "item_fts", [row[:5] for row in search])
        keep_rebuild_in_step(session.connection(), "INSERT INTO item_fts (rowid, title, "
                             "creator, subject, other) VALUES (?, ?, ?, ?, ?)",
                             [row[:5] for row in search], "item_fts", lambda row: row[0])


def bulk_delete(session: Session, item_ids: Sequence[str]) -> list[bool]:
    """Turn many items into tombstones, as delete_item does; False where nothing was deleted."""
    existing = _existing(session, item_ids)
    doomed = [existing[i][0] for i in item_ids if i in existing and not existing[i][1]]
    if doomed:
        table = cast(Table, Item.__table__)
        now = utc_now()
        for chunk in _chunks(doomed):
            session.execute(update(table).where(table.c.pk.in_(chunk))
                            .values(deleted=True, datestamp=now, content_hash="deleted"))
        _delete_children(session, doomed, all_children=False)
        stamp_at_commit(session, now, doomed)
        for chunk in _chunks(doomed):
            note(session, [(item_id, DELETE) for item_id in session.scalars(
                select(Item.item_id).where(Item.pk.in_(chunk), Item.page_count > 0))])
    return [i in existing and not existing[i][1] for i in item_ids]


_RESTAMP = "thuvienso.restamp"


def stamp_at_commit(session: Session, written_at: datetime, pks: Any) -> None:
    """Move these items' datestamps from `written_at` to the moment their transaction commits.

    A harvest bounds its list by its first responseDate; a change stamped when it was written
    but committed a batch later could fall behind a harvest that started in between, and the
    next incremental harvest (from that responseDate) would miss it. Stamped at commit, the
    change is visible no later than its datestamp says.
    """
    session.info.setdefault(_RESTAMP, {}).setdefault(written_at, set()).update(pks)


@event.listens_for(Session, "before_commit")
def _restamp(session: Session) -> None:
    pending: dict[datetime, set[int]] = session.info.pop(_RESTAMP, {})
    if not pending:
        return
    table = cast(Table, Item.__table__)
    now = utc_now()
    for written_at, pks in pending.items():
        if written_at == now:
            continue
        for chunk in _chunks(sorted(pks)):
            # Only rows still carrying this batch's stamp: a savepoint rolled back keeps its own.
            session.execute(update(table).where(table.c.pk.in_(chunk),
                                                table.c.datestamp == written_at)
                            .values(datestamp=now))


@event.listens_for(Session, "after_rollback")
def _forget_restamp(session: Session) -> None:
    if not session.in_transaction():
        session.info.pop(_RESTAMP, None)
