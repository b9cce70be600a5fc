"""No request of any kind yields a 5xx or a traceback, and nothing of a non-open item leaks."""

from __future__ import annotations

import pytest

from store.records import DCValue, ItemInput, PageInput
from store.write.items import upsert_item
from tests.iiif.presentation_sample import make_image

LONG = "x" * 5000
HOSTILE = [
    "/oai?verb=%ff%fe",
    "/oai?verb=Identify&verb=Identify",
    "/oai?verb=ListRecords&metadataPrefix=oai_dc&from=99999-01-01",
    "/oai?verb=ListRecords&resumptionToken=" + "A" * 8000,
    "/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=%00",
    "/oai?verb=ListSets&set=' OR 1=1 --",
    "/iiif/image/..%2F..%2Fetc%2Fpasswd/info.json",
    "/iiif/image/%00/info.json",
    "/iiif/image/open-1~p0001/full/99999,99999/0/default.jpg",
    "/iiif/image/open-1~p0001/pct:1e308,0,1,1/max/0/default.jpg",
    "/iiif/image/open-1~p0001/full/max/NaN/default.jpg",
    "/iiif/image/open-1~p0001/full/!0,0/0/default.jpg",
    "/iiif/image/" + LONG + "/info.json",
    "/iiif/%00/manifest",
    "/iiif/" + LONG + "/manifest",
    "/iiif/collection/%ff",
    "/iiif/collection/a::b",
    "/items/..%2f..%2fsecret",
    "/items/%ff",
    "/search?q=%00",
    "/search?q=%ff%fe%80",
    "/search?q=%22+AND+*+NEAR(",
    "/search?q=thu-vien&page=-1",
    "/search?q=thu&page=abc",
    "/search?q=thu&page=99999999999999999999999",
    "/search?q=a&page=%C2%B2",  # "²": isdigit() but not int()
    "/search?q=a&page=%E2%91%A0",  # "①"
    "/search?q=" + "ư" * 2000,
    "/search?set=%00",
    "/search?q=a&from=%C2%B2&to=99999",
    "/search?q=a&from=1990&to=1890",
    "/?lang=%ff",
    "/oai?verb=GetRecord&metadataPrefix=edm&identifier=oai:thuvienso.local:%00",
    "/oai?verb=ListRecords&metadataPrefix=edm&set=%ff",
    "/iiif/discovery/activity/page/-1",
    "/iiif/discovery/activity/page/abc",
    "/iiif/discovery/activity/page/99999999999999999999999",
    "/sitemaps/99999999999999999999999.xml",
    "/sitemaps/%00.xml",
    "/items/open-1?page=%C2%B2",
    "/items/open-1?page=99999999999999999999",
    "/items/open-1/pages/0/text",
    "/items/open-1/pages/99999999999999999999/text",
    "/items/%ff/text.txt",
    "/iiif/open-1/search/1?q=%22+AND+*+NEAR(",
    "/iiif/open-1/search/1?q=" + LONG,
    "/iiif/open-1/search/2?q=a&page=%E2%91%A0",
    "/iiif/open-1/search/3?q=a",
    "/iiif/open-1/search/99999999999999999999?q=a",
    "/iiif/open-1/autocomplete/1?q=%00",
    "/iiif/closed-1/search/1?q=a",
    "/iiif/reader-1/autocomplete/2?q=a",
    "/iiif/" + LONG + "/search/1?q=a",
]


@pytest.fixture
def populated(store, tmp_path):
    image = make_image(tmp_path, 300, 400)
    page = PageInput(image_path=image, width=300, height=400, label="1")
    with store.session() as s:
        for item_id, access in (("open-1", "open"), ("closed-1", "restricted"),
                                ("reader-1", "readers")):
            upsert_item(s, ItemInput(item_id, (DCValue("title", f"Sách {item_id}", "vi"),),
                                     access=access, pages=(page,)), store.settings.data_path)
    return store


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_get_is_answered_without_a_server_error(client, populated, url):
    response = client.get(url)
    assert response.status_code < 500, response.data[:300]
    assert b"Traceback" not in response.data


@pytest.mark.parametrize("body", [b"\xff\xfe\x00verb=Identify", b"verb=" + b"%" * 5000,
                                  b"verb=ListRecords&metadataPrefix=oai_dc&set=\x00"])
def test_hostile_oai_post_is_an_oai_answer(client, populated, body):
    response = client.post("/oai", data=body,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert b"<error" in response.data or b"<OAI-PMH" in response.data


@pytest.mark.parametrize("item_id", ["closed-1", "reader-1"])
@pytest.mark.parametrize("suffix", ["/info.json", "/full/max/0/default.jpg",
                                    "/0,0,100,100/50,/0/default.png"])
def test_images_of_non_open_items_are_refused_to_anonymous_readers(client, populated, item_id,
                                                                    suffix):
    response = client.get(f"/iiif/image/{item_id}~p0001{suffix}")
    assert response.status_code == 401
    assert not response.data.startswith((b"\xff\xd8", b"\x89PNG"))
    # a refused info.json is an info.json leading to sign-in: the size the public manifest
    # gives, and no tiles or sizes to fetch
    assert b'"tiles"' not in response.data and b'"sizes"' not in response.data
