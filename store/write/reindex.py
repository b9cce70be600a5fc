"""`thuvienso reindex`: the full-text indexes made again from what the store holds.

The rows come from the write path's own functions (store.write.search_index): an item's words
from its stored metadata and subtitle, a page's from its stored text. Live items are taken
BATCH at a time in key order, one transaction a batch, so a fault stops the run with every
finished batch kept, and the same command finishes the job.

PostgreSQL: in place. A batch rewrites its items' `item_search` and `page_search` rows where
they differ (a rerun after a fault writes only what is left), so a search sees each row either
old or new and never a gap. The batch's items are locked (FOR SHARE) until it commits: a write
of one of them waits, and is never overwritten with what the batch read before it. VACUUM
ANALYZE at the end clears the old row versions and the GIN indexes' pending lists
(store.write.maintenance).

SQLite: `page_fts` is contentless, and a row of it can only be removed given the very words
it was indexed with, which a folding change or a damaged index no longer gives. So both FTS
tables are built anew beside the live ones (store.write.search_index.SHADOWS), the last item
done kept with each batch in `fts_rebuild`; searches read the live tables meanwhile, and the
write path keeps the new ones in step for the items already done. A last short transaction
swaps them in: searches never see a gap. A run stopped midway leaves the new tables and the
mark, and the next run goes on from the mark. `item_search` (plain words) is rewritten in
place, batch by batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from psycopg.errors import DeadlockDetected
from sqlalchemy import Connection, bindparam, text
from sqlalchemy.exc import OperationalError

from store.db import Store
from store.records import DCValue, ItemInput
from store.schema.fulltext import ITEM_FTS, ITEM_FTS_RANK, PAGE_FTS
from store.write.maintenance import vacuum_analyze
from store.write.search_index import (
    REBUILD_MARK,
    SHADOWS,
    index_words,
    page_document,
    page_fts_row,
    rebuild_mark,
)

BATCH = 200  # items a transaction (about 4 000 pages of a book collection)
DEADLOCK_RETRIES = 3
OnProgress = Callable[[int, int], None]  # items done, items in all


@dataclass(frozen=True, slots=True)
class Reindexed:
    """What a run did: live items and pages with text indexed, and the rows it rewrote."""

    items: int = 0
    pages: int = 0
    rewritten: int = 0

    def line(self) -> str:
        return (f"reindexed {self.items} items and {self.pages} pages with text "
                f"({self.rewritten} index rows rewritten)")


def reindex(store: Store, on_progress: OnProgress | None = None,
            batch: int | None = None) -> Reindexed:
    """Rebuild the item and page full-text indexes of the store, `batch` items at a time."""
    batch = batch or BATCH
    sqlite = store.is_sqlite
    after = _open_shadows(store) if sqlite else 0
    with store.engine.connect() as conn:
        counts = conn.execute(text(
            "SELECT count(*), coalesce(sum(CASE WHEN pk <= :after THEN 1 ELSE 0 END), 0) "
            "FROM item WHERE NOT deleted"), {"after": after}).one()
    total, before = int(counts[0]), int(counts[1])
    done = Reindexed()
    while True:
        pks, step = _batch(store, after, batch, sqlite)
        if not pks:
            break
        after = pks[-1]
        done = Reindexed(done.items + len(pks), done.pages + step.pages,
                         done.rewritten + step.rewritten)
        if on_progress is not None:
            on_progress(before + done.items, max(total, before + done.items))
    if not sqlite:
        with store.engine.begin() as conn:
            _clear_tombstones(conn)
        vacuum_analyze(store.engine, ["item_search", "page_search"])
    return done


def _batch(store: Store, after: int, size: int, sqlite: bool) -> tuple[list[int], Reindexed]:
    """One transaction: the next `size` live items after key `after` indexed again (on SQLite,
    the new tables swapped in when none is left); their keys and what was done."""
    for attempt in range(DEADLOCK_RETRIES + 1):
        try:
            with store.engine.begin() as conn:
                if sqlite:  # a write first: the batch holds the write lock before it reads
                    conn.execute(text(f"UPDATE {REBUILD_MARK} SET mark = mark"))
                # PostgreSQL: the items locked against writers until the batch commits, so
                # that no write falls between what it reads and what it writes
                pks = list(conn.execute(text(
                    "SELECT pk FROM item WHERE pk > :after AND NOT deleted ORDER BY pk "
                    f"LIMIT :n{'' if sqlite else ' FOR SHARE'}"),
                    {"after": after, "n": size}).scalars())
                if not pks:
                    if sqlite:  # every item done, and no writer in between: swap
                        _clear_tombstones(conn)
                        _swap_shadows(conn)
                    return [], Reindexed()
                step = _reindex_batch(conn, pks, after, sqlite)
                if sqlite:
                    conn.execute(text(f"UPDATE {REBUILD_MARK} SET mark = :mark"),
                                 {"mark": pks[-1]})
                return pks, step
        except OperationalError as error:  # a writer locked the same items the other way
            if not isinstance(error.orig, DeadlockDetected) or attempt == DEADLOCK_RETRIES:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _clear_tombstones(conn: Connection) -> None:
    """No index row for deleted items (the write path leaves none; a damaged index may)."""
    conn.execute(text("DELETE FROM item_search WHERE item_pk IN "
                      "(SELECT pk FROM item WHERE deleted)"))


def _reindex_batch(conn: Connection, pks: list[int], after: int, sqlite: bool) -> Reindexed:
    """Index the items `pks` (keys above `after`, in order) again; tombstones between lose
    any index row left."""
    window = {"after": after, "last": pks[-1]}
    rewritten = _item_rows(conn, pks, window, sqlite)
    pages = conn.execute(text(
        "SELECT p.pk, p.item_pk, p.seq, p.text FROM page p JOIN item i ON i.pk = p.item_pk "
        "WHERE p.item_pk > :after AND p.item_pk <= :last AND NOT i.deleted "
        "ORDER BY p.item_pk, p.seq"), window).all()
    if sqlite:
        rows = [page_fts_row(item_pk, seq, body) for _pk, item_pk, seq, body in pages if body]
        if rows:
            conn.exec_driver_sql(f"INSERT INTO {SHADOWS['page_fts']}(rowid, body) "
                                 "VALUES (?, ?)", rows)
        rewritten += len(rows)
    else:
        rewritten += _page_documents(conn, window, [(item_pk, seq, body)
                                                    for _pk, item_pk, seq, body in pages if body])
    return Reindexed(len(pks), sum(1 for page in pages if page[3]), rewritten)


def _item_rows(conn: Connection, pks: list[int], window: dict[str, int], sqlite: bool) -> int:
    """Rewrite the items' `item_search` rows where they differ (and their new `item_fts`
    rows on SQLite); the number of rows written."""
    values: dict[int, list[DCValue]] = {pk: [] for pk in pks}
    for item_pk, element, value in conn.execute(text(
            "SELECT item_pk, element, value FROM metadata_value WHERE item_pk IN :pks "
            "ORDER BY item_pk, position").bindparams(bindparam("pks", expanding=True)),
            {"pks": pks}):
        values[item_pk].append(DCValue(element, value))
    subtitles: dict[int, str | None] = {
        pk: subtitle for pk, subtitle in conn.execute(
            text("SELECT pk, subtitle FROM item WHERE pk IN :pks").bindparams(
                bindparam("pks", expanding=True)), {"pks": pks})}
    rows = [(pk, *index_words(ItemInput("-", metadata=tuple(values[pk]),
                                        subtitle=subtitles.get(pk))))
            for pk in pks]
    written = conn.execute(text(
        "INSERT INTO item_search (item_pk, title_words, creator_words, subject_words, "
        "other_words, year) VALUES (:pk, :title, :creator, :subject, :other, :year) "
        "ON CONFLICT (item_pk) DO UPDATE SET title_words = excluded.title_words, "
        "creator_words = excluded.creator_words, subject_words = excluded.subject_words, "
        "other_words = excluded.other_words, year = excluded.year WHERE "
        "(item_search.title_words, item_search.creator_words, item_search.subject_words, "
        "item_search.other_words, item_search.year) IS DISTINCT FROM (excluded.title_words, "
        "excluded.creator_words, excluded.subject_words, excluded.other_words, excluded.year)"),
        [dict(zip(("pk", "title", "creator", "subject", "other", "year"), row, strict=True))
         for row in rows])
    count = max(int(written.rowcount or 0), 0)
    if sqlite:
        conn.exec_driver_sql(
            f"INSERT INTO {SHADOWS['item_fts']}(rowid, title, creator, subject, other) "
            "VALUES (?, ?, ?, ?, ?)", [row[:5] for row in rows])
        count = len(rows)
    return count


def _page_documents(conn: Connection, window: dict[str, int],
                    pages: list[tuple[int, int, str]]) -> int:
    """Make the batch's `page_search` rows those of its pages with text, writing only what
    differs; the number of rows written or removed."""
    arrays = {"pks": [p[0] for p in pages], "seqs": [p[1] for p in pages],
              "docs": [page_document(p[2]) for p in pages]}
    pairs = ("unnest(CAST(:pks AS integer[]), CAST(:seqs AS integer[]), "
             "CAST(:docs AS text[])) AS v(item_pk, seq, doc)")
    removed = conn.execute(text(  # rows of pages gone, without text, of deleted items
        "DELETE FROM page_search s WHERE s.item_pk > :after AND s.item_pk <= :last AND NOT "
        "EXISTS (SELECT 1 FROM page p JOIN item i ON i.pk = p.item_pk WHERE p.item_pk = "
        "s.item_pk AND p.seq = s.seq AND p.text IS NOT NULL AND NOT i.deleted)"), window)
    written = conn.execute(text(
        f"INSERT INTO page_search (item_pk, seq, document) SELECT v.item_pk, v.seq, "
        f"CAST(v.doc AS tsvector) FROM {pairs} ON CONFLICT (item_pk, seq) DO UPDATE SET "
        "document = excluded.document WHERE page_search.document IS DISTINCT FROM "
        "excluded.document"), arrays) if pages else None
    return max(int(removed.rowcount or 0), 0) + \
        (max(int(written.rowcount or 0), 0) if written is not None else 0)


def _open_shadows(store: Store) -> int:
    """Create the new FTS tables and the mark unless a stopped run left them; the last item
    key done."""
    with store.engine.begin() as conn:
        mark = rebuild_mark(conn)
        if mark is not None:
            return mark
        for shadow, ddl in ((SHADOWS["item_fts"], ITEM_FTS), (SHADOWS["page_fts"], PAGE_FTS)):
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {shadow}")
            conn.exec_driver_sql(ddl.format(name=shadow))
        conn.exec_driver_sql(f"INSERT INTO {SHADOWS['item_fts']}({SHADOWS['item_fts']}, rank) "
                             "VALUES ('rank', ?)", (ITEM_FTS_RANK,))
        conn.exec_driver_sql(f"CREATE TABLE {REBUILD_MARK} (mark INTEGER NOT NULL)")
        conn.exec_driver_sql(f"INSERT INTO {REBUILD_MARK} (mark) VALUES (0)")
    return 0


def _swap_shadows(conn: Connection) -> None:
    """Put the new FTS tables in place of the live ones (in the caller's transaction)."""
    for live, shadow in SHADOWS.items():
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {live}")
        conn.exec_driver_sql(f"ALTER TABLE {shadow} RENAME TO {live}")
    conn.exec_driver_sql(f"DROP TABLE {REBUILD_MARK}")
