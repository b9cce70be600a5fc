"""oai_dc: the item's own Dublin Core, its rights URI and its IIIF manifest URL.

The Dublin Core elements are store.dublin_core's text (what list pages join as kept in the
item row), parsed here into the tree, so both ways of writing a record share one crosswalk.
"""

from __future__ import annotations

from lxml import etree

from oai.ns import DC, OAI_DC, OAI_DC_SCHEMA, SCHEMA_LOCATION, XSI, q
from oai.xmlutil import safe_parser
from store.dublin_core import dc_xml, served_dc_xml
from store.records import MetadataRecord

PREFIX = "oai_dc"
SCHEMA = OAI_DC_SCHEMA
NAMESPACE = OAI_DC
NEEDS_SOURCE = False
_NSMAP = {"oai_dc": OAI_DC, "dc": DC, "xsi": XSI}


def build(parent: etree._Element, record: MetadataRecord, manifest: str | None) -> None:
    """Append <oai_dc:dc> of the record to parent."""
    dc = etree.SubElement(parent, q(OAI_DC, "dc"), nsmap=_NSMAP)
    dc.set(SCHEMA_LOCATION, f"{OAI_DC} {OAI_DC_SCHEMA}")
    kept = dc_xml(record.metadata, record.rights_uri)
    elements = f'<w xmlns:dc="{DC}">{served_dc_xml(kept, record.rights_uri, "", record.access)}</w>'
    dc.extend(etree.fromstring(elements, safe_parser()))
    if manifest:
        etree.SubElement(dc, q(DC, "identifier")).text = manifest
