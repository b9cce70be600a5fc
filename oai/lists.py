"""Paging of ListIdentifiers and ListRecords: windows, keyset pages and resumption tokens.

The first page fixes the harvest's upper bound: its responseDate minus one second (datestamps
are to the second). Every later page carries that bound in its token, so a record changed
during the harvest leaves the list (its new datestamp is later) instead of coming twice, and
a record left alone is returned exactly once. The next incremental harvest, from the first
page's responseDate, picks up what changed. If something was written in the very second the
harvest starts, the first page waits for the next second so the bound falls between the two.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime

from lxml import etree

from oai import tokens
from oai.dates import ONE_SECOND
from oai.envelope import SPEC, Context, T, serialise, start
from oai.errors import OAIError
from oai.formats import MetadataFormat, edm
from oai.fragments import element_bytes, header_text, oai_dc_record_text, record_text
from oai.records import metadata_format, record
from oai.request import OAIRequest
from store.europeana import eligible_values
from store.read import listing
from store.records import MetadataRecord

CHUNK = 50  # marc21 and mods records read, built and sent at a time
LIGHT_CHUNK = 20  # headers and oai_dc records sent at a time (read once per page)
MAX_CLOCK_SKEW = 2 * ONE_SECOND


def _first(ctx: Context, request: OAIRequest) -> tuple[datetime, tokens.Position]:
    """The responseDate and the position before the first page of a new list."""
    fmt = metadata_format(request.args["metadataPrefix"])
    spec = request.args.get("set", "")
    now = ctx.clock()
    latest = listing.latest_datestamp(ctx.session)
    if latest is not None and now <= latest <= now + MAX_CLOCK_SKEW and (
            request.until is None or request.until >= now):
        time.sleep(1.0 - time.time() % 1.0 + 0.002)  # let the busy second end
        now = ctx.clock()
    until = now - ONE_SECOND
    if request.until is not None:
        until = min(until, request.until)
    return now, tokens.Position(request.verb, fmt.prefix, spec, request.from_, until,
                                datetime.min, "", 0, -1)


def _window(ctx: Context, position: tokens.Position) -> listing.Window:
    set_pks: tuple[int, ...] | None = None
    if position.set_spec:
        if not listing.has_sets(ctx.session):
            raise OAIError("noSetHierarchy", "this repository has no sets")
        set_pks = listing.set_pks(ctx.session, position.set_spec) \
            if SPEC.fullmatch(position.set_spec) else ()
        if not set_pks:
            raise OAIError("noRecordsMatch", "there is no such set")
    lacks = eligible_values(ctx.settings.rights_default) \
        if metadata_format(position.prefix).europeana_rules else None
    return listing.Window(position.from_, position.until, set_pks, lacks)


def build_list(ctx: Context, request: OAIRequest) -> Iterator[bytes]:
    """One page of ListIdentifiers or ListRecords, streamed a few records at a time.

    Everything that can fail (arguments, token, the page's rows) is settled before the first
    byte; the records are then built chunk by chunk, so a harvester parses one chunk while
    the next is made, and memory holds one page at most.
    """
    secret = ctx.settings.secret_key
    if request.token is not None:
        position = tokens.decode(request.token, secret, request.verb)
        now = ctx.clock()
    else:
        now, position = _first(ctx, request)
    fmt = metadata_format(position.prefix)
    window = _window(ctx, position)
    if position.from_ is not None and position.from_ > position.until:
        raise OAIError("noRecordsMatch", "no record has changed in this window")
    size = max(1, ctx.settings.oai_page_size)
    after = (position.last_datestamp, position.last_id) if position.total >= 0 else None
    full = request.verb == "ListRecords"
    kind: listing.RowKind = "headers"
    if full:
        kind = "dc_xml" if fmt.prefix in LIGHT else "sources" if fmt.needs_source \
            else "records"
    rows = listing.page_rows(ctx.session, window, after, size + 1, kind)
    if not rows:
        raise OAIError("noRecordsMatch", "no record matches the request")
    if position.total >= 0:
        total = position.total
    elif len(rows) <= size:  # the whole list is on this first page: nothing to count
        total = len(rows)
    else:
        total = listing.count(ctx.session, window)
    root = start(ctx, now, request)
    verb = etree.SubElement(root, T[request.verb])
    verb.text = ""  # written <ListRecords></ListRecords>: the records go between the two
    cursor = position.cursor
    if len(rows) > size:
        last = rows[size - 1]
        following = tokens.Position(request.verb, fmt.prefix, position.set_spec,
                                    position.from_, position.until, last.datestamp,
                                    last.item_id, cursor + size, max(total, cursor + size + 1))
        element = etree.SubElement(verb, T["resumptionToken"])
        element.text = tokens.encode(following, secret)
    elif request.token is not None:
        element = etree.SubElement(verb, T["resumptionToken"])
    if len(verb):
        element.set("completeListSize", str(max(total, cursor + min(len(rows), size))))
        element.set("cursor", str(cursor))
    document = serialise(root)
    # the first literal "<ListRecords>" is the verb's tag: text and attributes escape "<"
    open_tag = f"<{request.verb}>".encode()
    cut_at = document.index(open_tag) + len(open_tag)
    head, tail = document[:cut_at], document[cut_at:]
    return _body(ctx, head, rows[:size], tail, fmt, full)


def _body(ctx: Context, head: bytes, rows: list, tail: bytes,  # type: ignore[type-arg]
          fmt: MetadataFormat, full: bool) -> Iterator[bytes]:
    yield head
    prefix = ctx.id_prefix
    if not full or fmt.prefix in LIGHT:  # headers, oai_dc and edm: the fragment path
        items = listing.listed(rows)
        write = LIGHT[fmt.prefix] if full else None
        for start_at in range(0, len(items), LIGHT_CHUNK):
            chunk = items[start_at:start_at + LIGHT_CHUNK]
            if write is not None:
                texts = [write(ctx, item) for item in chunk]
            else:
                texts = [header_text(prefix, item) for item in chunk]
            yield "".join(texts).encode("utf-8")
    else:
        write_text = fmt.text
        for start_at in range(0, len(rows), CHUNK):
            records = listing.metadata_records(ctx.session, rows[start_at:start_at + CHUNK],
                                               fmt.needs_source)
            if write_text is None:
                yield b"".join(record_bytes(ctx, item, fmt) for item in records)
                continue
            yield "".join(record_text(prefix, item, "" if item.deleted else write_text(
                ctx.served(item), ctx.manifest_url(item.item_id) if item.page_count > 0 else None))
                for item in records).encode("utf-8")
    yield tail


def _oai_dc(ctx: Context, item: listing.Listed) -> str:
    return oai_dc_record_text(ctx.id_prefix, item, ctx.manifest_url(item.item_id)
                              if item.page_count > 0 else None, ctx.settings.rights_default)


def _edm(ctx: Context, item: listing.Listed) -> str:
    return record_text(ctx.id_prefix, item, "" if item.deleted else
                       edm.text_of(item, ctx.links, ctx.settings))


# Formats whose list pages are written from the item rows alone (their kept Dublin Core).
LIGHT: dict[str, Callable[[Context, listing.Listed], str]] = {"oai_dc": _oai_dc, "edm": _edm}


def record_bytes(ctx: Context, item: MetadataRecord, fmt: MetadataFormat) -> bytes:
    """A <record> built with lxml (marc21, mods), serialised inside a response's namespaces."""
    return element_bytes(lambda root: record(ctx, root, item, fmt))

