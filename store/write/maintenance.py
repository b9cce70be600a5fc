"""PostgreSQL housekeeping after a long write, so that searches do not wait for autovacuum.

After an import or a harvest, the full-text GIN indexes hold the new words in pending lists,
read in full by every search (settle_search_indexes). After a reindex, which rewrites rows,
the tables also hold the old row versions, and the planner's statistics predate the new ones
(vacuum_analyze).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine


def vacuum_analyze(engine: Engine, tables: Iterable[str]) -> None:
    """VACUUM ANALYZE the tables (outside a transaction, as VACUUM needs); nothing on SQLite."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in tables:
            conn.exec_driver_sql(f"VACUUM ANALYZE {table}")


GIN_INDEXES = ("ix_page_search_document", "ix_item_search_document")


def settle_search_indexes(engine: Engine) -> None:
    """Merge the full-text GIN indexes' pending lists into their trees (PostgreSQL; nothing
    on SQLite), at the end of an import or a harvest.

    New rows' words wait in a GIN index's pending list (up to gin_pending_list_limit, 4 MB by
    default) until autovacuum or a full list merges them, and every search reads the whole
    list meanwhile: after a run of a few thousand pages, until the next large one. Merging
    costs about what the list holds.
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for index in GIN_INDEXES:
            conn.exec_driver_sql(f"SELECT gin_clean_pending_list('{index}'::regclass)")
