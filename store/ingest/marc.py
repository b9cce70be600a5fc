"""MARC 21 readers: ISO 2709 (`.mrc`, MARC-8 or UTF-8) with pymarc, MARCXML with the safe parser.

Each record becomes an item whose id is its 001 (trimmed) and whose source record is kept as
UTF-8 MARCXML, so MARC export stays lossless. Leader/05 `d` deletes. A MARCXML file may also be
a whole OAI-PMH response: deleted headers delete, and a record without 001 takes its id from
its header.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lxml import etree
from pymarc import Field, Indicators, Leader, MARCReader, Record, Subfield

from store.ingest.crosswalk_marc import marc_to_dc
from store.ingest.entries import Delete, Entry, ReadContext, Reject, Upsert
from store.ingest.ids import id_from_header, make_id
from store.records import ItemInput
from store.xml_safety import CleanStream, UnsafeXML, clean_text, safe_iterparse

MARC_NS = "http://www.loc.gov/MARC21/slim"
OAI_NS = "http://www.openarchives.org/OAI/2.0/"
_RECORD_TAGS = (f"{{{MARC_NS}}}record", "record", f"{{{OAI_NS}}}header", f"{{{OAI_NS}}}record")


def _clean_record(record: Record) -> int:
    """Remove characters forbidden in XML from every field, in place; returns how many."""
    removed = 0
    for field in record.fields:
        if field.is_control_field():
            field.data, n = clean_text(field.data or "")
            removed += n
            continue
        subfields = []
        for sub in field.subfields:
            value, n = clean_text(sub.value)
            removed += n
            subfields.append(Subfield(sub.code, value))
        field.subfields = subfields
    return removed


def record_to_marcxml(record: Record) -> str:
    """The record as one namespaced MARCXML <record> (what pymarc.record_to_xml gives, faster)."""
    root = etree.Element(f"{{{MARC_NS}}}record", nsmap={None: MARC_NS})
    etree.SubElement(root, f"{{{MARC_NS}}}leader").text = str(record.leader)
    for field in record.fields:
        if field.is_control_field():
            node = etree.SubElement(root, f"{{{MARC_NS}}}controlfield", tag=field.tag)
            node.text = field.data
            continue
        node = etree.SubElement(root, f"{{{MARC_NS}}}datafield", tag=field.tag,
                                ind1=field.indicator1 or " ", ind2=field.indicator2 or " ")
        for sub in field.subfields:
            etree.SubElement(node, f"{{{MARC_NS}}}subfield", code=sub.code).text = sub.value
    return etree.tostring(root, encoding="unicode")


def record_entry(record: Record, number: int, ctx: ReadContext,
                 header_id: str | None = None, source: str | None = None) -> Entry:
    """The entry of one decoded MARC record (its text already Unicode).

    `source` is the record's MARCXML when the caller has it already (Leader/09 'a'); it comes
    from a cleaned document, so the record needs no cleaning either.
    """
    removed = 0 if source is not None else _clean_record(record)
    ctx.cleaned_chars += removed
    control = [f.data for f in record.get_fields("001") if f.data and f.data.strip()]
    item_id = make_id(control[0], ctx.id_prefix) if control else None
    if item_id is None and header_id:
        item_id = id_from_header(header_id, ctx.id_prefix)
    if item_id is None:
        return Reject(number, "no 001 control number to take the item id from")
    leader = str(record.leader)
    if leader[5:6] == "d":
        return Delete(number, item_id)
    record.leader = Leader(leader[:9] + "a" + leader[10:24])  # Unicode now, whatever it was
    metadata, subtitle = marc_to_dc(record)
    rights = [u for f in record.get_fields("540") for u in f.get_subfields("u")]
    paged = leader[6:7] in ("a", "t") and leader[7:8] in ("a", "c", "d", "m")
    if source is None or removed:
        source = record_to_marcxml(record)
    return Upsert(number, ItemInput(
        item_id=item_id, metadata=metadata, source_format="marc", source_record=source,
        rights_uri=rights[0].strip()[:512] if rights else None,
        behavior="paged" if paged else None, subtitle=subtitle))


def read_iso2709(path: Path, ctx: ReadContext) -> Iterator[Entry]:
    """Entries of an ISO 2709 file; MARC-8 records (Leader/09 blank) are decoded to Unicode."""
    with open(path, "rb") as fh:
        reader = MARCReader(fh, to_unicode=True, force_utf8=False, hide_utf8_warnings=True,
                            utf8_handling="replace", permissive=True)
        for number, record in enumerate(reader, start=1):
            if record is None:
                reason = str(reader.current_exception or "unreadable").rstrip(".")
                yield Reject(number, f"not a readable MARC record ({reason})")
                continue
            yield record_entry(record, number, ctx)


def _text(element: etree._Element) -> str:
    return element.text or ""


_PARTS = {f"{{{MARC_NS}}}{name}": name for name in ("leader", "controlfield", "datafield")}
_PARTS.update({name: name for name in ("leader", "controlfield", "datafield")})
_SUBFIELD = (f"{{{MARC_NS}}}subfield", "subfield")


def record_from_xml(element: etree._Element) -> Record:
    """A pymarc Record of a MARCXML <record> element (namespaced or not)."""
    record = Record(force_utf8=True)
    fields = record.fields
    for child in element:
        name = _PARTS.get(child.tag)  # type: ignore[call-overload]
        if name == "datafield":
            subfields = [Subfield(sub.get("code", ""), sub.text or "") for sub in child
                         if sub.tag in _SUBFIELD]
            fields.append(Field(child.get("tag", ""), Indicators(
                (child.get("ind1") or " ")[:1], (child.get("ind2") or " ")[:1]), subfields))
        elif name == "controlfield":
            fields.append(Field(child.get("tag", ""), data=_text(child)))
        elif name == "leader":
            record.leader = Leader((_text(child) + " " * 24)[:24])
    for field in record.fields:
        if len(field.tag) != 3 or not field.tag.isalnum():
            raise ValueError(f"field tag {field.tag!r} is not three letters or digits")
    return record


def _as_source(element: etree._Element) -> str | None:
    """A namespaced record straight from a MARCXML collection, serialised as it is (fast)."""
    parent = element.getparent()
    leader = element.find(f"{{{MARC_NS}}}leader")
    if etree.QName(element).namespace != MARC_NS or leader is None or \
            len(leader.text or "") != 24 or \
            (parent is not None and etree.QName(parent).namespace != MARC_NS):
        return None
    leader.text = leader.text[:9] + "a" + leader.text[10:]  # type: ignore[index]
    return etree.tostring(element, encoding="unicode", with_tail=False)


def read_marcxml(path: Path, ctx: ReadContext) -> Iterator[Entry]:
    """Entries of a MARCXML file: a collection, one record, or an OAI-PMH response.

    The file is streamed (cleaned as it is read), so its size is not bounded by memory.
    """
    with open(path, "rb") as fh:
        try:
            stream = CleanStream(fh)
        except UnsafeXML as error:
            yield Reject(1, f"refused: {error}")
            return
        try:
            yield from _marcxml_entries(stream, ctx)
        finally:
            ctx.cleaned_chars += stream.removed


def _marcxml_entries(stream: CleanStream, ctx: ReadContext) -> Iterator[Entry]:
    number = 0
    header_id: str | None = None
    try:
        for element in safe_iterparse(stream, _RECORD_TAGS):
            name = etree.QName(element)
            if name.namespace == OAI_NS and name.localname == "header":
                found = element.findtext(f"{{{OAI_NS}}}identifier")
                header_id = found.strip() if found else None
                if element.get("status") == "deleted":
                    number += 1
                    deleted = id_from_header(header_id or "", ctx.id_prefix)
                    yield Delete(number, deleted) if deleted else Reject(
                        number, "a deleted header without an identifier")
                continue
            if name.namespace == OAI_NS:  # end of an OAI-PMH <record>
                header_id = None
            else:
                number += 1
                try:
                    record = record_from_xml(element)
                except ValueError as error:
                    yield Reject(number, f"not a valid MARCXML record ({error})")
                else:
                    yield record_entry(record, number, ctx, header_id, _as_source(element))
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
    except UnsafeXML as error:
        yield Reject(number + 1, f"refused: {error}")
    except etree.XMLSyntaxError as error:
        yield Reject(number + 1, f"the XML is not well-formed ({error.msg}); "
                     "the rest of the file was skipped")
