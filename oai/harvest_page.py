"""Reading one response of another OAI-PMH provider into store entries (harvest side).

Records become the importers' entries: oai_dc through store.ingest.dc's value reader,
MARCXML through store.ingest.marc (its crosswalk keeps the original record). The item id
always comes from the header identifier (CONTRACT.md), whatever the record says.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from lxml import etree

from oai.envelope import SPEC
from oai.ns import DC, MARC, OAI, OAI_DC, q
from store.ingest.dc import dc_values
from store.ingest.entries import Delete, Entry, ReadContext, Reject, Upsert
from store.ingest.ids import id_from_header
from store.ingest.marc import record_entry, record_from_xml
from store.records import ItemInput, Origin, utc_now, whole_number
from store.xml_safety import UnsafeXML, clean_xml_bytes, safe_fromstring


@dataclass
class Page:
    """What one response says: its date, an error, its entries and the next token."""

    response_date: str | None = None
    error_code: str | None = None
    error_message: str = ""
    entries: list[Entry] = field(default_factory=list)
    token: str | None = None  # None or "" on the last page
    complete_list_size: int | None = None
    cleaned_chars: int = 0
    set_names: dict[str, str] = field(default_factory=dict)  # ListSets pages


_UTC = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)?", re.ASCII)
_HEADER, _IDENTIFIER, _DATESTAMP = q(OAI, "header"), q(OAI, "identifier"), q(OAI, "datestamp")


class NotOAI(ValueError):
    """The response is not an OAI-PMH document."""


def parse_response(content: bytes) -> etree._Element:
    """The root of a response, parsed safely; NotOAI when it is not OAI-PMH."""
    try:
        data, _removed = clean_xml_bytes(content)
        root = safe_fromstring(data)
    except (UnsafeXML, etree.XMLSyntaxError, ValueError) as error:
        raise NotOAI(f"the response is not well-formed XML ({error})") from None
    if root.tag != q(OAI, "OAI-PMH"):
        raise NotOAI("the response is not an OAI-PMH document")
    return root


def read_page(content: bytes, id_prefix: str, first_number: int = 1,
              base_url: str | None = None) -> Page:
    """The entries of a ListRecords (or GetRecord) response; given the provider's `base_url`,
    each item keeps where it came from (its Origin, for the provenance of re-exposed records)."""
    root = parse_response(content)
    page = Page(response_date=(root.findtext(q(OAI, "responseDate")) or "").strip() or None)
    _, page.cleaned_chars = clean_xml_bytes(content)
    error = root.find(q(OAI, "error"))
    if error is not None:
        page.error_code = error.get("code", "")
        page.error_message = " ".join((error.text or "").split())
        return page
    ctx = ReadContext(id_prefix=id_prefix)
    for number, record in enumerate(root.iter(q(OAI, "record")), start=first_number):
        entry = _entry(record, number, ctx)
        if base_url and isinstance(entry, Upsert):
            entry = Upsert(number, dataclasses.replace(entry.item, origin=_origin(
                record, base_url, page.response_date)))
        page.entries.append(entry)
    token = root.find(f".//{q(OAI, 'resumptionToken')}")
    if token is not None:
        page.token = (token.text or "").strip() or None
        page.complete_list_size = whole_number(token.get("completeListSize", "").strip())
    return page


def _origin(record: etree._Element, base_url: str, harvested: str | None) -> Origin | None:
    """Where a record came from: the provider, its header, its payload's namespace."""
    metadata = record.find(q(OAI, "metadata"))
    payload = next((e for e in metadata if isinstance(e.tag, str)), None) \
        if metadata is not None else None
    namespace = etree.QName(payload).namespace if payload is not None else None
    datestamp = (record.findtext(f"{_HEADER}/{_DATESTAMP}") or "").strip()
    if not _UTC.fullmatch(datestamp):
        return None  # provenance.xsd takes a UTC date or time only
    return Origin(base_url, (record.findtext(f"{_HEADER}/{_IDENTIFIER}") or "").strip(),
                  datestamp, namespace or "", harvested if harvested and _UTC.fullmatch(
                      harvested) else utc_now().strftime("%Y-%m-%dT%H:%M:%SZ"))


def read_set_names(content: bytes) -> Page:
    """Names of the sets of a ListSets response, and its next token."""
    root = parse_response(content)
    page = Page()
    error = root.find(q(OAI, "error"))
    if error is not None:
        page.error_code = error.get("code", "")
        return page
    for element in root.iter(q(OAI, "set")):
        spec = (element.findtext(q(OAI, "setSpec")) or "").strip()
        name = " ".join((element.findtext(q(OAI, "setName")) or "").split())
        if SPEC.fullmatch(spec):
            page.set_names[spec] = name or spec
    token = root.find(f".//{q(OAI, 'resumptionToken')}")
    page.token = (token.text or "").strip() or None if token is not None else None
    return page


def _entry(record: etree._Element, number: int, ctx: ReadContext) -> Entry:
    header = record.find(q(OAI, "header"))
    identifier = header.findtext(q(OAI, "identifier")) if header is not None else None
    item_id = id_from_header(identifier, ctx.id_prefix) if identifier else None
    if header is None or identifier is None or item_id is None:
        return Reject(number, "a record without a header identifier")
    if header.get("status") == "deleted":
        return Delete(number, item_id)  # deleted, even if the provider sent metadata too
    specs = tuple(s.strip() for s in (e.text or "" for e in header.iter(q(OAI, "setSpec")))
                  if SPEC.fullmatch(s.strip()))
    metadata = record.find(q(OAI, "metadata"))
    payload = next((e for e in metadata if isinstance(e.tag, str)), None) \
        if metadata is not None else None
    if payload is None:
        return Reject(number, f"{identifier}: a record without metadata")
    namespace = etree.QName(payload).namespace
    if namespace in (OAI_DC, DC):
        values = tuple(dc_values(payload))
        return Upsert(number, ItemInput(item_id=item_id, metadata=values, sets=specs))
    if namespace == MARC or etree.QName(payload).localname in ("record", "collection"):
        return _marc_entry(payload, number, ctx, identifier, item_id, specs)
    return Reject(number, f"{identifier}: metadata in {namespace or 'no namespace'} cannot "
                  "be imported (harvest oai_dc or marc21)")


def _marc_entry(payload: etree._Element, number: int, ctx: ReadContext, identifier: str,
                item_id: str, specs: tuple[str, ...]) -> Entry:
    if etree.QName(payload).localname == "collection":
        payload = next((e for e in payload if isinstance(e.tag, str)), payload)
    try:
        entry = record_entry(record_from_xml(payload), number, ctx, identifier)
    except ValueError as error:
        return Reject(number, f"{identifier}: not a valid MARCXML record ({error})")
    if isinstance(entry, Upsert):
        return Upsert(number, dataclasses.replace(entry.item, item_id=item_id, sets=specs))
    if isinstance(entry, Delete):  # Leader/05 'd'
        return Delete(number, item_id)
    return entry
