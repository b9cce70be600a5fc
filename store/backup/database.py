"""The database out of the store and back: SQLite's online backup API, PostgreSQL's pg_dump and
pg_restore.

Both copies are one consistent snapshot taken while the store keeps working: SQLite copies every
page in one step under one read transaction, pg_dump reads in one repeatable-read transaction.
So an import or a harvest running meanwhile is in it by whole transactions, never half an item.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import URL, Engine, inspect, make_url, text

from store.backup.archive import BackupError

# Tables whose rows make a store non-empty (restore refuses it).
FILLED_BY = ("item", "reader", "oai_set", "harvest_state", "activity")


def kind(url: str) -> str:
    """`sqlite` or `postgresql`, the two databases a backup holds."""
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"cannot back up a {backend} database: SQLite and PostgreSQL only")
    return backend


def is_empty(engine: Engine) -> bool:
    """Whether the store holds nothing (no tables, or tables without rows)."""
    names = set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        return not any(connection.execute(text(f"SELECT 1 FROM {table} LIMIT 1")).first()
                       for table in FILLED_BY if table in names)


def has_tables(engine: Engine) -> bool:
    return bool(inspect(engine).get_table_names())


def dump(url: str, target: Path) -> None:
    """Copy the database named by `url` into the file `target`."""
    if kind(url) == "sqlite":
        _sqlite_copy(_sqlite_file(url), target, single_file=True)
    else:
        _run("pg_dump", url, ["--format=custom", "--no-owner", "--no-privileges",
                              f"--file={target}"])


def load(url: str, source: Path) -> None:
    """Fill the (empty) database named by `url` from the copy in `source`."""
    if kind(url) == "sqlite":
        _sqlite_copy(str(source), Path(_sqlite_file(url)), single_file=False)
    else:
        # --clean drops the empty tables `thuvienso init` may have made; the caller checked
        # that they hold no row and are of the archive's schema revision.
        _run("pg_restore", url, ["--no-owner", "--no-privileges", "--clean", "--if-exists",
                                 "--single-transaction", "--exit-on-error", str(source)])


def _sqlite_file(url: str) -> str:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return database


def _sqlite_copy(source: str, target: Path, single_file: bool) -> None:
    """Every page of `source` into `target` in one step (one snapshot, whatever writes
    meanwhile); `single_file` leaves it out of WAL mode, to travel as one file."""
    try:
        src = sqlite3.connect(source, timeout=30)
        try:
            dst = sqlite3.connect(target, timeout=30)
            try:
                src.backup(dst)
                if single_file:
                    dst.execute("PRAGMA journal_mode=DELETE")
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as error:
        raise BackupError(f"cannot copy the SQLite database: {error}") from None


def _run(program: str, url: str, arguments: list[str]) -> None:
    """pg_dump or pg_restore on the database of `url` (its password passed in the
    environment, never on the command line)."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    try:
        done = subprocess.run([program, *arguments, f"--dbname={_libpq(parsed)}"], env=env,
                              capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(f"{program} is not installed (Debian: apt-get install "
                          "postgresql-client)") from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise BackupError(f"{program} failed: {lines[0] if lines else done.returncode}")


def _libpq(url: URL) -> str:
    """The libpq connection URI of a SQLAlchemy URL, without its password."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
