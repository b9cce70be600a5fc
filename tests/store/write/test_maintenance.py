"""PostgreSQL housekeeping (store.write.maintenance): an import or a harvest leaves no word
waiting in the full-text GIN indexes' pending lists, which every search would read whole."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from store.ingest.importing import run_import
from store.records import DCValue, ItemInput
from store.write.bulk import bulk_upsert
from store.write.maintenance import GIN_INDEXES
from tests.store.ingest.helpers import marc_record, write_marcxml


def pending_pages(store) -> list[int]:
    """Merge each GIN index's pending list: how many pages each held."""
    with store.engine.connect() as conn:
        return [int(conn.execute(text(f"SELECT gin_clean_pending_list('{index}'::regclass)"))
                    .scalar() or 0) for index in GIN_INDEXES]


def test_an_import_leaves_no_pending_words(store, tmp_path):
    if store.is_sqlite:
        pytest.skip("PostgreSQL's GIN indexes")
    with store.session() as session:  # the write path alone leaves words pending
        bulk_upsert(session, [ItemInput(f"w{n}", metadata=(DCValue("title", f"Sách số {n}"),))
                              for n in range(200)], store.settings.data_path)
    assert pending_pages(store)[1] > 0
    path = write_marcxml(tmp_path / "a.xml", [marc_record(f"m{n:03d}") for n in range(200)])
    summary = run_import(store, [path])
    assert summary.imported == 200
    assert pending_pages(store) == [0, 0]
