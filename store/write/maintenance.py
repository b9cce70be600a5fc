"""PostgreSQL housekeeping after a long write: VACUUM ANALYZE of the tables it changed.

After a bulk load or a reindex, the tables hold the old versions of the rewritten rows, the
GIN indexes hold their new entries in pending lists (read in full by every search until
autovacuum gets to them), and the planner's statistics predate the new rows. A store that
has just written a great deal clears all three itself rather than wait for autovacuum.
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
