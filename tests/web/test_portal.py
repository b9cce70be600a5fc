"""Reader portal: diacritic-insensitive search with paging, browsing, item pages, languages."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

import lxml.html
import pytest

from tests.iiif.presentation_sample import PAGED_ITEMS, populate


@pytest.fixture
def sample(store, tmp_path_factory):
    return populate(store, tmp_path_factory.getbasetemp() / "sample-images")


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.data[:300])
    return lxml.html.fromstring(response.data), response


def hits(doc):
    return doc.xpath("//main//a[starts-with(@href, '/items/')]/@href")


NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731


@pytest.mark.parametrize("query, expected", [
    ("thu vien", ["thu-vien-ha-noi"]),                       # no marks finds "Thư viện"
    ("dang", ["thu-vien-ha-noi"]),                           # d finds Đ (creator Đặng)
    ("ĐẶNG THAI MAI", ["thu-vien-ha-noi"]),
    (NFD("Thư viện"), ["thu-vien-ha-noi"]),                  # decomposed query
    ("Truyện Kiều", ["truyen-kieu"]),                        # NFC query, title stored NFD
    ("truyến kiêu", ["truyen-kieu"]),                        # wrong tones
    ("Việt Nam", ["dia-chi-viet-nam"]),                      # marks find unmarked catalogue
    ("lich su", ["thu-vien-ha-noi"]),                        # subject
    ("ky su", ["thu-vien-ha-noi"]),                          # subtitle (245 $b)
    ("nguyen du", ["truyen-kieu"]),
    ("thu vien kieu", []),                                   # every word must match
    ("da xoa", []),                                          # deleted items are not found
])
def test_search_is_diacritic_insensitive_both_ways(client, sample, query, expected):
    doc, _ = page(client, f"/search?q={query}")
    assert [h.removeprefix("/items/") for h in hits(doc)] == expected


def test_search_pages_with_rel_next_while_more_follow(client, sample):
    first, _ = page(client, "/search?q=tieng+dan")
    assert len(hits(first)) == 20
    assert str(PAGED_ITEMS) in first.xpath("string(//main//*[@role='status'])")
    [nxt] = first.xpath("//main//a[@rel='next']/@href")
    second, _ = page(client, nxt)
    assert len(hits(second)) == PAGED_ITEMS - 20
    assert second.xpath("//a[@rel='next']") == []
    assert second.xpath("//main//a[@rel='prev']/@href")
    assert set(hits(first)).isdisjoint(hits(second))
    results = first.xpath("//main//li[contains(@class, 'hit')]//img/@src")
    assert results and all(src.startswith("/iiif/image/") for src in results)


ODD_QUERIES = [
    "q=%00", "q=%ff%fe", "q=%E1%BB", "q=!!!", "q=%22", "q=AND", "q=*", "q=thu-vien",
    "q=%27+OR+1%3D1+--", "q=NEAR(", "q=" + "x" * 2048, "q=" + "th%C6%B0+" * 400, "q=",
    "q=thu+vien&page=999", "page=0", "page=-1", "page=abc", "page=" + "9" * 30,
    "q=a&set=khong-co", "lang=xx", "q=%0D%0A%09", "q=%F0%9F%93%9A", "q[]=x",
]


def test_odd_queries_never_fail_the_server(client, sample):
    for raw in ODD_QUERIES:  # one store for the whole table: each case is a cheap request
        response = client.get(f"/search?{raw}")
        assert response.status_code in (200, 400, 404), raw


def test_home_has_the_search_form_and_browsing_by_set_in_vietnamese(client, sample):
    doc, response = page(client, "/")
    assert doc.get("lang") == "vi"
    [form] = doc.xpath("//form[.//input[@name='q']]")
    assert form.get("action") == "/search"
    assert doc.xpath("//label[@for='q']")
    sets = doc.xpath("//main//a[starts-with(@href, '/search?set=')]/text()")
    assert sets == ["Bản đồ", "Báo chí", "Sách", "Lịch sử"]
    assert "tài liệu" in doc.xpath("string(//main)")


def test_language_switch_is_remembered(client, sample):
    doc, response = page(client, "/?lang=en")
    assert doc.get("lang") == "en" and "lang=en" in response.headers["Set-Cookie"]
    doc, _ = page(client, "/search?q=kieu")
    assert doc.get("lang") == "en"
    assert "items found" in doc.xpath("string(//main)")
    doc, _ = page(client, "/?lang=vi")
    assert doc.get("lang") == "vi"


def test_browse_a_set_lists_its_items_and_those_of_its_subsets(client, sample):
    doc, _ = page(client, "/search?set=sach")
    assert sorted(hits(doc)) == ["/items/han-nom-han-che", "/items/muc-luc-khong-anh",
                                 "/items/thu-vien-ha-noi", "/items/truyen-kieu"]
    doc, _ = page(client, "/search?set=sach&q=kieu")
    assert hits(doc) == ["/items/truyen-kieu"]
    page(client, "/search?set=khong-co", 404)


def test_item_page_shows_metadata_manifest_oai_links_and_mirador(client, sample):
    doc, response = page(client, "/items/thu-vien-ha-noi")
    assert doc.xpath("string(//h1)").startswith("Thư viện Hà Nội xưa")
    assert "Đặng Thai Mai" in doc.xpath("//dd/text()")
    manifest = "http://localhost/iiif/thu-vien-ha-noi/manifest"
    [viewer] = doc.xpath("//div[@id='viewer']")
    assert viewer.get("data-manifest") == manifest and viewer.get("data-language") == "vi"
    [drag] = doc.xpath("//a[img[@alt='IIIF']]/@href")
    assert drag.startswith(manifest + "?manifest=")
    assert client.get(drag).status_code == 200
    oai = doc.xpath("//a[contains(@href, '/oai?verb=GetRecord')]/@href")
    prefixes = [h.split("metadataPrefix=")[1].split("&")[0] for h in oai]
    assert prefixes == ["oai_dc", "marc21", "mods"]
    scripts = doc.xpath("//script/@src")
    assert scripts == ["/vendor/mirador/mirador.min.js", "/static/viewer.js"]
    # no inline code (the CSP forbids it); JSON-LD is a data block, never run
    assert doc.xpath("//script[not(@src) and not(@type='application/ld+json')]") == []
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "style-src 'self' 'unsafe-inline'" in csp
    for src in scripts:
        assert client.get(src).status_code == 200, src


def test_item_without_pages_non_open_deleted_and_unknown(client, sample):
    doc, _ = page(client, "/items/muc-luc-khong-anh")
    assert doc.xpath("//div[@id='viewer']") == []
    assert doc.xpath("//script[not(@type='application/ld+json')]") == []
    doc, _ = page(client, "/items/han-nom-han-che")
    assert doc.xpath("//div[@id='viewer']") and doc.xpath("//*[@class='notice']")
    page(client, "/items/da-xoa", 410)
    page(client, "/items/khong-co", 404)
    page(client, "/items/..%2F..%2Fetc", 404)


def _many_sets(store, count: int) -> list[str]:
    from store.records import DCValue, ItemInput, SetInput
    from store.write.bulk import bulk_upsert
    from store.write.items import upsert_set

    specs = [f"a{n % 9}" + (f":b{n % 5}" if n % 3 else "") + (f":c{n}" if n % 2 else "")
             for n in range(count)]
    with store.session() as session:
        for spec in sorted(set(specs)):
            upsert_set(session, SetInput(spec, f"Bộ {spec}"))
        bulk_upsert(session, [ItemInput(f"it-{n}", (DCValue("title", f"Sách {n}"),),
                                        sets=(spec,)) for n, spec in enumerate(specs)],
                    store.settings.data_path)
    return specs


def test_home_page_counts_each_set_with_its_subsets_and_costs_linear_in_the_sets(
        client, store, monkeypatch):
    import iiif.collection
    import web.portal
    from store.read.presentation import set_counts
    from store.read.queries import list_sets
    from store.records import set_lineage

    _many_sets(store, 300)
    with store.reading() as session:
        sets = list_sets(session)
    calls = []

    def counted(spec):
        calls.append(spec)
        return set_lineage(spec)

    monkeypatch.setattr(iiif.collection, "set_lineage", counted)
    monkeypatch.setattr(web.portal, "set_lineage", counted)
    doc, _ = page(client, "/")
    assert len(calls) <= 3 * len(sets)  # it was len(sets) squared
    shown = {unquote(a.get("href").rsplit("=", 1)[-1]):
             a.getparent().findtext(".//span[@class='count']")
             for a in doc.xpath("//ul[@class='sets']//a[contains(@href, 'set=')]")}
    with store.reading() as session:
        direct = set_counts(session)
    for spec, count_text in shown.items():  # the definition: items in the set or below it
        expected = sum(n for filed, n in direct.items() if spec in set_lineage(filed))
        assert re.search(r"[0-9]+", count_text).group() == str(expected), spec
    assert set(shown) == {s.spec for s in sets if s.spec.count(":") < 2}  # two levels shown


def test_the_home_page_shows_a_renamed_set_and_a_new_count_at_once(client, store):
    from store.records import SetInput
    from store.write.items import upsert_set

    _many_sets(store, 20)
    assert "Bộ a1" in client.get("/").get_data(as_text=True)
    with store.session() as session:
        upsert_set(session, SetInput("a1", "Sách quý"))
    page_text = client.get("/?lang=vi").get_data(as_text=True)
    assert "Sách quý" in page_text and ">Bộ a1<" not in page_text
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "items" in english and "tài liệu" not in english.split("<main")[1]
