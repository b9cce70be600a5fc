"""Reading the stream of manifest changes (IIIF Change Discovery) by key ranges.

Only a settled prefix of the stream is shown: the activities before the first one whose end
time is not yet past (a transaction may still be committing within the current second). Rows
are added at commit (store.write.activity), so the settled prefix only ever grows at its end,
and a range of keys, once settled, never changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.schema.models import Activity


@dataclass(frozen=True, slots=True)
class ActivityRecord:
    """A change of an item's manifest: Create, Update or Delete, and when."""

    key: int
    item_id: str
    kind: str
    end_time: datetime  # UTC, naive, to the second


def settled_key(session: Session, before: datetime) -> int:
    """The last key of the settled stream: every activity up to it ended before `before`.

    One statement, so one snapshot: asked as two, an activity committed between them made the
    newest key count as settled, and the next request took it back (a page that had been
    announced answered 404)."""
    unsettled = select(func.min(Activity.pk)).where(Activity.end_time >= before)
    newest = select(func.max(Activity.pk))
    return int(session.scalar(select(func.coalesce(
        unsettled.scalar_subquery() - 1, newest.scalar_subquery(), 0))) or 0)


def count_upto(session: Session, key: int) -> int:
    """How many activities the stream holds up to a key."""
    return int(session.scalar(select(func.count()).select_from(Activity)
                              .where(Activity.pk <= key)) or 0)


def activities(session: Session, first: int, last: int) -> list[ActivityRecord]:
    """The activities whose keys lie in first..last, in key order."""
    rows = session.execute(select(Activity.pk, Activity.item_id, Activity.kind, Activity.end_time)
                           .where(Activity.pk.between(first, last)).order_by(Activity.pk))
    return [ActivityRecord(*row) for row in rows]
