"""What is indexed with an item (see store.read.search for the queries).

Item metadata goes to `item_search` (and `item_fts` on SQLite) in four ranked parts; page text
to the page index of store.schema.fulltext. Every word passes through store.folding.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from store.folding import joined_words, words
from store.records import ItemInput
from store.schema.fulltext import (
    OTHER_ELEMENTS,
    PAGE_BITS,
    first_year,
    page_rowid,
    tsvector_literal,
)


def index_words(item: ItemInput) -> tuple[str, str, str, str, int | None]:
    """An item's indexed words: title with subtitle (245 $b), creators, subjects, the other
    searched metadata (description, publisher, place, date); and its year."""
    meta = item.metadata

    def of(*elements: str) -> list[str]:
        return [v.value for v in meta if v.element in elements]

    return (joined_words(of("title") + [item.subtitle or ""]),
            joined_words(of("creator", "contributor")),
            joined_words(of("subject")),
            joined_words(of(*OTHER_ELEMENTS)),
            first_year(of("date")))


def page_fts_row(item_pk: int, seq: int, text: str) -> tuple[int, str]:
    """The SQLite page_fts row of a page's text (also what deletes it again)."""
    return page_rowid(item_pk, seq), " ".join(words(text))


def page_document(text: str | None) -> str | None:
    """The PostgreSQL tsvector of a page's text, as a literal."""
    return tsvector_literal(words(text)) if text else None


# SQLite, while `thuvienso reindex` runs (store.write.reindex): the new FTS tables, and the
# table holding the last item key they hold.
SHADOWS = {"item_fts": "item_fts_new", "page_fts": "page_fts_new"}
REBUILD_MARK = "fts_rebuild"


def rebuild_mark(conn: Connection) -> int | None:
    """The last item key a reindex under way has done (SQLite), None when none runs."""
    if conn.dialect.name != "sqlite" or conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = ?", (REBUILD_MARK,)).first() is None:
        return None
    return int(conn.exec_driver_sql(f"SELECT mark FROM {REBUILD_MARK}").scalar() or 0)


def page_fts_item(row: tuple[Any, ...]) -> int:
    """The item key of a page_fts row (rowid first)."""
    return int(row[0]) >> PAGE_BITS


def keep_rebuild_in_step(conn: Connection, sql: str, rows: list[tuple[Any, ...]],
                         table: str, item_pk: Callable[[tuple[Any, ...]], int]) -> None:
    """Run `sql` (a write of the live FTS `table`) on the reindex's new table too, for the
    rows of items it has done already: a write during a reindex is in both."""
    mark = rebuild_mark(conn) if rows else None
    if mark is None:
        return
    done = [row for row in rows if item_pk(row) <= mark]
    if done:
        conn.exec_driver_sql(sql.replace(table, SHADOWS[table]), done)
