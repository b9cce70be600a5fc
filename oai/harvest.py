"""`thuvienso harvest`: another OAI-PMH provider into the store, incrementally and resumably.

Each page is written in one transaction together with the harvest's bookkeeping (HarvestState:
the next resumptionToken), so a harvest killed halfway resumes where it stopped when run again.
A finished harvest remembers the responseDate of its first page, and the next one asks `from`
it. Deleted headers delete (a tombstone stays), whatever else the record holds.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from oai.harvest_http import Client, HarvestError
from oai.harvest_page import NotOAI, Page, parse_response, read_page, read_set_names
from oai.ns import OAI, q
from store.db import Store
from store.ingest.entries import Delete, Reject, Upsert
from store.records import ImportSummary, SetInput
from store.schema.models import HarvestState
from store.write.bulk import bulk_delete, bulk_upsert
from store.write.items import upsert_set

__all__ = ["HarvestError", "run_harvest"]
MAX_SET_PAGES = 50


@dataclass
class _Source:
    url: str
    prefix: str
    set_spec: str
    day_granularity: bool = False
    deleted_record: str = "persistent"


def run_harvest(store: Store, url: str, metadata_prefix: str = "oai_dc",
                set_spec: str | None = None, from_: str | None = None, until: str | None = None,
                id_prefix: str = "", progress: bool = False,
                client: Client | None = None) -> ImportSummary:
    """Harvest a provider's records into the store; the summary counts every record once."""
    source = _Source(url.strip(), metadata_prefix, set_spec or "")
    client = client or Client(source.url)
    summary = ImportSummary()
    _identify(client, source, summary)
    set_names = _set_names(client)
    state = _state(store, source)
    token = state.resumption_token
    started = state.started_response_date
    if from_ is None:  # used when no saved token resumes the list (or it has expired)
        from_ = state.last_response_date
        if from_ and source.day_granularity:
            from_ = from_[:10]
    args = {"metadataPrefix": source.prefix}
    for name, value in (("set", source.set_spec), ("from", from_), ("until", until)):
        if value:
            args[name] = value
    number = 0
    with _progress(progress) as bar:
        task = bar.add_task(source.url, total=None) if bar is not None else None
        while True:
            page = _fetch(client, args, token, id_prefix, number + 1)
            if page.error_code == "badResumptionToken" and token:
                summary.problems.append("the provider no longer knows the saved resumption "
                                        "token: starting the list again")
                token, started = None, None
                continue
            if token is None:
                # the next harvest starts where this one's list ends: its first responseDate,
                # or the until it was given (both inclusive, so nothing falls between)
                started = until or page.response_date
            if page.error_code == "noRecordsMatch":
                page.token = None
            elif page.error_code:
                raise HarvestError(f"{source.url} answered {page.error_code}: "
                                   f"{page.error_message or 'no explanation'}")
            number += len(page.entries)
            _write(store, source, page, summary, set_names, started)
            if bar is not None and task is not None:
                bar.update(task, advance=len(page.entries), total=page.complete_list_size)
            if not page.token:
                break
            token = page.token
    return summary


def _fetch(client: Client, args: dict[str, str], token: str | None, id_prefix: str,
           first_number: int) -> Page:
    params = {"resumptionToken": token} if token else dict(args)
    response = client.harvest(verb="ListRecords", **params)
    try:
        return read_page(response.http_response.content, id_prefix, first_number)
    except NotOAI as error:
        raise HarvestError(f"{client.endpoint}: {error}") from None


def _identify(client: Client, source: _Source, summary: ImportSummary) -> None:
    response = client.harvest(verb="Identify")
    try:
        root = parse_response(response.http_response.content)
    except NotOAI as error:
        raise HarvestError(f"{source.url} is not an OAI-PMH endpoint: {error}") from None
    identify = root.find(q(OAI, "Identify"))
    if identify is None:
        raise HarvestError(f"{source.url} did not answer Identify")
    granularity = (identify.findtext(q(OAI, "granularity")) or "").strip()
    source.day_granularity = granularity == "YYYY-MM-DD"
    source.deleted_record = (identify.findtext(q(OAI, "deletedRecord")) or "").strip()
    if source.deleted_record == "no":
        summary.problems.append(f"{source.url} keeps no deleted records: items it deletes "
                                "stay here until harvested again from scratch")


def _set_names(client: Client) -> dict[str, str]:
    """Names of the provider's sets (best effort: a provider without sets has none)."""
    names: dict[str, str] = {}
    token: str | None = None
    for _ in range(MAX_SET_PAGES):
        try:
            response = client.harvest(verb="ListSets", **({"resumptionToken": token}
                                                          if token else {}))
            page = read_set_names(response.http_response.content)
        except (HarvestError, NotOAI):
            break
        names.update(page.set_names)
        if page.error_code or not page.token:
            break
        token = page.token
    return names


def _state(store: Store, source: _Source) -> HarvestState:
    with store.session() as session:
        state = session.scalar(select(HarvestState).where(
            HarvestState.source_url == source.url,
            HarvestState.metadata_prefix == source.prefix,
            HarvestState.set_spec == source.set_spec))
        if state is None:
            state = HarvestState(source_url=source.url, metadata_prefix=source.prefix,
                                 set_spec=source.set_spec)
            session.add(state)
            session.flush()
        session.expunge(state)
    return state


def _write(store: Store, source: _Source, page: Page, summary: ImportSummary,
           set_names: dict[str, str], started: str | None) -> None:
    """The page's records and the harvest's position, in one transaction when possible."""
    latest: dict[str, Upsert | Delete] = {}
    for entry in page.entries:
        if isinstance(entry, Reject):
            _reject(summary, source, entry.number, entry.reason)
            continue
        item_id = entry.item.item_id if isinstance(entry, Upsert) else entry.item_id
        latest.pop(item_id, None)
        latest[item_id] = entry
    entries = list(latest.values())
    try:
        with store.session() as session:
            counts = _apply(session, store, entries, set_names)
            _save_position(session, source, page, started)
    except (SQLAlchemyError, ValueError, OSError):
        counts = []
        for entry in entries:  # again one by one: reject only the records that fail
            try:
                with store.session() as session:
                    counts += _apply(session, store, [entry], set_names)
            except (SQLAlchemyError, ValueError, OSError) as error:
                _reject(summary, source, entry.number, str(error).splitlines()[0] or
                        type(error).__name__)
        with store.session() as session:
            _save_position(session, source, page, started)
    for outcome in counts:
        setattr(summary, outcome, getattr(summary, outcome) + 1)
    summary.cleaned_chars += page.cleaned_chars


def _reject(summary: ImportSummary, source: _Source, number: int, reason: str) -> None:
    summary.rejected += 1
    summary.problems.append(f"{source.url}: record {number}: {reason}")


def _apply(session: Session, store: Store, entries: list[Upsert | Delete],
           set_names: dict[str, str]) -> list[str]:
    upserts = [e.item for e in entries if isinstance(e, Upsert)]
    deletions = [e.item_id for e in entries if isinstance(e, Delete)]
    for spec in sorted({s for item in upserts for s in item.sets}):
        if spec in set_names:
            upsert_set(session, SetInput(spec, set_names[spec]))
    outcomes: list[str] = list(bulk_upsert(session, upserts, store.settings.data_path))
    outcomes += ["deleted" if done else "unchanged" for done in bulk_delete(session, deletions)]
    return outcomes


def _save_position(session: Session, source: _Source, page: Page, started: str | None) -> None:
    state = session.scalar(select(HarvestState).where(
        HarvestState.source_url == source.url, HarvestState.metadata_prefix == source.prefix,
        HarvestState.set_spec == source.set_spec))
    if state is None:
        state = HarvestState(source_url=source.url, metadata_prefix=source.prefix,
                             set_spec=source.set_spec)
        session.add(state)
    state.resumption_token = page.token or None
    state.started_response_date = started if page.token else None
    if not page.token and started:
        state.last_response_date = started


@contextlib.contextmanager
def _progress(enabled: bool) -> Iterator:  # type: ignore[type-arg]
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("records"), transient=True) as bar:
        yield bar
