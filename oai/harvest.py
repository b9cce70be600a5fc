"""`thuvienso harvest`: another OAI-PMH provider into the store, incrementally and resumably.

Identify, then ListSets (for set names), then ListRecords page by page; each page's entries
go to the shared batch writer (store.ingest.batch), which writes them, rejects only the bad
records and counts the rest. The harvest's position (store.ingest.harvest_state: the next
resumptionToken) is saved in the transaction that writes the page's last records, so a harvest
stopped halfway, by the provider, a kill or a store that stopped answering (StoreUnavailable),
resumes where it stopped when run again. A finished harvest remembers the responseDate of its
first page, and the next one asks `from` it. Deleted headers delete (a tombstone stays),
whatever else the record holds; within one page, a later entry for an item wins.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial

from sqlalchemy.orm import Session

from oai.harvest_http import Client, HarvestError
from oai.harvest_page import NotOAI, Page, parse_response, read_page, read_set_names
from oai.ns import OAI, q
from store.db import Store
from store.ingest.batch import BatchWriter, Written, store_faults
from store.ingest.entries import Upsert
from store.ingest.harvest_state import HarvestPosition, read_position, save_position
from store.records import ImportSummary, SetInput
from store.write.items import upsert_set

__all__ = ["HarvestError", "run_harvest"]
MAX_SET_PAGES = 50


@dataclass
class _Source:
    url: str
    prefix: str
    set_spec: str
    day_granularity: bool = False


def run_harvest(store: Store, url: str, metadata_prefix: str = "oai_dc",
                set_spec: str | None = None, from_: str | None = None, until: str | None = None,
                id_prefix: str = "",
                on_progress: Callable[[str, int, int | None], None] | None = None
                ) -> ImportSummary:
    """Harvest a provider's records into the store; the summary counts every record once.

    `on_progress(url, records, list_size)` is told after each page is written (list_size is
    the provider's completeListSize, None when it gives none). Raises HarvestError when the
    provider fails, store.ingest.batch.StoreUnavailable when the store does; both leave a
    position to resume from.
    """
    source = _Source(url.strip(), metadata_prefix, set_spec or "")
    client = Client(source.url, store.settings.harvest_max_bytes,
                    store.settings.harvest_timeout)
    summary = ImportSummary()
    _identify(client, source, summary)
    set_names = _set_names(client)
    with store_faults(), store.reading() as session:
        position = read_position(session, source.url, source.prefix, source.set_spec)
    token = position.resumption_token
    started = position.started_response_date
    if from_ is None:  # used when no saved token resumes the list (or it has expired)
        from_ = position.last_response_date
        if from_ and source.day_granularity:
            from_ = from_[:10]
    args = {"metadataPrefix": source.prefix}
    for name, value in (("set", source.set_spec), ("from", from_), ("until", until)):
        if value:
            args[name] = value
    list_size: int | None = None

    def progress(where: str, done: int) -> None:
        if on_progress is not None:
            on_progress(where, done, list_size)

    def name_sets(session: Session, entries: Sequence[Written]) -> None:
        specs = {spec for e in entries if isinstance(e, Upsert) for spec in e.item.sets}
        for spec in sorted(specs & set_names.keys()):
            upsert_set(session, SetInput(spec, set_names[spec]))

    writer = BatchWriter(store, summary, repeated_id="latest", with_batch=name_sets,
                         on_progress=progress)
    number = 0
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
        list_size = page.complete_list_size
        for entry in page.entries:
            writer.add(source.url, entry)
        position = _next_position(position, page, started)
        writer.flush(commit_with=partial(save_position, position=position))
        summary.cleaned_chars += page.cleaned_chars
        if not page.token:
            break
        token = page.token
    writer.settle()
    return summary


def _next_position(position: HarvestPosition, page: Page, started: str | None
                   ) -> HarvestPosition:
    """Where the harvest is once this page is written: its token, or the finished list's end."""
    if page.token:
        return replace(position, resumption_token=page.token, started_response_date=started)
    return replace(position, resumption_token=None, started_response_date=None,
                   last_response_date=started or position.last_response_date)


def _fetch(client: Client, args: dict[str, str], token: str | None, id_prefix: str,
           first_number: int) -> Page:
    params = {"resumptionToken": token} if token else dict(args)
    response = client.harvest(verb="ListRecords", **params)
    try:
        return read_page(response.http_response.content, id_prefix, first_number,
                         base_url=client.endpoint)
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
    if (identify.findtext(q(OAI, "deletedRecord")) or "").strip() == "no":
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
