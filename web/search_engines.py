"""What search engines read: /robots.txt, /sitemap.xml (an index of sitemaps of item pages)
and the schema.org JSON-LD of an item page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, abort, request
from lxml import etree

from iiif.manifest import thumbnail_size
from store.links import Links
from store.read.queries import image_id
from store.read.sitemap import sitemap_items, sitemap_stamps
from store.records import ItemRecord
from store.rights import statement
from web.context import current

search_engines_bp = Blueprint("search_engines", __name__)
SITEMAPS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XML = "application/xml; charset=utf-8"
# ISO 639-2 codes of the catalogue to the BCP 47 tags schema.org's inLanguage takes.
LANGUAGE_TAGS = {"vie": "vi", "fre": "fr", "fra": "fr", "eng": "en", "chi": "zh", "zho": "zh",
                 "lat": "la", "rus": "ru", "ger": "de", "deu": "de", "jpn": "ja"}
ROBOTS = """User-agent: *
Disallow: /search
Disallow: /login
Disallow: /account
Disallow: /iiif/image/
Allow: /

Sitemap: {sitemap}
"""


@search_engines_bp.get("/robots.txt")
def robots() -> Response:
    links = current().links(request.environ)
    return Response(ROBOTS.format(sitemap=links.sitemap_index()),
                    content_type="text/plain; charset=utf-8")


def _sitemap_xml(kind: str, entry: str, found: list[tuple[str, datetime]]) -> Response:
    """A sitemap index or a sitemap: an entry (loc, lastmod) for each (URL, datestamp)."""
    root = etree.Element(f"{{{SITEMAPS}}}{kind}", nsmap={None: SITEMAPS})
    for url, stamp in found:
        element = etree.SubElement(root, f"{{{SITEMAPS}}}{entry}")
        etree.SubElement(element, f"{{{SITEMAPS}}}loc").text = url
        etree.SubElement(element, f"{{{SITEMAPS}}}lastmod").text = \
            stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return Response(body, content_type=XML, headers={"Cache-Control": "public, max-age=3600"})


@search_engines_bp.get("/sitemap.xml")
def sitemap_index() -> Response:
    ctx = current()
    links = ctx.links(request.environ)
    with ctx.store.reading() as session:
        stamps = sitemap_stamps(session)
    return _sitemap_xml("sitemapindex", "sitemap",
                        [(links.sitemap(number), stamp) for number, stamp in stamps])


@search_engines_bp.get("/sitemaps/<int:number>.xml")
def sitemap(number: int) -> Response:
    ctx = current()
    links = ctx.links(request.environ)
    if number > 10**9:
        abort(404, "there is no such sitemap")
    with ctx.store.reading() as session:
        items = sitemap_items(session, number)
    if not items:
        abort(404, "there is no such sitemap")
    return _sitemap_xml("urlset", "url",
                        [(links.item_page(item_id), stamp) for item_id, stamp in items])


def _schema_type(item: ItemRecord) -> str:
    kinds = {value.lower() for value in item.values("type")}
    if kinds & {"báo", "newspaper", "báo chí", "tạp chí", "periodical"}:
        return "PublicationIssue"
    if item.behavior == "paged" or kinds & {"sách", "book"}:
        return "Book"
    return "CreativeWork"


def item_json_ld(item: ItemRecord, links: Links) -> dict[str, Any]:
    """The schema.org description of an item page (a thumbnail only for an open item)."""
    doc: dict[str, Any] = {"@context": "https://schema.org", "@type": _schema_type(item),
                           "@id": links.item_page(item.item_id),
                           "url": links.item_page(item.item_id), "name": item.title}
    if creators := item.values("creator"):
        doc["author"] = [{"@type": "Person", "name": name} for name in creators]
    if dates := item.values("date"):
        doc["datePublished"] = dates[0]
    if languages := item.values("language"):
        doc["inLanguage"] = [LANGUAGE_TAGS.get(code, code) for code in languages]
    if publishers := item.values("publisher"):
        doc["publisher"] = {"@type": "Organization", "name": publishers[0]}
    if found := statement(item.rights_uri):
        doc["license"] = found.uri
    if item.pages and item.access == "open":
        first = item.pages[0]
        width, height = thumbnail_size(first.width, first.height)
        doc["thumbnailUrl"] = links.image(image_id(item.item_id, first.seq), f"{width},{height}")
    doc["isAccessibleForFree"] = item.access == "open"
    return doc
