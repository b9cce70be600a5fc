"""The one batch writer of `thuvienso import` and `thuvienso harvest`.

Entries (store.ingest.entries) are written BATCH_SIZE at a time, one transaction per batch
(store.write.bulk). When a batch fails because of a record (ValueError, IntegrityError, a
driver's data error, OSError from a missing scan), its records are written again one per
transaction and only the bad ones are rejected, as `WHERE: record N: reason` problems. When it
fails because of the store itself (OperationalError, InterfaceError: down, restarting, refusing
connections, locked), the run stops at once with StoreUnavailable: what was committed stays,
and running the same command again goes on cleanly (an import is idempotent; a harvest resumes
from the position it committed with its last good page).

A caller writes its own rows in the same transactions: `with_batch` in every transaction that
writes entries (the harvest's set names), `flush(commit_with=...)` in the one that ends a flush
(the harvest's position, which must commit together with its page's records). Progress goes
to a plain callback, `on_progress(where, done)`: how many entries of `where` were handled.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from typing import Literal

import psycopg
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from store.db import Store
from store.ingest.entries import Delete, Entry, Reject, Upsert
from store.records import ImportSummary
from store.write.bulk import bulk_delete, bulk_upsert
from store.write.items import validate
from store.write.maintenance import settle_search_indexes

BATCH_SIZE = 500
Written = Upsert | Delete
# What a record can make a write raise; the store's own faults among them are told apart by
# _store_fault. (A driver's error raised outside SQLAlchemy, by COPY on PostgreSQL, is raw.)
RECORD_ERRORS: tuple[type[Exception], ...] = (SQLAlchemyError, psycopg.Error, sqlite3.Error,
                                               ValueError, OSError)
# PEP 249 names of the errors a database raises for itself, not for what it was given.
_STORE_ERRORS = frozenset({"OperationalError", "InterfaceError"})


class StoreUnavailable(Exception):  # noqa: N818 - named for what the user is told
    """The store stopped answering midway; the message is one sentence for the user."""


def _store_fault(error: BaseException) -> bool:
    """True when the store failed (connection, server, lock), not the record being written."""
    driver = getattr(error, "orig", None) or error  # SQLAlchemy wraps the driver's error
    if str(getattr(driver, "sqlstate", "") or "").startswith("54"):
        return False  # program limit exceeded (a tsvector too long): the record is too big
    return any(kind.__name__ in _STORE_ERRORS for kind in type(error).__mro__)


def _reason(error: BaseException) -> str:
    driver = getattr(error, "orig", None) or error
    lines = str(driver).strip().splitlines()
    return lines[0].strip() if lines else type(error).__name__


@contextlib.contextmanager
def store_faults() -> Iterator[None]:
    """Turn the store's own faults inside the block into StoreUnavailable."""
    try:
        yield
    except RECORD_ERRORS as error:
        if _store_fault(error):
            raise StoreUnavailable(
                f"the store stopped answering ({_reason(error)}); what was written is kept, "
                "and running the same command again finishes the job") from error
        raise


class BatchWriter:
    """Collects entries into batches, writes them, and counts every entry into the summary.

    `repeated_id` is the policy for an id given twice: "reject" rejects any later record of
    an id this writer has already taken (an import: two records of one import for one item
    is a mistake); "latest" lets the later entry replace an earlier one not yet written (a
    harvest page: a provider's later entry for an item wins), so no batch has an id twice.
    """

    def __init__(self, store: Store, summary: ImportSummary, *,
                 repeated_id: Literal["reject", "latest"] = "reject",
                 with_batch: Callable[[Session, Sequence[Written]], None] | None = None,
                 on_progress: Callable[[str, int], None] | None = None) -> None:
        self.store, self.summary = store, summary
        self.repeated_id = repeated_id
        self.with_batch = with_batch
        self.on_progress = on_progress
        self.batch_size = BATCH_SIZE
        self.pending: dict[str, tuple[str, Written]] = {}  # item id: (where, entry)
        self.seen: dict[str, str] = {}  # "reject": item id: which record gave it first
        self.handled: dict[str, int] = {}  # where: entries taken so far
        self.reported: dict[str, int] = {}  # where: the count on_progress was last given

    def reject(self, where: str, number: int, reason: str) -> None:
        self.summary.rejected += 1
        self.summary.problems.append(f"{where}: record {number}: {reason}")

    def add(self, where: str, entry: Entry) -> None:
        """Take one entry of `where`; a full batch is written at once."""
        self.handled[where] = self.handled.get(where, 0) + 1
        if isinstance(entry, Reject):
            self.reject(where, entry.number, entry.reason)
            return
        item_id = entry.item.item_id if isinstance(entry, Upsert) else entry.item_id
        if self.repeated_id == "latest":
            self.pending.pop(item_id, None)
        elif item_id in self.seen:
            self.reject(where, entry.number, f"id {item_id} was already given by "
                        f"{self.seen[item_id]} of this import")
            return
        if isinstance(entry, Upsert):
            try:
                validate(entry.item)
            except ValueError as error:
                self.reject(where, entry.number, str(error))
                return
        if self.repeated_id == "reject":
            self.seen[item_id] = f"{where} record {entry.number}"
        self.pending[item_id] = (where, entry)
        if len(self.pending) >= self.batch_size:
            self.flush()

    def flush(self, commit_with: Callable[[Session], None] | None = None) -> None:
        """Write what is pending; `commit_with` writes the caller's rows in the last transaction.

        Raises StoreUnavailable, after rolling back the transaction it was in, when the store
        fails; `commit_with` then has not committed.
        """
        batch, self.pending = list(self.pending.values()), {}
        outcomes: list[str] = []
        if not batch and commit_with is None:
            self._report()
            return
        with store_faults():
            try:
                with self.store.session() as session:
                    outcomes = self._write(session, [entry for _, entry in batch])
                    if commit_with is not None:
                        commit_with(session)
            except RECORD_ERRORS as error:
                if _store_fault(error) or not batch:
                    raise
                outcomes = self._one_by_one(batch)
                if commit_with is not None:
                    with self.store.session() as session:
                        commit_with(session)
        for outcome in outcomes:
            setattr(self.summary, outcome, getattr(self.summary, outcome) + 1)
        self._report()

    def settle(self) -> None:
        """At the end of a run that wrote anything: the search indexes ready for searches
        (store.write.maintenance)."""
        s = self.summary
        if s.imported or s.updated or s.deleted:
            with store_faults():
                settle_search_indexes(self.store.engine)

    def _report(self) -> None:
        """Tell on_progress how many entries of each source were handled, where that changed."""
        if self.on_progress is None:
            return
        for where, done in self.handled.items():
            if self.reported.get(where) != done:
                self.reported[where] = done
                self.on_progress(where, done)

    def _one_by_one(self, batch: list[tuple[str, Written]]) -> list[str]:
        """Each entry in its own transaction: only the records that fail are rejected."""
        outcomes: list[str] = []
        for where, entry in batch:
            try:
                with self.store.session() as session:
                    outcomes += self._write(session, [entry])
            except RECORD_ERRORS as error:
                if _store_fault(error):
                    raise
                self.reject(where, entry.number, _reason(error))
        return outcomes

    def _write(self, session: Session, entries: list[Written]) -> list[str]:
        if not entries:
            return []
        if self.with_batch is not None:
            self.with_batch(session, entries)
        upserts = [e.item for e in entries if isinstance(e, Upsert)]
        outcomes: list[str] = list(bulk_upsert(session, upserts, self.store.settings.data_path))
        deletions = [e.item_id for e in entries if isinstance(e, Delete)]
        outcomes += ["deleted" if done else "unchanged"
                     for done in bulk_delete(session, deletions)]
        return outcomes
