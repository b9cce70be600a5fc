"""What search engines read: robots.txt, the sitemap index and its sitemaps (every live item
page once, no tombstone), and the schema.org JSON-LD of item pages."""

from __future__ import annotations

import json

import lxml.html
import pytest
import pyvips
from lxml import etree

import store.read.sitemap
from store.records import DCValue, ItemInput, PageInput
from store.write.items import delete_item, upsert_item

BASE = "http://localhost"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
INC = "http://rightsstatements.org/vocab/InC/1.0/"


@pytest.fixture
def catalogue(store, tmp_path) -> None:
    image = tmp_path / "p.jpg"
    pyvips.Image.black(400, 600).write_to_file(str(image))
    page = (PageInput(str(image), 400, 600),)
    values = (DCValue("title", "Truyện Kiều", "vi"), DCValue("creator", "Nguyễn Du"),
              DCValue("date", "1925"), DCValue("language", "vie"), DCValue("type", "Sách", "vi"))
    with store.session() as s:
        for n in range(7):
            upsert_item(s, ItemInput(f"it-{n}", values, pages=page, rights_uri=INC,
                                     behavior="paged", access="readers" if n == 1 else "open"),
                        store.settings.data_path)
        upsert_item(s, ItemInput("bao-1", (DCValue("title", "Tiếng Dân"),
                                           DCValue("type", "Báo", "vi"))),
                    store.settings.data_path)
    with store.session() as s:
        delete_item(s, "it-3")


def _xml(client, url: str) -> etree._Element:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.content_type == "application/xml; charset=utf-8"
    return etree.fromstring(response.data, etree.XMLParser(resolve_entities=False))


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.content_type.startswith("text/plain")
    assert f"Sitemap: {BASE}/sitemap.xml" in response.text.splitlines()


def test_the_sitemaps_list_every_live_item_page_once_and_no_tombstone(client, catalogue,
                                                                      monkeypatch):
    monkeypatch.setattr(store.read.sitemap, "SITEMAP_SIZE", 3)
    index = _xml(client, "/sitemap.xml")
    assert index.tag == f"{{{NS['s']}}}sitemapindex"
    locs = index.xpath("s:sitemap/s:loc/text()", namespaces=NS)
    assert locs == [f"{BASE}/sitemaps/{n}.xml" for n in range(3)]
    pages = []
    for loc in locs:
        urlset = _xml(client, loc.removeprefix(BASE))
        assert urlset.tag == f"{{{NS['s']}}}urlset"
        entries = urlset.xpath("s:url", namespaces=NS)
        assert 0 < len(entries) <= 3
        pages += [e.findtext("s:loc", namespaces=NS) for e in entries]
        assert all(len(e.findtext("s:lastmod", namespaces=NS)) == 20 for e in entries)
    expected = [f"{BASE}/items/it-{n}" for n in range(7) if n != 3] + [f"{BASE}/items/bao-1"]
    assert pages == expected
    assert client.get("/sitemaps/3.xml").status_code == 404
    assert client.get("/sitemaps/99999999999999999999.xml").status_code == 404


def test_the_sitemap_index_of_an_empty_store_is_empty(client):
    assert len(_xml(client, "/sitemap.xml")) == 0


def _json_ld(client, item_id: str) -> dict:
    doc = lxml.html.fromstring(client.get(f"/items/{item_id}").data)
    scripts = doc.xpath("//script[@type='application/ld+json']/text()")
    assert len(scripts) == 1
    return json.loads(scripts[0])


def test_item_pages_carry_schema_org_json_ld_with_a_thumbnail_only_when_open(client, catalogue):
    book = _json_ld(client, "it-0")
    assert {k: book[k] for k in ("@context", "@type", "name", "datePublished", "inLanguage",
                                 "license", "url")} == {
        "@context": "https://schema.org", "@type": "Book", "name": "Truyện Kiều",
        "datePublished": "1925", "inLanguage": ["vi"], "license": INC,
        "url": f"{BASE}/items/it-0"}
    assert book["author"] == [{"@type": "Person", "name": "Nguyễn Du"}]
    assert book["thumbnailUrl"] == f"{BASE}/iiif/image/it-0~p0001/full/133,200/0/default.jpg"
    closed = _json_ld(client, "it-1")
    assert "thumbnailUrl" not in closed and closed["isAccessibleForFree"] is False
    assert _json_ld(client, "bao-1")["@type"] == "PublicationIssue"


def test_item_pages_link_their_manifest_as_an_alternate(client, catalogue):
    doc = lxml.html.fromstring(client.get("/items/it-0").data)
    assert doc.xpath("//link[@rel='alternate']/@href") == [f"{BASE}/iiif/it-0/manifest"]
