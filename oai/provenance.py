"""The OAI-PMH provenance of re-exposed records: an <about><provenance> block per record that
thuvienso harvested from another provider (OAI-PMH guidelines for aggregators; provenance.xsd).

Every format serves it; `altered` is true because each is this repository's own serialisation.
"""

from __future__ import annotations

from lxml import etree

from oai.envelope import T
from oai.ns import SCHEMA_LOCATION, q
from store.records import Origin

PROVENANCE = "http://www.openarchives.org/OAI/2.0/provenance"
PROVENANCE_SCHEMA = "http://www.openarchives.org/OAI/2.0/provenance.xsd"


def about(parent: etree._Element, origin: Origin) -> None:
    """Append the <about> block saying where the record came from."""
    provenance = etree.SubElement(etree.SubElement(parent, T["about"]),
                                  q(PROVENANCE, "provenance"), nsmap={None: PROVENANCE})
    provenance.set(SCHEMA_LOCATION, f"{PROVENANCE} {PROVENANCE_SCHEMA}")
    description = etree.SubElement(provenance, q(PROVENANCE, "originDescription"),
                                   harvestDate=origin.harvested, altered="true")
    for name, value in (("baseURL", origin.base_url), ("identifier", origin.identifier),
                        ("datestamp", origin.datestamp),
                        ("metadataNamespace", origin.metadata_namespace)):
        etree.SubElement(description, q(PROVENANCE, name)).text = value
