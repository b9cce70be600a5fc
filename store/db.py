"""Engine and sessions for SQLite (embedded default) and PostgreSQL, through one code path."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from store import tile_tree
from store.settings import Settings

# What a database that does not answer raises (down, restarting, refusing connections, locked
# past the busy timeout): temporary conditions, which callers may report as such.
UNAVAILABLE: tuple[type[Exception], ...] = (OperationalError, InterfaceError)


def make_engine(url: str) -> Engine:
    """An engine with WAL and foreign keys on SQLite, a pre-pinged pool elsewhere."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


class Store:
    """Owns the engine; hands out short sessions. One per process (per worker)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        settings.data_path.mkdir(mode=0o750, parents=True, exist_ok=True)
        self.engine = make_engine(settings.sqlalchemy_url)
        # the write path withdraws changed items from the direct tile tree of this data dir
        self._sessions = sessionmaker(self.engine, expire_on_commit=False,
                                      info={tile_tree.SESSION_KEY: settings.data_path})
        # Reads on PostgreSQL run without BEGIN/ROLLBACK: under READ COMMITTED each statement
        # takes its own snapshot inside a transaction too, so nothing is lost, and a page of a
        # list costs two round trips less. (SQLite's driver starts no transaction for reads.)
        self._readers = self.engine if self.is_sqlite else self.engine.execution_options(
            isolation_level="AUTOCOMMIT")
        self._read_sessions = sessionmaker(self._readers, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only (rolled back at the end; never write through it)."""
        with self._read_sessions() as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def reading_connection(self) -> Iterator[Connection]:
        """A plain connection for the hottest one-statement reads (an image's page lookup):
        a quarter of the cost of an ORM session (about 30 µs against 120 on SQLite here)."""
        with self._readers.connect() as connection:
            yield connection

    def dispose(self) -> None:
        self.engine.dispose()
