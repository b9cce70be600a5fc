"""The batch writer that import and harvest share: batches, one-by-one retries that reject only
the bad records, the two id policies, the caller's rows in the same transaction, progress, and
the store's own faults told apart from a record's."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
import sqlalchemy

from store.ingest import batch
from store.ingest.batch import BatchWriter, StoreUnavailable, store_faults
from store.ingest.entries import Delete, Reject, Upsert
from store.ingest.harvest_state import HarvestPosition, read_position, save_position
from store.read.queries import get_item
from store.records import DCValue, ImportSummary, ItemInput
from tests.store.ingest.helpers import CutAfter, gone


def _up(number: int, item_id: str, title: str = "Hà Nội") -> Upsert:
    return Upsert(number, ItemInput(item_id, (DCValue("title", title),)))


def _titles(store, *ids):
    with store.reading() as session:
        return [(item.title if item else None) for item in (get_item(session, i) for i in ids)]


def test_batches_of_batch_size_and_every_entry_counted_once(store, monkeypatch):
    monkeypatch.setattr(batch, "BATCH_SIZE", 3)
    cutter = CutAfter(99, lambda: None)
    monkeypatch.setattr(batch, "bulk_upsert", cutter)
    summary = ImportSummary()
    writer = BatchWriter(store, summary, repeated_id="latest")
    for n in range(1, 8):
        writer.add("f.xml", _up(n, f"b{n}"))
    writer.add("f.xml", Reject(8, "no identifier"))
    writer.add("f.xml", Delete(9, "b1"))
    writer.add("f.xml", Delete(10, "never-here"))
    writer.flush()
    assert cutter.sizes == [3, 3, 1]
    assert (summary.imported, summary.deleted, summary.unchanged, summary.rejected) == (7, 1, 1, 1)
    assert summary.problems == ["f.xml: record 8: no identifier"]


def test_a_bad_record_in_a_batch_is_rejected_alone(store):
    summary = ImportSummary()
    writer = BatchWriter(store, summary)
    writer.add("f.xml", _up(1, "ok-1"))
    writer.add("f.xml", Upsert(2, ItemInput("bad", (DCValue("title", "x"),),
                                            sets=("a b",))))  # caught before any write
    writer.add("f.xml", _up(3, "ok-3"))
    writer.flush()
    assert (summary.imported, summary.rejected) == (2, 1)
    assert summary.problems[0].startswith("f.xml: record 2: 'a b' is not a set spec")


def test_a_record_too_big_for_the_search_index_is_a_rejection_not_a_store_fault(store):
    """PostgreSQL says so with an OperationalError (program limit exceeded, from COPY)."""
    huge = " ".join(f"w{i:07d}" for i in range(150_000))  # a tsvector of more than 1 MB
    summary = ImportSummary()
    writer = BatchWriter(store, summary)
    writer.add("f.xml", _up(1, "small-1"))
    writer.add("f.xml", _up(2, "huge", huge))
    writer.add("f.xml", _up(3, "small-3"))
    writer.flush()
    assert _titles(store, "small-1", "small-3") == ["Hà Nội", "Hà Nội"]
    if store.is_sqlite:
        assert (summary.imported, summary.rejected) == (3, 0)
    else:
        assert (summary.imported, summary.rejected) == (2, 1)
        assert len(summary.problems) == 1
        assert summary.problems[0].startswith("f.xml: record 2: string is too long for tsvector")


def test_import_policy_rejects_a_second_record_of_an_id(store):
    summary = ImportSummary()
    writer = BatchWriter(store, summary, repeated_id="reject")
    writer.add("a.xml", _up(1, "x", "first"))
    writer.flush()
    writer.add("b.xml", _up(4, "x", "second"))
    writer.flush()
    assert (summary.imported, summary.rejected) == (1, 1)
    assert summary.problems == ["b.xml: record 4: id x was already given by a.xml record 1 "
                                "of this import"]
    assert _titles(store, "x") == ["first"]


def test_harvest_policy_lets_the_later_entry_of_a_batch_win(store):
    summary = ImportSummary()
    writer = BatchWriter(store, summary, repeated_id="latest")
    writer.add("url", _up(1, "x", "first"))
    writer.add("url", _up(2, "y"))
    writer.add("url", _up(3, "x", "second"))
    writer.flush()
    writer.add("url", Delete(4, "y"))
    writer.add("url", _up(5, "y", "back"))
    writer.flush()
    assert (summary.imported, summary.updated, summary.rejected) == (2, 1, 0)
    assert _titles(store, "x", "y") == ["second", "back"]


def test_the_callers_rows_commit_with_the_last_records_or_not_at_all(store, monkeypatch):
    here = HarvestPosition("http://p.example/oai", "oai_dc", resumption_token="page2")
    writer = BatchWriter(store, ImportSummary(), repeated_id="latest")

    def save_then_fail(session):
        save_position(session, here)
        gone()

    writer.add("url", _up(1, "p1"))
    with pytest.raises(StoreUnavailable):
        writer.flush(commit_with=save_then_fail)
    with store.reading() as session:
        assert read_position(session, here.source_url, "oai_dc") == \
            HarvestPosition(here.source_url, "oai_dc")
    assert _titles(store, "p1") == [None]  # the records went with the position

    writer.add("url", _up(1, "p1"))
    writer.flush(commit_with=lambda session: save_position(session, here))
    with store.reading() as session:
        assert read_position(session, here.source_url, "oai_dc") == here
    assert _titles(store, "p1") == ["Hà Nội"]

    monkeypatch.setattr(batch, "bulk_upsert", CutAfter(0, gone))
    writer.add("url", _up(2, "p2"))
    later = HarvestPosition(here.source_url, "oai_dc", last_response_date="2025-01-01")
    with pytest.raises(StoreUnavailable, match=r"^the store stopped answering \(server closed "):
        writer.flush(commit_with=lambda session: save_position(session, later))
    with store.reading() as session:
        assert read_position(session, here.source_url, "oai_dc") == here


def test_with_batch_writes_in_every_transaction_of_entries(store):
    seen = []
    writer = BatchWriter(store, ImportSummary(),
                         with_batch=lambda session, entries: seen.append(
                             [e.number for e in entries]))
    writer.add("f", _up(1, "w1"))
    writer.add("f", Upsert(2, ItemInput("w2", (DCValue("title", "x"),), access="secret")))
    writer.add("f", _up(3, "w3"))
    writer.flush()
    assert seen == [[1, 3]]  # the bad record was caught before the write
    writer.add("f", _up(4, "w4"))
    writer.add("f", _up(5, "w4"))  # rejected: given twice
    writer.flush()
    writer.flush()  # nothing pending: no transaction, no call
    assert seen == [[1, 3], [4]]


def test_progress_counts_every_entry_of_each_source(store, monkeypatch):
    monkeypatch.setattr(batch, "BATCH_SIZE", 2)
    told = []
    writer = BatchWriter(store, ImportSummary(), on_progress=lambda *a: told.append(a))
    writer.add("a.xml", _up(1, "a1"))
    writer.add("a.xml", Reject(2, "no id"))
    writer.add("a.xml", _up(3, "a3"))  # a full batch: written and told
    writer.add("a.xml", _up(4, "a4"))
    writer.flush()
    writer.add("b.xml", Reject(1, "no id"))
    writer.flush()
    assert told == [("a.xml", 3), ("a.xml", 4), ("b.xml", 1)]


@pytest.mark.parametrize("error, fault", [
    (sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("gone")), True),
    (sqlalchemy.exc.InterfaceError("SELECT 1", {}, Exception("closed")), True),
    (psycopg.OperationalError("server closed the connection unexpectedly"), True),
    (sqlite3.OperationalError("database is locked"), True),
    (psycopg.errors.ProgramLimitExceeded("string is too long for tsvector"), False),
    (sqlalchemy.exc.IntegrityError("INSERT", {}, Exception("duplicate key")), False),
    (psycopg.errors.DataError("invalid byte sequence"), False),
    (ValueError("'x' is not a Dublin Core element"), False),
    (OSError(2, "No such file or directory"), False),
])
def test_the_store_faults_are_told_from_a_records(error, fault):
    if fault:
        with pytest.raises(StoreUnavailable), store_faults():
            raise error
    else:
        with pytest.raises(type(error)), store_faults():
            raise error
