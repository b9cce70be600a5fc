"""edm: the Europeana Data Model in RDF/XML, with the IIIF services of the page images.

One `edm:ProvidedCHO` (the item's Dublin Core as the store keeps it, the access texts, and its
edm:type), one `edm:WebResource` per page image of an open item (its IIIF Image service as an
`svcs:Service` and the manifest that refers to it), and the `ore:Aggregation` that ties them to
the library (dataProvider, provider, rights, the portal page, the first image). Items that fail
a mandatory rule (store.europeana) are not disseminated in this format.

The record is written as text around the item's kept Dublin Core (like oai_dc's list pages):
list pages join it as it is, GetRecord parses it into the response, so both are one crosswalk.
"""

from __future__ import annotations

import re

from lxml import etree

from oai.ns import DC
from oai.xmlutil import safe_parser
from store.dublin_core import dc_xml, escape_text, served_dc_xml
from store.europeana import edm_type
from store.links import Links
from store.read.listing import Listed
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
_RDF_OPEN = (f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:dc="{DC}" xmlns:dcterms="{DCTERMS}" '
             f'xmlns:edm="{EDM}" xmlns:ore="{ORE}" xmlns:svcs="{SVCS}" xmlns:doap="{DOAP}">')
_TYPES = re.compile(r"<dc:type(?: [^>]*)?>([^<]*)</dc:type>")
_ATTRIBUTE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                            "\n": "&#10;", "\t": "&#9;", "\r": "&#13;"})


def _uri(value: str) -> str:
    """A URI as an attribute value, escaped as lxml escapes attributes."""
    return value.translate(_ATTRIBUTE)


def _resource(tag: str, uri: str) -> str:
    return f'<{tag} rdf:resource="{_uri(uri)}"/>'


def rdf_text(item_id: str, dc: str, page_count: int, access: str, rights_uri: str,
             links: Links, settings: Settings) -> str:
    """The <rdf:RDF> of an item whose Dublin Core elements (dc prefix) are `dc`."""
    page = links.item_page(item_id)
    kind = edm_type(_TYPES.findall(dc))
    parts = [_RDF_OPEN, f'<edm:ProvidedCHO rdf:about="{_uri(page)}#cho">', dc,
             f"<edm:type>{kind}</edm:type></edm:ProvidedCHO>"]
    images = []
    if access == "open":
        manifest = _resource("dcterms:isReferencedBy", links.manifest(item_id))
        for seq in range(1, page_count + 1):
            image = image_id(item_id, seq)
            service, url = _uri(links.image_service(image)), links.image(image)
            images.append(url)
            parts += [f'<edm:WebResource rdf:about="{_uri(url)}">{manifest}'
                      f'<svcs:has_service rdf:resource="{service}"/></edm:WebResource>'
                      f'<svcs:Service rdf:about="{service}">'
                      f'{_resource("dcterms:conformsTo", IIIF_IMAGE)}'
                      f'{_resource("doap:implements", LEVEL_2)}</svcs:Service>']
    parts += [f'<ore:Aggregation rdf:about="{_uri(page)}#aggregation">',
              _resource("edm:aggregatedCHO", f"{page}#cho"),
              f"<edm:dataProvider>{escape_text(settings.repository_name)}</edm:dataProvider>",
              *(_resource("edm:hasView", url) for url in images[1:]),
              _resource("edm:isShownAt", page),
              *(_resource("edm:isShownBy", url) for url in images[:1]),
              f"<edm:provider>{escape_text(settings.edm_provider or settings.repository_name)}"
              "</edm:provider>", _resource("edm:rights", rights_uri),
              "</ore:Aggregation></rdf:RDF>"]
    return "".join(parts)


def text_of(record: MetadataRecord | Listed, links: Links, settings: Settings) -> str:
    """The record's <rdf:RDF>: a list row (its kept Dublin Core, the library's default statement
    added) or a whole record (its statement already served)."""
    if isinstance(record, Listed):
        default = settings.rights_default
        dc = served_dc_xml(record.dc_xml or "", record.rights_uri, default, record.access)
        rights = record.rights_uri or default
    else:
        dc = served_dc_xml(dc_xml(record.metadata, record.rights_uri), record.rights_uri, "",
                           record.access)
        rights = record.rights_uri or ""
    return rdf_text(record.item_id, dc, record.page_count, record.access, rights, links,
                    settings)


def build_linked(parent: etree._Element, record: MetadataRecord, links: Links,
                 settings: Settings) -> None:
    """Append the record's <rdf:RDF> to parent (images only for items open to everyone)."""
    parent.append(etree.fromstring(text_of(record, links, settings), safe_parser()))
