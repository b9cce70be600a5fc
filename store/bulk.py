"""Bulk upsert: many items in one transaction with executemany, same semantics as upsert_item.

The content hash, datestamps, set creation and search index rows are exactly those of
store.write.upsert_item; only the statements are batched (one SELECT for the ids, executemany
INSERTs for items, values, sets, pages and the index). Used by the importers and the demo.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import bindparam, delete, insert, select, text, update
from sqlalchemy.orm import Session

from store.models import Item, ItemSearch, ItemSet, MetadataValue, Page
from store.records import ItemInput
from store.search import joined_words
from store.write import (
    Outcome,
    _content_hash,
    ensure_sets,
    file_checksum,
    nfc,
    store_image,
    utc_now,
    validate,
)

CHUNK = 500  # ids per IN (...) list


def _chunks(values: Sequence[int] | Sequence[str]) -> list[list]:
    return [list(values[i:i + CHUNK]) for i in range(0, len(values), CHUNK)]


def _item_row(item: ItemInput, digest: str, now) -> dict:  # type: ignore[no-untyped-def]
    return {"item_id": item.item_id, "access": item.access, "deleted": False, "datestamp": now,
            "content_hash": digest, "source_format": item.source_format,
            "source_record": item.source_record, "rights_uri": item.rights_uri,
            "viewing_direction": item.viewing_direction, "behavior": item.behavior,
            "subtitle": nfc(item.subtitle) if item.subtitle else None,
            "page_count": len(item.pages)}


def _search_row(pk: int, item: ItemInput, subtitle: str | None) -> dict:
    meta = item.metadata
    return {"pk": pk,
            "t": joined_words([v.value for v in meta if v.element == "title"] + [subtitle or ""]),
            "c": joined_words([v.value for v in meta if v.element in ("creator", "contributor")]),
            "s": joined_words([v.value for v in meta if v.element == "subject"])}


def bulk_upsert(session: Session, items: Sequence[ItemInput], data_path: Path) -> list[Outcome]:
    """Insert or update many items (distinct ids) in the caller's transaction; outcomes in order."""
    ids = [item.item_id for item in items]
    if len(set(ids)) != len(ids):
        raise ValueError("bulk_upsert needs distinct item ids")
    for item in items:
        validate(item)
    checksums = [[p.checksum or file_checksum(p.image_path) for p in item.pages]
                 for item in items]
    digests = [_content_hash(item, sums) for item, sums in zip(items, checksums, strict=True)]
    existing: dict[str, tuple[int, bool, str]] = {}
    for chunk in _chunks(ids):
        rows = session.execute(select(Item.item_id, Item.pk, Item.deleted, Item.content_hash)
                               .where(Item.item_id.in_(chunk)))
        existing.update({r[0]: (r[1], r[2], r[3]) for r in rows})
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
    if not new and not changed:
        return outcomes
    table = Item.__table__
    pks: dict[int, int] = {n: existing[items[n].item_id][0] for n in changed}
    if new:
        rows = [dict(_item_row(items[n], digests[n], now), created=now) for n in new]
        result = session.execute(insert(table).returning(table.c.pk,
                                                         sort_by_parameter_order=True), rows)
        pks.update(zip(new, result.scalars().all(), strict=True))
    if changed:
        session.execute(
            update(table).where(table.c.pk == bindparam("b_pk")),
            [dict(_item_row(items[n], digests[n], now), b_pk=pks[n]) for n in changed])
        old = [pks[n] for n in changed]
        for chunk in _chunks(old):
            for model in (MetadataValue, Page, ItemSet, ItemSearch):
                session.execute(delete(model).where(model.__table__.c.item_pk.in_(chunk)))
            if session.get_bind().dialect.name == "sqlite":
                session.execute(text("DELETE FROM item_fts WHERE rowid = :pk"),
                                [{"pk": pk} for pk in chunk])
    _insert_children(session, items, checksums, pks, data_path)
    return outcomes


def _insert_children(session: Session, items: Sequence[ItemInput], checksums: list[list[str]],
                     pks: dict[int, int], data_path: Path) -> None:
    written = sorted(pks)
    values = [{"item_pk": pks[n], "position": pos, "element": v.element, "value": nfc(v.value),
               "lang": v.lang} for n in written for pos, v in enumerate(items[n].metadata)]
    if values:
        session.execute(insert(MetadataValue.__table__), values)
    pages = [{"item_pk": pks[n], "seq": seq, "label": p.label, "checksum": c, "width": p.width,
              "height": p.height, "text": nfc(p.text) if p.text else None,
              "image_file": store_image(p.image_path, c, data_path)}
             for n in written
             for seq, (p, c) in enumerate(zip(items[n].pages, checksums[n], strict=True), 1)]
    if pages:
        session.execute(insert(Page.__table__), pages)
    specs = sorted({s for n in written for s in items[n].sets})
    if specs:
        sets = ensure_sets(session, specs)
        session.execute(insert(ItemSet.__table__),
                        [{"item_pk": pks[n], "set_pk": sets[s].pk}
                         for n in written for s in sorted(set(items[n].sets))])
    search = [_search_row(pks[n], items[n], nfc(items[n].subtitle) if items[n].subtitle
                          else None) for n in written]
    session.execute(text("INSERT INTO item_search (item_pk, title_words, creator_words, "
                         "subject_words) VALUES (:pk, :t, :c, :s)"), search)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("INSERT INTO item_fts (rowid, title, creator, subject) "
                             "VALUES (:pk, :t, :c, :s)"), search)
