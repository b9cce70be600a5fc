"""`reindex` (store.write.reindex) on both databases: a damaged or emptied index made whole
again, the same search results as before, idempotence, an empty store, writes during a run,
and a run stopped midway then run again."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from store.db import Store
from store.read.search import Filters, matching_pages, search_items
from store.read.search_query import parse_query
from store.records import DCValue, ItemInput
from store.write.bulk import bulk_delete
from store.write.items import upsert_item
from store.write.reindex import reindex
from tests.store.fulltext_sample import page, populate

QUERIES = ("hai phong", "bach dang", "do son", "truyện kiều", '"ngo quyen thang"',
           '"hai phong" tau', "so tay", "bimat", "tran van giap", "sach")
LEVELS = ("open", "readers", "restricted")


@pytest.fixture
def sample(store, tmp_path_factory):
    populate(store, tmp_path_factory.getbasetemp() / "fulltext-images")
    return store


def results(store: Store) -> dict[str, Any]:
    """Every query's hits in order, their pages found, and each item's matching pages."""
    out: dict[str, Any] = {}
    with store.reading() as session:
        pks = {i: pk for i, pk in session.execute(text("SELECT item_id, pk FROM item"))}
        for query in QUERIES:
            found = search_items(session, query, filters=Filters(text_levels=LEVELS))
            out[query] = (found.item_ids, found.total,
                          {i: p.seq for i, p in found.pages.items()},
                          {i: matching_pages(session, pks[i], parse_query(query))
                           for i in found.item_ids})
    return out


def damage(store: Store) -> None:
    """Empty the page index and lose or spoil the item index."""
    with store.engine.begin() as conn:
        if store.is_sqlite:
            conn.exec_driver_sql("INSERT INTO page_fts(page_fts) VALUES ('delete-all')")
            conn.exec_driver_sql("DELETE FROM item_fts")
            conn.exec_driver_sql("INSERT INTO item_fts(rowid, title, creator, subject, other) "
                                 "SELECT pk, 'rac', '', '', '' FROM item")
            conn.exec_driver_sql("UPDATE item_search SET title_words = 'rac'")
        else:
            conn.exec_driver_sql("DELETE FROM page_search WHERE seq > 1")
            conn.exec_driver_sql("UPDATE page_search SET document = 'rac'")
            conn.exec_driver_sql("DELETE FROM item_search WHERE mod(item_pk, 2) = 0")
            conn.exec_driver_sql("UPDATE item_search SET title_words = 'rac'")


def test_a_damaged_index_is_made_whole_with_the_same_results(sample):
    before = results(sample)
    assert before["bach dang"][0] == ["dia-chi-hai-phong"]
    damage(sample)
    assert results(sample) != before
    done = reindex(sample)
    assert (done.items, done.pages) == (7, 6)
    assert results(sample) == before


def test_reindex_is_idempotent(sample):
    before = results(sample)
    reindex(sample, batch=2)
    again = reindex(sample, batch=3)
    assert results(sample) == before
    assert (again.items, again.pages) == (7, 6)
    if not sample.is_sqlite:  # in place: nothing differs, nothing is written
        assert again.rewritten == 0


def test_an_empty_store_is_reindexed_as_nothing(store):
    assert reindex(store).line() == \
        "reindexed 0 items and 0 pages with text (0 index rows rewritten)"
    with store.reading() as session:
        assert search_items(session, "hai phong").item_ids == []


def test_tombstones_keep_no_index_row(sample):
    with sample.session() as session:
        bulk_delete(session, ["nhat-ky-ba-lan"])
    reindex(sample)
    assert results(sample)["hai phong"][0] == ["dia-chi-hai-phong"]
    with sample.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM item_search")).scalar() == 6


def test_writes_during_a_run_are_in_the_new_index(sample, tmp_path):
    """An item changed after the run has done it, one deleted, and one added meanwhile."""
    calls = []

    def write_meanwhile(done: int, total: int) -> None:
        calls.append((done, total))
        if len(calls) != 2:
            return
        with sample.session() as session:
            upsert_item(session, ItemInput("dia-chi-hai-phong", metadata=(
                DCValue("title", "Địa chí Thái Bình"),), pages=(
                page(tmp_path, "Chuyện làng Kiến Xương"),)), sample.settings.data_path)
            upsert_item(session, ItemInput("moi-them", metadata=(
                DCValue("title", "Sách mới thêm"),), pages=(
                page(tmp_path, "Bến Nghé ngày xưa"),)), sample.settings.data_path)
            bulk_delete(session, ["nhat-ky-ba-lan"])

    reindex(sample, on_progress=write_meanwhile, batch=2)
    assert calls[-1][0] == calls[-1][1]
    assert found(sample, "kien xuong") == ["dia-chi-hai-phong"]
    assert found(sample, "thai binh") == ["dia-chi-hai-phong"]
    assert found(sample, "ben nghe") == ["moi-them"]
    assert found(sample, "hai phong") == found(sample, "bach dang") == []
    # and the index stays in step with later writes (a damaged one would refuse or misfind)
    with sample.session() as session:
        bulk_delete(session, ["dia-chi-hai-phong", "moi-them"])
    assert found(sample, "kien xuong") == found(sample, "ben nghe") == []
    if sample.is_sqlite:
        with sample.engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO page_fts(page_fts) VALUES ('integrity-check')")
            conn.exec_driver_sql("INSERT INTO item_fts(item_fts) VALUES ('integrity-check')")


def found(store: Store, query: str) -> list[str]:
    with store.reading() as session:
        return search_items(session, query, filters=Filters(text_levels=LEVELS)).item_ids


class Stop(Exception):
    pass


def test_a_run_stopped_midway_keeps_searching_and_finishes_when_run_again(sample):
    before = results(sample)
    damage(sample)
    damaged = results(sample)

    def stop(done: int, total: int) -> None:
        if done >= 2:
            raise Stop

    with pytest.raises(Stop):
        reindex(sample, on_progress=stop, batch=2)
    if sample.is_sqlite:  # searches still read the old tables, whole
        assert results(sample) == damaged
    progress: list[tuple[int, int]] = []
    reindex(sample, on_progress=lambda done, total: progress.append((done, total)), batch=2)
    if sample.is_sqlite:  # the second run went on from where the first stopped
        assert progress[0][0] == 4
    assert progress[-1] == (7, 7)
    assert results(sample) == before


def test_a_dropped_fts_table_is_made_again(sample):
    if not sample.is_sqlite:
        pytest.skip("SQLite's FTS5 tables")
    before = results(sample)
    with sample.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE page_fts")
        conn.exec_driver_sql("DROP TABLE item_fts")
    reindex(sample)
    assert results(sample) == before
