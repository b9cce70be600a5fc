"""The write path: idempotent upsert, datestamps, tombstones, sets, search index."""

from __future__ import annotations

import time

from store.read import listing
from store.read.queries import get_item, list_sets, stats
from store.read.search import search_items
from store.records import DCValue, ItemInput
from store.write.items import delete_item, upsert_item


def _item(title: str = "Thư viện Hải Phòng", **kw) -> ItemInput:
    return ItemInput("hp-001", (DCValue("title", title, "vi"), DCValue("creator", "Đặng Thai Mai")),
                     sets=("sach:lichsu",), **kw)


def test_reimport_of_unchanged_item_keeps_its_datestamp(store):
    with store.session() as s:
        assert upsert_item(s, _item(), store.settings.data_path) == "imported"
    with store.session() as s:
        before = get_item(s, "hp-001").datestamp
    time.sleep(1.1)
    with store.session() as s:
        assert upsert_item(s, _item(), store.settings.data_path) == "unchanged"
    with store.session() as s:
        assert get_item(s, "hp-001").datestamp == before
    with store.session() as s:
        assert upsert_item(s, _item("Thư viện Hà Nội"), store.settings.data_path) == "updated"
    with store.session() as s:
        assert get_item(s, "hp-001").datestamp > before


def test_nfd_input_is_stored_nfc_and_found_without_marks(store):
    import unicodedata

    with store.session() as s:
        upsert_item(s, _item(unicodedata.normalize("NFD", "Truyện Kiều")), store.settings.data_path)
    with store.session() as s:
        assert get_item(s, "hp-001").title == "Truyện Kiều"
        assert search_items(s, "truyen kieu").item_ids == ["hp-001"]
        assert search_items(s, "dang").item_ids == ["hp-001"]
        assert search_items(s, '"AND* thu-vien').item_ids == []


def test_deleted_item_is_a_tombstone_in_its_sets_and_not_searchable(store):
    with store.session() as s:
        upsert_item(s, _item(), store.settings.data_path)
    with store.session() as s:
        assert delete_item(s, "hp-001") is True
        assert delete_item(s, "never-imported") is False
    with store.session() as s:
        item = get_item(s, "hp-001")
        assert item.deleted
        in_sach = listing.Window(None, None, listing.set_pks(s, "sach"))
        rows = listing.page_rows(s, in_sach, None, 10, "headers")
        assert [(r.item_id, r.deleted) for r in listing.listed(rows)] == [("hp-001", True)]
        assert search_items(s, "hai phong").total == 0
        assert stats(s).deleted == 1
        assert [x.spec for x in list_sets(s)] == ["sach", "sach:lichsu"]


def test_failed_transaction_leaves_no_partial_item(store):
    try:
        with store.session() as s:
            upsert_item(s, _item(), store.settings.data_path)
            raise RuntimeError("killed midway")
    except RuntimeError:
        pass
    with store.session() as s:
        assert get_item(s, "hp-001") is None
        assert stats(s).items == 0


def test_datestamp_is_the_commit_time_not_the_write_time(store):
    """A harvest bounded by its start must not pass a change that commits after it started."""
    from store.records import utc_now

    with store.session() as s:
        upsert_item(s, _item(), store.settings.data_path)
        time.sleep(1.1)
        before_commit = utc_now()
    with store.session() as s:
        assert get_item(s, "hp-001").datestamp >= before_commit
        delete_item(s, "hp-001")
        time.sleep(1.1)
        before_delete_commit = utc_now()
    with store.session() as s:
        assert get_item(s, "hp-001").datestamp >= before_delete_commit


def test_a_rolled_back_savepoint_keeps_the_datestamp_it_had(store):
    with store.session() as s:
        upsert_item(s, _item(), store.settings.data_path)
    with store.session() as s:
        stamped = get_item(s, "hp-001").datestamp
    time.sleep(1.1)
    with store.session() as s:
        nested = s.begin_nested()
        upsert_item(s, _item("Đổi tên"), store.settings.data_path)
        nested.rollback()
    with store.session() as s:
        item = get_item(s, "hp-001")
        assert (item.title, item.datestamp) == ("Thư viện Hải Phòng", stamped)


def test_a_set_spec_that_oai_pmh_cannot_carry_is_refused(store):
    import pytest

    from store.records import SetInput
    from store.write.items import upsert_set

    for spec in ("has space", "trailing:", ":leading", "a::b", "dấu", "x" * 256):
        with store.session() as s, pytest.raises(ValueError, match="set spec"):
            upsert_item(s, ItemInput("hp-009", (DCValue("title", "T"),), sets=(spec,)),
                        store.settings.data_path)
        with store.session() as s, pytest.raises(ValueError, match="set spec"):
            upsert_set(s, SetInput(spec, "Tên"))
    with store.session() as s:
        assert list_sets(s) == [] and get_item(s, "hp-009") is None
