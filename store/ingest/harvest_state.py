"""Where the harvest of a source (URL, metadata prefix, set) got to, as a frozen record.

`thuvienso harvest` reads it once before it starts, and saves the next one inside the
transaction that writes a page's records (store.ingest.batch), so that the two commit together.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.schema.models import HarvestState


@dataclass(frozen=True, slots=True)
class HarvestPosition:
    """The harvest of one source: its resumable list, and where the next harvest starts.

    `resumption_token` and `started_response_date` belong to a list not yet finished (the
    token of the next page, the responseDate or until its first page was bounded by);
    `last_response_date` is where the last finished list ended, the next one's `from`.
    """

    source_url: str
    metadata_prefix: str
    set_spec: str = ""
    last_response_date: str | None = None
    resumption_token: str | None = None
    started_response_date: str | None = None


def _row(session: Session, url: str, prefix: str, set_spec: str) -> HarvestState | None:
    return session.scalar(select(HarvestState).where(
        HarvestState.source_url == url, HarvestState.metadata_prefix == prefix,
        HarvestState.set_spec == set_spec))


def read_position(session: Session, url: str, prefix: str, set_spec: str = "") -> HarvestPosition:
    """The saved position of this source; an empty one when it was never harvested."""
    row = _row(session, url, prefix, set_spec)
    if row is None:
        return HarvestPosition(url, prefix, set_spec)
    return HarvestPosition(row.source_url, row.metadata_prefix, row.set_spec,
                           row.last_response_date, row.resumption_token,
                           row.started_response_date)


def save_position(session: Session, position: HarvestPosition) -> None:
    """Save a source's position in the caller's transaction (its row made when missing)."""
    row = _row(session, position.source_url, position.metadata_prefix, position.set_spec)
    if row is None:
        row = HarvestState(source_url=position.source_url,
                           metadata_prefix=position.metadata_prefix, set_spec=position.set_spec)
        session.add(row)
    row.last_response_date = position.last_response_date
    row.resumption_token = position.resumption_token
    row.started_response_date = position.started_response_date
