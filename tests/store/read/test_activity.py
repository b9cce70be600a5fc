"""The settled stream of Change Discovery (store.read.activity, both databases): it only ever
grows, even when an activity commits while the settled key is being read."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import event, insert

from store.read.activity import settled_key
from store.schema.models import Activity


def test_an_activity_committed_while_the_key_is_read_never_counts_as_settled(store):
    old, new = datetime(2026, 1, 1, 10, 0, 0), datetime(2026, 1, 1, 12, 0, 0)
    with store.session() as s:
        s.execute(insert(Activity), [{"item_id": "a", "kind": "Create", "end_time": old}])
    before = new - timedelta(seconds=1)  # `new` has not settled by then
    written = []

    def commit_one_meanwhile(conn, cursor, statement, *args):
        """Another writer commits an activity of now as soon as a read of `activity` runs."""
        if "activity" in statement and not written:
            written.append(True)
            with store.session() as s:
                s.execute(insert(Activity), [{"item_id": "b", "kind": "Create",
                                              "end_time": new}])

    event.listen(store.engine, "after_cursor_execute", commit_one_meanwhile)
    try:
        with store.reading() as session:
            first = settled_key(session, before)
    finally:
        event.remove(store.engine, "after_cursor_execute", commit_one_meanwhile)
    with store.reading() as session:
        assert first <= settled_key(session, before) == 1
