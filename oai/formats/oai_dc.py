"""oai_dc: the item's own Dublin Core, its rights URI and its IIIF manifest URL."""

from __future__ import annotations

from lxml import etree

from oai.ns import DC, OAI_DC, OAI_DC_SCHEMA, SCHEMA_LOCATION, XML_LANG, XSI, q
from oai.xmlutil import clean, language_tag
from store.records import ItemRecord

PREFIX = "oai_dc"
SCHEMA = OAI_DC_SCHEMA
NAMESPACE = OAI_DC
NEEDS_SOURCE = False
_NSMAP = {"oai_dc": OAI_DC, "dc": DC, "xsi": XSI}
_TAGS = {name: q(DC, name) for name in (
    "title", "creator", "subject", "description", "publisher", "contributor", "date", "type",
    "format", "identifier", "source", "language", "relation", "coverage", "rights")}


def build(parent: etree._Element, record: ItemRecord, manifest: str | None) -> None:
    """Append <oai_dc:dc> of the record to parent."""
    dc = etree.SubElement(parent, q(OAI_DC, "dc"), nsmap=_NSMAP)
    dc.set(SCHEMA_LOCATION, f"{OAI_DC} {OAI_DC_SCHEMA}")
    rights: set[str] = set()
    for value in record.metadata:
        tag = _TAGS.get(value.element)
        if tag is None:
            continue
        element = etree.SubElement(dc, tag)
        element.text = clean(value.value)
        lang = language_tag(value.lang)
        if lang:
            element.set(XML_LANG, lang)
        if value.element == "rights":
            rights.add(value.value)
    if record.rights_uri and record.rights_uri not in rights:
        etree.SubElement(dc, _TAGS["rights"]).text = clean(record.rights_uri)
    if manifest:
        etree.SubElement(dc, _TAGS["identifier"]).text = manifest
