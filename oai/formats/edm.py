"""edm: the Europeana Data Model in RDF/XML, with the IIIF services of the page images.

One `edm:ProvidedCHO` (the item's Dublin Core, coverage as dcterms:spatial or temporal, and
its edm:type), one `edm:WebResource` per page image of an open item (its IIIF Image service as
an `svcs:Service` and the manifest that refers to it), and the `ore:Aggregation` that ties them
to the library (dataProvider, provider, rights, the portal page, the first image). Items that
fail a mandatory rule (store.europeana) are not disseminated in this format.
"""

from __future__ import annotations

import re

from lxml import etree

from oai.ns import DC, XML_LANG, q
from oai.xmlutil import sub
from store.dublin_core import language_tag
from store.europeana import edm_type
from store.links import Links
from store.read.queries import image_id
from store.records import MetadataRecord
from store.settings import Settings

PREFIX = "edm"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
SCHEMA = "http://www.europeana.eu/schemas/edm/EDM.xsd"
NAMESPACE = RDF
NEEDS_SOURCE = False
EUROPEANA_RULES = True
EDM = "http://www.europeana.eu/schemas/edm/"
ORE = "http://www.openarchives.org/ore/terms/"
DCTERMS = "http://purl.org/dc/terms/"
SVCS = "http://rdfs.org/sioc/services#"
DOAP = "http://usefulinc.com/ns/doap#"
IIIF_IMAGE = "http://iiif.io/api/image"
LEVEL_2 = "http://iiif.io/api/image/3/level2.json"
_NSMAP = {"rdf": RDF, "dc": DC, "dcterms": DCTERMS, "edm": EDM, "ore": ORE, "svcs": SVCS,
          "doap": DOAP}
_ABOUT, _RESOURCE = q(RDF, "about"), q(RDF, "resource")
_DATE_LIKE = re.compile(r"[0-9]{3,4}([-/][0-9]{1,2}){0,2}([-/ ]+[0-9]{3,4}([-/][0-9]{1,2}){0,2})?")


def _link(parent: etree._Element, tag: str, uri: str) -> None:
    etree.SubElement(parent, tag, {_RESOURCE: uri})


def _provided_cho(root: etree._Element, record: MetadataRecord, about: str) -> None:
    cho = etree.SubElement(root, q(EDM, "ProvidedCHO"), {_ABOUT: about})
    for value in record.metadata:
        tag = q(DC, value.element)
        if value.element == "coverage":
            kind = "temporal" if _DATE_LIKE.fullmatch(value.value) else "spatial"
            tag = q(DCTERMS, kind)
        element = sub(cho, tag, value.value)
        if lang := language_tag(value.lang):
            element.set(XML_LANG, lang)
    sub(cho, q(EDM, "type"), edm_type(record.values("type")))


def _web_resources(root: etree._Element, record: MetadataRecord, links: Links,
                   manifest: str) -> list[str]:
    """A WebResource and its IIIF Service per page image; the images' URLs."""
    images = []
    for seq in range(1, record.page_count + 1):
        page = image_id(record.item_id, seq)
        service, image = links.image_service(page), links.image(page)
        resource = etree.SubElement(root, q(EDM, "WebResource"), {_ABOUT: image})
        _link(resource, q(DCTERMS, "isReferencedBy"), manifest)
        _link(resource, q(SVCS, "has_service"), service)
        iiif = etree.SubElement(root, q(SVCS, "Service"), {_ABOUT: service})
        _link(iiif, q(DCTERMS, "conformsTo"), IIIF_IMAGE)
        _link(iiif, q(DOAP, "implements"), LEVEL_2)
        images.append(image)
    return images


def build_linked(parent: etree._Element, record: MetadataRecord, links: Links,
                 settings: Settings) -> None:
    """Append the record's <rdf:RDF> to parent (images only for items open to everyone)."""
    root = etree.SubElement(parent, q(RDF, "RDF"), nsmap=_NSMAP)
    page = links.item_page(record.item_id)
    cho = f"{page}#cho"
    _provided_cho(root, record, cho)
    images: list[str] = []
    if record.page_count and record.access == "open":
        images = _web_resources(root, record, links, links.manifest(record.item_id))
    aggregation = etree.SubElement(root, q(ORE, "Aggregation"), {_ABOUT: f"{page}#aggregation"})
    _link(aggregation, q(EDM, "aggregatedCHO"), cho)
    sub(aggregation, q(EDM, "dataProvider"), settings.repository_name)
    for image in images[1:]:
        _link(aggregation, q(EDM, "hasView"), image)
    _link(aggregation, q(EDM, "isShownAt"), page)
    if images:
        _link(aggregation, q(EDM, "isShownBy"), images[0])
    sub(aggregation, q(EDM, "provider"), settings.edm_provider or settings.repository_name)
    _link(aggregation, q(EDM, "rights"), record.rights_uri or "")
