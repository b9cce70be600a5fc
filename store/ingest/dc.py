"""Dublin Core reader: oai_dc records, one or many per file, or whole OAI-PMH responses.

An id comes from the OAI-PMH header identifier when there is one (`oai:NS:LOCAL` gives LOCAL,
any other scheme the whole identifier), else from the record's first dc:identifier that no
other record of the same file shares. A header with status="deleted" deletes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from store.ingest.entries import Delete, Entry, ReadContext, Reject, Upsert, lang_or_none
from store.ingest.ids import id_from_header, make_id
from store.records import DC_ELEMENTS, DCValue, ItemInput
from store.xml_safety import CleanStream, UnsafeXML, safe_iterparse

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_TAGS = (f"{{{OAI_NS}}}header", f"{{{OAI_NS}}}record", f"{{{OAI_DC_NS}}}dc")


@dataclass
class _Raw:
    number: int
    header: str | None = None
    deleted: bool = False
    values: list[DCValue] = field(default_factory=list)
    has_metadata: bool = False


def dc_values(dc: etree._Element) -> list[DCValue]:
    """The Dublin Core values of an <oai_dc:dc> element, with their xml:lang tags."""
    out = []
    for child in dc:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child)
        if name.namespace != DC_NS or name.localname not in DC_ELEMENTS:
            continue
        text = " ".join("".join(child.itertext()).split())
        if text:
            out.append(DCValue(name.localname, text, lang_or_none(child.get(XML_LANG))))
    return out


def _read_raw(data: CleanStream) -> Iterator[_Raw]:
    number = 0
    current: _Raw | None = None
    for element in safe_iterparse(data, _TAGS):
        name = etree.QName(element)
        if name.localname == "header":
            number += 1
            identifier = element.findtext(f"{{{OAI_NS}}}identifier")
            current = _Raw(number, identifier.strip() if identifier else None,
                           element.get("status") == "deleted")
            continue
        if name.localname == "dc":
            if current is not None:
                current.values, current.has_metadata = dc_values(element), True
                continue
            number += 1
            yield _Raw(number, None, False, dc_values(element), True)
        elif current is not None:  # end of an OAI-PMH <record>
            yield current
            current = None
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]


def _entry(raw: _Raw, shared: Counter[str], prefix: str) -> Entry:
    if raw.header:
        item_id = id_from_header(raw.header, prefix)
    else:
        unshared = [v.value for v in raw.values if v.element == "identifier"
                    and shared[v.value] == 1]
        item_id = make_id(unshared[0], prefix) if unshared else None
    if item_id is None:
        return Reject(raw.number, "no identifier: neither an OAI-PMH header identifier nor a "
                      "dc:identifier that no other record of the file shares")
    if raw.deleted:
        return Delete(raw.number, item_id)
    if not raw.has_metadata:
        return Reject(raw.number, "an OAI-PMH record without oai_dc metadata")
    return Upsert(raw.number, ItemInput(item_id=item_id, metadata=tuple(raw.values)))


def read_dc(path: Path, ctx: ReadContext) -> Iterator[Entry]:
    """Entries of a Dublin Core file (all its records are read before ids are decided)."""
    records: list[_Raw] = []
    broken: Reject | None = None
    with open(path, "rb") as fh:
        stream: CleanStream | None = None
        try:
            stream = CleanStream(fh)
            records.extend(_read_raw(stream))
        except UnsafeXML as error:
            broken = Reject(len(records) + 1, f"refused: {error}")
        except etree.XMLSyntaxError as error:
            broken = Reject(len(records) + 1, f"the XML is not well-formed ({error.msg}); "
                            "the rest of the file was skipped")
        ctx.cleaned_chars += stream.removed if stream is not None else 0
    shared: Counter[str] = Counter()
    for raw in records:
        shared.update({v.value for v in raw.values if v.element == "identifier"})
    for raw in records:
        yield _entry(raw, shared, ctx.id_prefix)
    if broken:
        yield broken
