"""marc21: MARCXML (UTF-8, Leader/09 'a').

An item imported from MARC gives back its original record; any other item goes through the
Library of Congress Dublin Core to MARC crosswalk.
"""

from __future__ import annotations

from lxml import etree

from oai.marcxml import DataField, MarcRecord, parse_source, record_text
from oai.marcxml import build as build_marc
from oai.ns import MARC, MARC_SCHEMA
from oai.xmlutil import URL
from store.records import MetadataRecord

PREFIX = "marc21"
SCHEMA = MARC_SCHEMA
NAMESPACE = MARC
NEEDS_SOURCE = True

# dc element: (tag, ind1, ind2, subfield code, extra subfields); LoC DC-to-MARC crosswalk
_DC_TO_MARC: dict[str, tuple[str, str, str, str, tuple[tuple[str, str], ...]]] = {
    "creator": ("720", " ", " ", "a", (("e", "author"),)),
    "contributor": ("720", " ", " ", "a", (("e", "collaborator"),)),
    "subject": ("653", " ", " ", "a", ()),
    "description": ("520", " ", " ", "a", ()),
    "publisher": ("260", " ", " ", "b", ()),
    "date": ("260", " ", " ", "c", ()),
    "type": ("655", " ", "7", "a", (("2", "local"),)),
    "format": ("856", " ", " ", "q", ()),
    "identifier": ("024", "8", " ", "a", ()),
    "source": ("786", "0", " ", "n", ()),
    "language": ("546", " ", " ", "a", ()),
    "relation": ("787", "0", " ", "n", ()),
    "coverage": ("500", " ", " ", "a", ()),
    "rights": ("540", " ", " ", "a", ()),
}
_TYPE_OF_RECORD = {"text": "a", "image": "k", "stillimage": "k", "movingimage": "g",
                   "sound": "i", "software": "m", "dataset": "m", "physicalobject": "r",
                   "collection": "p", "cartographic": "e", "map": "e"}


def marc_from_dc(record: MetadataRecord, manifest: str | None) -> MarcRecord:
    """The LoC Dublin Core to MARC crosswalk of an item."""
    kind = next((_TYPE_OF_RECORD[t.lower().replace(" ", "")] for t in record.values("type")
                 if t.lower().replace(" ", "") in _TYPE_OF_RECORD), "a")
    marc = MarcRecord(leader=f"     n{kind}m a22     uu 4500",
                      controlfields=[("001", record.item_id),
                                     ("005", record.datestamp.strftime("%Y%m%d%H%M%S.0"))])
    titles = record.values("title")
    if titles:
        marc.datafields.append(DataField("245", "0", "0", [("a", titles[0])]))
        marc.datafields.extend(DataField("246", "3", "3", [("a", t)]) for t in titles[1:])
    for value in record.metadata:
        mapping = _DC_TO_MARC.get(value.element)
        if mapping is None:
            continue
        tag, ind1, ind2, code, extra = mapping
        if value.element == "identifier" and URL.fullmatch(value.value):
            marc.datafields.append(DataField("856", "4", " ", [("u", value.value)]))
            continue
        marc.datafields.append(DataField(tag, ind1, ind2, [(code, value.value), *extra]))
    if record.rights_uri:
        marc.datafields.append(DataField("540", " ", " ", [("u", record.rights_uri)]))
    if manifest:
        marc.datafields.append(DataField("856", "4", "0", [("u", manifest),
                                                           ("y", "IIIF manifest")]))
    marc.datafields.sort(key=lambda f: f.tag)
    return marc


def marc_of(record: MetadataRecord, manifest: str | None) -> MarcRecord:
    """The item's original MARC record if it came from MARC (and can be read), else the
    crosswalk of its Dublin Core."""
    original = None
    if record.source_format == "marc" and record.source_record:
        original = parse_source(record.source_record)
    if original is None:
        return marc_from_dc(record, manifest)
    said = {code_value for f in original.datafields if f.tag == "540"
            for code, code_value in f.subfields if code == "u"}
    if record.rights_uri and record.rights_uri not in said:
        original.datafields.append(DataField("540", " ", " ", [("u", record.rights_uri)]))
        original.datafields.sort(key=lambda f: f.tag)
    return original


def build(parent: etree._Element, record: MetadataRecord, manifest: str | None) -> None:
    """Append <marc:record> of the record to parent."""
    build_marc(parent, marc_of(record, manifest))


def text(record: MetadataRecord, manifest: str | None) -> str:
    """The <marc:record> that build() appends, as text (see oai.marcxml.record_text)."""
    return record_text(marc_of(record, manifest))
