"""Pre-serialised XML fragments for the list verbs, joined as bytes (the fast path).

Every tag here is serialised by lxml once, at import, from template elements holding a marker
character, and cut at the marker; only text is added at run time, escaped exactly as lxml
escapes text content. tests/oai/test_fragments.py checks the result against the lxml builders
(oai.records, oai.formats.oai_dc) record for record.
"""

from __future__ import annotations

import functools

from lxml import etree

from oai.dates import format_utc
from oai.ns import DC, OAI, OAI_DC, OAI_DC_SCHEMA, SCHEMA_LOCATION, XML_LANG, XSI, q
from oai.records import set_specs
from oai.xmlutil import clean, language_tag
from store.listing import Listed
from store.records import ItemRecord

Item = ItemRecord | Listed

MARK = "\ue000"  # a private-use character: valid XML, never in a template otherwise
_MARK = MARK.encode()
_DC_NAMES = ("title", "creator", "subject", "description", "publisher", "contributor", "date",
             "type", "format", "identifier", "source", "language", "relation", "coverage",
             "rights")


def escape(text: str) -> bytes:
    """Text content as lxml writes it: & < > escaped, CR as &#13;, forbidden characters out."""
    if text.isprintable() and "&" not in text and "<" not in text and ">" not in text:
        return text.encode("utf-8")  # printable: no control, surrogate or non-character
    text = clean(text)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text.encode("utf-8")


def cut(build) -> list[bytes]:  # type: ignore[no-untyped-def]
    """Serialise a template built inside a response root, cut at each marker.

    The root declares the OAI and xsi namespaces as every response does, so the pieces
    inherit them instead of repeating them. The root's own tags are the first and last piece.
    """
    root = etree.Element(q(OAI, "OAI-PMH"), nsmap={None: OAI, "xsi": XSI})
    root.text = MARK
    build(root)
    pieces = etree.tostring(root, encoding="utf-8").split(_MARK)
    return pieces[1:-1]


def _record(root: etree._Element) -> None:
    record = etree.SubElement(root, q(OAI, "record"))
    record.text = MARK
    header = etree.SubElement(record, q(OAI, "header"))
    header.text = MARK
    etree.SubElement(header, q(OAI, "identifier")).text = MARK
    datestamp = etree.SubElement(header, q(OAI, "datestamp"))
    datestamp.text, datestamp.tail = MARK, MARK
    spec = etree.SubElement(header, q(OAI, "setSpec"))
    spec.text, spec.tail = MARK, MARK
    header.tail = MARK
    metadata = etree.SubElement(record, q(OAI, "metadata"))
    dc = etree.SubElement(metadata, q(OAI_DC, "dc"), nsmap={"oai_dc": OAI_DC, "dc": DC})
    dc.set(SCHEMA_LOCATION, f"{OAI_DC} {OAI_DC_SCHEMA}")
    dc.text, metadata.tail = MARK, MARK
    deleted = etree.SubElement(root, q(OAI, "header"), status="deleted")
    deleted.text = MARK
    record.tail = MARK


(_RECORD_OPEN, _HEADER_OPEN, _IDENTIFIER_OPEN, _DATESTAMP, _DATESTAMP_CLOSE, _SETSPEC_OPEN,
 _SETSPEC_END, _HEADER_CLOSE, _METADATA_OPEN, _METADATA_CLOSE, _RECORD_END,
 _DELETED_HEADER_OPEN) = cut(_record)
# <record> | <header> | <identifier> | </identifier><datestamp> | </datestamp> | <setSpec>
# | </setSpec> | </header> | <metadata><oai_dc:dc …> | </oai_dc:dc></metadata> | </record>
# | <header status="deleted">


@functools.cache
def _dc_tags(name: str, lang: str | None) -> tuple[bytes, bytes]:
    """Start and end tag of one dc element (with xml:lang), cut from an lxml serialisation."""
    def build(root: etree._Element) -> None:
        dc = etree.SubElement(root, q(OAI_DC, "dc"), nsmap={"oai_dc": OAI_DC, "dc": DC})
        dc.text = MARK
        child = etree.SubElement(dc, q(DC, name))
        child.text, child.tail = MARK, MARK
        if lang:
            child.set(XML_LANG, lang)
        dc.tail = MARK

    _, open_, close, _ = cut(build)
    return open_, close


_TAGS: dict[tuple[str, str | None], tuple[bytes, bytes]] = {}  # (element, raw lang) -> tags


def header_bytes(identifier_prefix: bytes, record: Item) -> list[bytes]:
    """The <header> of a record, as fragments."""
    parts = [_DELETED_HEADER_OPEN if record.deleted else _HEADER_OPEN, _IDENTIFIER_OPEN,
             identifier_prefix, record.item_id.encode(), _DATESTAMP,
             format_utc(record.datestamp).encode(), _DATESTAMP_CLOSE]
    for spec in set_specs(record):
        parts += (_SETSPEC_OPEN, spec.encode(), _SETSPEC_END)
    parts.append(_HEADER_CLOSE)
    return parts


def oai_dc_record_bytes(identifier_prefix: bytes, record: Item,
                        manifest: str | None) -> list[bytes]:
    """A whole <record> with oai_dc metadata (header only for a tombstone), as fragments."""
    parts = [_RECORD_OPEN, *header_bytes(identifier_prefix, record)]
    if not record.deleted:
        parts.append(_METADATA_OPEN)
        rights: set[str] = set()
        values = record.metadata if isinstance(record, Listed) else [
            (v.element, v.value, v.lang, 0, 0) for v in record.metadata]
        tags_of = _TAGS.get
        for element, text, lang, _pk, _position in values:
            tags = tags_of((element, lang))
            if tags is None:
                if element not in _DC_NAMES:
                    continue
                tags = _dc_tags(element, language_tag(lang))
                if len(_TAGS) < 4096:
                    _TAGS[(element, lang)] = tags
            parts += (tags[0], escape(text), tags[1])
            if element == "rights":
                rights.add(text)
        if record.rights_uri and record.rights_uri not in rights:
            open_, close = _dc_tags("rights", None)
            parts += (open_, escape(record.rights_uri), close)
        if manifest:
            open_, close = _dc_tags("identifier", None)
            parts += (open_, escape(manifest), close)
        parts.append(_METADATA_CLOSE)
    parts.append(_RECORD_END)
    return parts
