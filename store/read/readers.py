"""Reader reads: the per-request session check, one account, the sign-in rate limit's counts."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.orm import Session

from store.records import ReaderRecord, utc_now
from store.schema.models import Reader, SignInFailure

# Built once (as store.read.queries' image lookup): asked on every request of a signed-in
# reader for a closed image, where building a statement would cost more than running it.
_SESSION_STANDS = select(Reader.pk).where(
    Reader.login == bindparam("login"), Reader.session_version == bindparam("version"),
    Reader.disabled.is_(False), Reader.expires >= bindparam("day"))


def session_is_valid(reader: Session | Connection, login: str, version: int, today: date
                     ) -> bool:
    """Whether a session (login, version) still stands: the account exists, is not disabled,
    is valid today and has the same session version. One query on the login's unique index."""
    found = reader.execute(_SESSION_STANDS, {
        "login": login, "version": version,
        "day": datetime.combine(today, datetime.min.time())}).first()
    return found is not None


def get_reader(session: Session, login: str) -> ReaderRecord | None:
    """One account, or None."""
    row = session.scalar(select(Reader).where(Reader.login == login))
    if row is None:
        return None
    return ReaderRecord(row.login, row.expires.date(), row.disabled, row.name, row.email,
                        row.group_name, row.session_version)


@dataclass(frozen=True, slots=True)
class Throttle:
    """Whether sign-in is refused for now, and for how many more seconds."""

    limited: bool
    retry_after: int = 0


def sign_in_throttle(session: Session, login: str, client: str, limit: int, window: timedelta
                     ) -> Throttle:
    """`limit` failures within `window` for this login or this client address refuse further
    attempts until the oldest of them leaves the window."""
    now = utc_now()
    since = now - window
    oldest: list[datetime] = []
    for column, value in ((SignInFailure.login, login[:128]),
                          (SignInFailure.client, client[:64])):
        count, first = session.execute(
            select(func.count(), func.min(SignInFailure.at))
            .where(column == value, SignInFailure.at >= since)).one()
        if count >= limit and first is not None:
            # the newest `limit` failures decide when a slot frees: the (count-limit+1)th oldest
            times = session.scalars(select(SignInFailure.at).where(
                column == value, SignInFailure.at >= since).order_by(SignInFailure.at)
                .offset(count - limit).limit(1)).all()
            oldest.append(times[0] if times else first)
    if not oldest:
        return Throttle(False)
    free_at = max(oldest) + window
    return Throttle(True, max(1, math.ceil((free_at - now).total_seconds())))
