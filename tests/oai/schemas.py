"""Offline XML Schema validation of whole OAI-PMH responses, payloads included.

The recipe of ../shared/schemas/README.md (option B): a resolver maps canonical schema URLs
to the copies in tests/data/oai/schemas, and one driver schema imports every namespace a
response may carry, because OAI-PMH.xsd's wildcards are processContents="strict".
"""

from __future__ import annotations

import functools
from pathlib import Path

from lxml import etree

SCHEMAS = Path(__file__).resolve().parent.parent / "data" / "oai" / "schemas"
URL_MAP = {
    "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd": "OAI-PMH.xsd",
    "http://www.openarchives.org/OAI/2.0/oai_dc.xsd": "oai_dc.xsd",
    "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd": "oai-identifier.xsd",
    "http://www.openarchives.org/OAI/2.0/provenance.xsd": "provenance.xsd",
    "http://www.openarchives.org/OAI/2.0/friends.xsd": "friends.xsd",
    "http://dublincore.org/schemas/xmls/simpledc20021212.xsd": "simpledc20021212.xsd",
    "http://www.w3.org/2001/03/xml.xsd": "xml.xsd",
    "http://www.w3.org/2001/xml.xsd": "xml.xsd",
    "http://www.loc.gov/mods/xml.xsd": "xml.xsd",
    "http://www.loc.gov/standards/xlink/xlink.xsd": "xlink.xsd",
    "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd": "MARC21slim.xsd",
    "http://www.loc.gov/standards/mods/v3/mods-3-7.xsd": "mods-3-7.xsd",
    "http://www.europeana.eu/schemas/edm/EDM.xsd": "../../edm/EDM.xsd",
}
DRIVER = b"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
  targetNamespace="urn:local:oai-driver">
  <xs:import
    namespace="http://www.openarchives.org/OAI/2.0/"
    schemaLocation="http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"/>
  <xs:import
    namespace="http://www.openarchives.org/OAI/2.0/oai_dc/"
    schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc.xsd"/>
  <xs:import
    namespace="http://www.openarchives.org/OAI/2.0/oai-identifier"
    schemaLocation="http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"/>
  <xs:import
    namespace="http://www.openarchives.org/OAI/2.0/provenance"
    schemaLocation="http://www.openarchives.org/OAI/2.0/provenance.xsd"/>
  <xs:import
    namespace="http://www.openarchives.org/OAI/2.0/friends/"
    schemaLocation="http://www.openarchives.org/OAI/2.0/friends.xsd"/>
  <xs:import
    namespace="http://www.loc.gov/MARC21/slim"
    schemaLocation="http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"/>
  <xs:import
    namespace="http://www.loc.gov/mods/v3"
    schemaLocation="http://www.loc.gov/standards/mods/v3/mods-3-7.xsd"/>
  <xs:import
    namespace="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    schemaLocation="http://www.europeana.eu/schemas/edm/EDM.xsd"/>
</xs:schema>"""


class LocalSchemas(etree.Resolver):
    def resolve(self, url, pubid, context):  # type: ignore[no-untyped-def]
        key = "http://" + url.split("://", 1)[1] if "://" in url else url
        if key in URL_MAP:
            return self.resolve_filename(str(SCHEMAS / URL_MAP[key]), context)
        return None


def _parser() -> etree.XMLParser:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(LocalSchemas())
    return parser


@functools.cache
def response_schema() -> etree.XMLSchema:
    """One schema for complete OAI-PMH responses, every payload namespace included."""
    doc = etree.fromstring(DRIVER, _parser(), base_url=str(SCHEMAS / "_driver.xsd"))
    return etree.XMLSchema(etree.ElementTree(doc))


def assert_valid(body: bytes) -> etree._Element:
    """Parse a response, assert it is schema-valid, return its root."""
    root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    schema = response_schema()
    if not schema.validate(root):
        raise AssertionError(f"invalid OAI-PMH response: {schema.error_log}\n"
                             f"{body[:3000].decode('utf-8', 'replace')}")
    return root
