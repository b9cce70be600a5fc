"""The stream of manifest changes (IIIF Change Discovery), written as transactions commit.

The write path notes what each transaction does to manifests; the rows are added just before
it commits, with that moment as their end time, one committing transaction at a time, so that
the stream only ever grows at its end (store.read.activity shows the activities of completed
seconds, and a page, once full, stays as it is).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from store.records import utc_now
from store.schema.models import Activity
from store.write.direct_tiles import withdraw_at_commit

CREATE, UPDATE, DELETE = "Create", "Update", "Delete"
_PENDING = "thuvienso.activities"


def note(session: Session, changes: Iterable[tuple[str, str]]) -> None:
    """Note (item id, kind) changes of manifests, written when the transaction commits."""
    changes = list(changes)
    withdraw_at_commit(session, [item_id for item_id, _ in changes])  # a manifest changed
    pending: dict[str, str] = session.info.setdefault(_PENDING, {})
    for item_id, kind in changes:  # one activity an item: a Create then an Update is a Create
        if not (kind == UPDATE and pending.get(item_id) == CREATE):
            pending[item_id] = kind


@event.listens_for(Session, "before_commit")
def _write(session: Session) -> None:
    pending: dict[str, str] = session.info.pop(_PENDING, {})
    if pending:
        if session.connection().dialect.name == "postgresql":
            # Held until the commit: transactions add their activities one after the other,
            # so keys are taken in the order the rows become visible (SQLite has one writer).
            session.connection().exec_driver_sql(
                "LOCK TABLE activity IN SHARE ROW EXCLUSIVE MODE")
        now = utc_now()
        session.execute(insert(Activity), [{"item_id": item_id, "kind": kind, "end_time": now}
                                           for item_id, kind in pending.items()])


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    if not session.in_transaction():
        session.info.pop(_PENDING, None)
