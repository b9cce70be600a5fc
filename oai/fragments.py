"""Pre-serialised XML fragments for the list verbs, joined as text (the fast path).

Every tag here is serialised by lxml once, at import, from template elements holding a marker
character, and cut at the marker. At run time only text is added, escaped exactly as lxml
escapes text content, and each item's Dublin Core elements, serialised by the store when the
item was written. tests/oai/test_fragments.py checks the result against the lxml builders
(oai.records, oai.formats.oai_dc) record for record.
"""

from __future__ import annotations

import functools

from lxml import etree

from oai.dates import format_utc
from oai.ns import DC, OAI, OAI_DC, OAI_DC_SCHEMA, SCHEMA_LOCATION, XSI, q
from oai.provenance import about
from oai.records import with_ancestors
from store.dublin_core import dc_xml, escape_text, served_dc_xml
from store.read.listing import Listed
from store.records import MetadataRecord, Origin

Item = MetadataRecord | Listed

# A private-use character cutting the constant templates below, at import. Never used on
# anything holding record text, which may contain any character: element_bytes cuts those.
MARK = "\ue000"
_MARK = MARK.encode()
_ROOT_CLOSE = b"</OAI-PMH>"


def _root() -> etree._Element:
    return etree.Element(q(OAI, "OAI-PMH"), nsmap={None: OAI, "xsi": XSI})


def element_bytes(build) -> bytes:  # type: ignore[no-untyped-def]
    """What `build` appends to a response root, serialised inside the root's namespaces.

    Cut out by position, between the root's own tags, never at a marker: a record's text may
    hold any character, a marker included.
    """
    root = _root()
    build(root)
    data = etree.tostring(root, encoding="utf-8", xml_declaration=False)
    return data[data.index(b">") + 1:-len(_ROOT_CLOSE)]


def cut(build) -> list[bytes]:  # type: ignore[no-untyped-def]
    """Serialise a template built inside a response root, cut at each marker.

    The root declares the OAI and xsi namespaces as every response does, so the pieces
    inherit them instead of repeating them. The root's own tags are the first and last piece.
    """
    root = _root()
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
    metadata.text = MARK
    dc = etree.SubElement(metadata, q(OAI_DC, "dc"), nsmap={"oai_dc": OAI_DC, "dc": DC})
    dc.set(SCHEMA_LOCATION, f"{OAI_DC} {OAI_DC_SCHEMA}")
    dc.text, dc.tail = MARK, MARK
    identifier = etree.SubElement(dc, q(DC, "identifier"))
    identifier.text, identifier.tail = MARK, MARK
    metadata.tail = MARK
    deleted = etree.SubElement(root, q(OAI, "header"), status="deleted")
    deleted.text = MARK
    record.tail = MARK


(_RECORD_OPEN, _HEADER_OPEN, _IDENTIFIER_OPEN, _DATESTAMP, _DATESTAMP_CLOSE, _SETSPEC_OPEN,
 _SETSPEC_END, _HEADER_CLOSE, _METADATA_OPEN, _DC_OPEN, _IDENTIFIER_DC, _IDENTIFIER_DC_CLOSE,
 _DC_CLOSE, _METADATA_CLOSE, _RECORD_END, _DELETED_HEADER_OPEN) = (
    p.decode() for p in cut(_record))
# <record> | <header> | <identifier> | </identifier><datestamp> | </datestamp> | <setSpec>
# | </setSpec> | </header> | <metadata> | <oai_dc:dc …> | <dc:identifier> | </dc:identifier>
# | </oai_dc:dc> | </metadata> | </record> | <header status="deleted">


def header_text(identifier_prefix: str, record: Item) -> str:
    """The <header> of a record (ids and set specs are plain ASCII by their syntax)."""
    return (f"{_DELETED_HEADER_OPEN if record.deleted else _HEADER_OPEN}{_IDENTIFIER_OPEN}"
            f"{identifier_prefix}{record.item_id}{_DATESTAMP}{format_utc(record.datestamp)}"
            f"{_DATESTAMP_CLOSE}{_set_specs_text(tuple(record.sets))}{_HEADER_CLOSE}")


@functools.lru_cache(maxsize=4096)
def _set_specs_text(sets: tuple[str, ...]) -> str:
    return "".join(f"{_SETSPEC_OPEN}{spec}{_SETSPEC_END}" for spec in with_ancestors(sets))


def record_text(identifier_prefix: str, record: Item, metadata: str) -> str:
    """A whole <record> around metadata already written as text (header only for a tombstone),
    with its provenance when it was harvested."""
    header = header_text(identifier_prefix, record)
    if record.deleted:
        return f"{_RECORD_OPEN}{header}{_RECORD_END}"
    provenance = about_text(record.origin) if record.origin else ""
    return (f"{_RECORD_OPEN}{header}{_METADATA_OPEN}{metadata}{_METADATA_CLOSE}{provenance}"
            f"{_RECORD_END}")


@functools.lru_cache(maxsize=1024)
def about_text(origin: Origin) -> str:
    """The <about> block of a harvested record, as oai.provenance.about() writes it."""
    return element_bytes(lambda root: about(root, origin)).decode()


def oai_dc_record_text(identifier_prefix: str, record: Item, manifest: str | None,
                       default_rights: str = "") -> str:
    """A whole <record> with oai_dc metadata (header only for a tombstone).

    The Dublin Core elements are the item's serialised dc_xml (store.dublin_core), made when
    the item was written; only what depends on the request (the library's default statement,
    the manifest URL) and the access texts are added here.
    """
    if record.deleted:
        return record_text(identifier_prefix, record, "")
    kept = (record.dc_xml or "") if isinstance(record, Listed) else \
        dc_xml(record.metadata, record.rights_uri)
    dc = served_dc_xml(kept, record.rights_uri, default_rights, record.access)
    if manifest:
        dc = f"{dc}{_IDENTIFIER_DC}{escape_text(manifest)}{_IDENTIFIER_DC_CLOSE}"
    return record_text(identifier_prefix, record, f"{_DC_OPEN}{dc}{_DC_CLOSE}")
