"""The full text on the web (both databases): portal results with snippets naming the page,
text views and the download, IIIF Content Search 1.0 and 2.0 checked for the specs' structure,
paging that ends, boxes inside the canvas; and the access rule of the images on every route."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import html

from store.records import ItemInput
from store.write.items import upsert_item
from tests.store.fulltext_sample import HEIGHT, WIDTH, page, populate
from tests.web.accounts_helpers import add, sign_in
from tests.web.test_auth import _token_page

pytestmark = pytest.mark.usefixtures("light_argon2")
HOSTILE = ['"', "*", "NEAR(a b)", "thu OR vien", "' OR 1=1 --", "\x00", "x" * 5000, "😀 )"]


@pytest.fixture
def sample(store, tmp_path_factory):
    populate(store, tmp_path_factory.getbasetemp() / "fulltext-images")
    return store


def results(client, **args):
    doc = html.fromstring(client.get("/search", query_string=args).data)
    return [(a.get("href"), " ".join(s.text_content().split()) if (s := a.getparent().find(
        "p[@class='snippet']")) is not None else None)
        for a in doc.xpath("//main//li[@class='hit']/a")]


def test_a_result_names_the_page_and_marks_the_words_with_their_marks(sample, client):
    doc = html.fromstring(client.get("/search?q=bach+dang").data)
    snippet = doc.xpath("//main//p[@class='snippet']")[0]
    assert snippet.xpath("a/@href") == ["/items/dia-chi-hai-phong?page=2"]
    assert snippet.xpath("a/text()") == ["trang 2"]
    assert snippet.xpath("mark/text()") == ["Bạch Đằng"]
    item = html.fromstring(client.get("/items/dia-chi-hai-phong?page=2").data)
    assert item.xpath("//div[@id='viewer']/@data-canvas") == [
        "http://localhost/iiif/dia-chi-hai-phong/canvas/p2"]


def test_a_description_gives_the_snippet_when_no_page_matched(sample, client):
    assert sorted(results(client, q="do son")) == [
        ("/items/dia-chi-hai-phong", "Khảo cứu về bãi biển Đồ Sơn và cảng."),
        ("/items/ky-su-do-son", "Những ngày ở Đồ Sơn.")]


def test_filters_and_the_count(sample, client):
    doc = html.fromstring(client.get("/search?q=so+tay&from=1900&to=2000").data)
    assert "Tìm thấy 1 tài liệu" in doc.xpath("//p[@class='summary']")[0].text_content()
    assert client.get("/search?q=so+tay&from=abc").status_code == 400


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_fail(sample, client, query):
    assert client.get("/search", query_string={"q": query}).status_code == 200
    for version in (1, 2):
        for kind in ("search", "autocomplete"):
            answer = client.get(f"/iiif/dia-chi-hai-phong/{kind}/{version}",
                                query_string={"q": query})
            assert answer.status_code == 200, (kind, version)


def test_page_text_view_reads_as_html_with_previous_and_next(sample, client):
    doc = html.fromstring(client.get("/items/dia-chi-hai-phong/pages/2/text").data)
    assert doc.xpath("//main//div[@class='text']/p/text()") == [
        "Lịch sử ghi trận Bạch Đằng năm 938 , Ngô Quyền thắng quân Nam Hán ."]
    assert doc.xpath("//main//a[@rel='prev']/@href") == ["/items/dia-chi-hai-phong/pages/1/text"]
    assert doc.xpath("//main//a[@rel='next']/@href") == ["/items/dia-chi-hai-phong/pages/3/text"]
    item = html.fromstring(client.get("/items/dia-chi-hai-phong").data)
    assert "/items/dia-chi-hai-phong/pages/1/text" in item.xpath("//a/@href")
    download = client.get("/items/dia-chi-hai-phong/text.txt")
    assert download.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "attachment" in download.headers["Content-Disposition"]
    assert "trận Bạch Đằng" in download.get_data(as_text=True)
    assert client.get("/items/dia-chi-hai-phong/pages/9/text").status_code == 404
    assert client.get("/items/khong-co/text.txt").status_code == 404


def _search(client, item_id, query, version=1, **args):
    answer = client.get(f"/iiif/{item_id}/search/{version}", query_string={"q": query, **args})
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    return answer.get_json()


def _inside(target: str) -> bool:
    _canvas, _, fragment = target.partition("#xywh=")
    x, y, w, h = (int(v) for v in fragment.split(","))
    return x >= 0 and y >= 0 and w > 0 and h > 0 and x + w <= WIDTH and y + h <= HEIGHT


def test_content_search_1_is_an_annotation_list_with_hits_and_boxes(sample, client):
    doc = _search(client, "dia-chi-hai-phong", "bach dang")
    assert doc["@type"] == "sc:AnnotationList"
    assert "http://iiif.io/api/search/1/context.json" in doc["@context"]
    assert doc["within"]["@type"] == "sc:Layer" and doc["within"]["total"] == 2
    assert "next" not in doc
    ids = {r["@id"] for r in doc["resources"]}
    for resource in doc["resources"]:
        assert resource["@type"] == "oa:Annotation"
        assert resource["resource"]["@type"] == "cnt:ContentAsText"
        assert resource["on"].startswith("http://localhost/iiif/dia-chi-hai-phong/canvas/p2#")
        assert _inside(resource["on"])
    assert [h["match"] for h in doc["hits"]] == ["Bạch", "Đằng"]
    assert all(set(h["annotations"]) <= ids and h["@type"] == "search:Hit" for h in doc["hits"])
    assert doc["hits"][0]["before"].endswith("trận ")
    assert "ignored" not in doc["within"]
    ignoring = _search(client, "dia-chi-hai-phong", "bach", user="u", motivation="sc:painting")
    assert ignoring["within"]["ignored"] == ["user"] and ignoring["within"]["total"] == 1
    assert _search(client, "dia-chi-hai-phong", "bach", motivation="commenting tagging")[
        "within"]["total"] == 0  # the page's words are painting annotations only
    phrase = _search(client, "dia-chi-hai-phong", '"bach dang"')
    assert [h["match"] for h in phrase["hits"]] == ["Bạch Đằng"]
    box = phrase["resources"][0]["on"].split("=")[1].split(",")
    assert int(box[2]) > 40  # the box around both words


def test_content_search_2_answers_as_the_final_spec_says(sample, client):
    doc = _search(client, "dia-chi-hai-phong", "truyen kieu", version=2)
    base = "http://localhost/iiif/dia-chi-hai-phong/search/2"
    assert doc["@context"] == "http://iiif.io/api/search/2/context.json"
    assert (doc["id"], doc["type"], doc["startIndex"]) == (
        f"{base}?q=truyen+kieu", "AnnotationPage", 0)
    assert doc["partOf"] == {"id": f"{base}?q=truyen+kieu", "type": "AnnotationCollection",
                             "total": 2,
                             "first": {"id": f"{base}?q=truyen+kieu", "type": "AnnotationPage"},
                             "last": {"id": f"{base}?q=truyen+kieu", "type": "AnnotationPage"}}
    assert "next" not in doc and "prev" not in doc and "ignored" not in doc
    for annotation in doc["items"]:
        assert set(annotation) == {"id", "type", "motivation", "body", "target"}
        assert (annotation["type"], annotation["motivation"]) == ("Annotation", "painting")
        assert annotation["body"]["type"] == "TextualBody"
        assert annotation["body"]["format"] == "text/plain"
        assert _inside(annotation["target"])
    assert [a["body"]["value"] for a in doc["items"]] == ["Truyện", "Kiều"]  # as stored, NFC
    (context,) = doc["annotations"]
    assert context["type"] == "AnnotationPage"
    quotes = context["items"]
    assert [q["target"]["source"] for q in quotes] == [a["id"] for a in doc["items"]]
    for quote in quotes:  # the match in its context: 4.3.1, `contextualizing`
        assert (quote["type"], quote["motivation"]) == ("Annotation", "contextualizing")
        assert quote["target"]["type"] == "SpecificResource"
        assert quote["id"] not in {a["id"] for a in doc["items"]}
    first, second = (q["target"]["selector"] for q in quotes)
    assert first == [{"type": "TextQuoteSelector", "exact": "Truyện",  # no prefix: page start
                      "suffix": " Kiều của Nguyễn Du được chép lại ở đây."}]
    assert second[0]["prefix"] == "Truyện " and second[0]["exact"] == "Kiều"
    ignoring = _search(client, "dia-chi-hai-phong", "zzz", version=2, user="x", date="y")
    assert ignoring["ignored"] == ["date", "user"] and ignoring["items"] == []
    assert "annotations" not in ignoring and ignoring["partOf"]["total"] == 0


def test_a_page_without_boxes_gives_the_whole_canvas(store, client, tmp_path):
    with store.session() as session:
        upsert_item(session, ItemInput("khong-hop", pages=(page(tmp_path, "chữ Hán Nôm"),)),
                    store.settings.data_path)
    doc = _search(client, "khong-hop", "han nom")
    assert [r["on"] for r in doc["resources"]] == ["http://localhost/iiif/khong-hop/canvas/p1"] * 2


@pytest.mark.parametrize("version", [1, 2])
def test_paging_follows_next_to_the_end(store, client, tmp_path, version):
    text = " ".join(["làng"] * 250)
    with store.session() as session:
        upsert_item(session, ItemInput("lang-lang", pages=(page(tmp_path, text, True),)),
                    store.settings.data_path)
    url, seen, pages = f"/iiif/lang-lang/search/{version}?q=lang", 0, 0
    while url:
        doc = client.get(url).get_json()
        pages += 1
        seen += len(doc["resources"] if version == 1 else doc["items"])
        total = doc["within"]["total"] if version == 1 else doc["partOf"]["total"]
        following = doc.get("next")
        url = (following if version == 1 else following["id"]) if following else None
        url = url and url.replace("http://localhost", "")
    assert (seen, total, pages) == (250, 250, 3)
    assert client.get(f"/iiif/lang-lang/search/{version}?q=lang&page=4").status_code == 404


def test_autocomplete_gives_words_with_counts(sample, client):
    one = client.get("/iiif/dia-chi-hai-phong/autocomplete/1?q=ng").get_json()
    assert one["@type"] == "search:TermList"
    assert {t["match"]: t["count"] for t in one["terms"]} == {"ngo": 1, "nguyen": 1}
    assert {t["match"]: t["label"] for t in one["terms"]} == {"ngo": "Ngô", "nguyen": "Nguyễn"}
    assert parse_qs(urlsplit(one["terms"][0]["url"]).query)["q"] in (["ngo"], ["nguyen"])
    two = client.get("/iiif/dia-chi-hai-phong/autocomplete/2?q=NG").get_json()
    assert two == {"@context": "http://iiif.io/api/search/2/context.json",
                   "id": "http://localhost/iiif/dia-chi-hai-phong/autocomplete/2?q=NG",
                   "type": "TermPage",  # Terms: `value` (usable as q), `total`, and `label`
                   "items": [{"value": "ngo", "total": 1, "label": {"none": ["Ngô"]}},
                             {"value": "nguyen", "total": 1, "label": {"none": ["Nguyễn"]}}]}
    ignoring = client.get("/iiif/dia-chi-hai-phong/autocomplete/2?q=ng&date=x&min=2")
    assert ignoring.get_json()["ignored"] == ["date"] and ignoring.get_json()["items"] == []
    assert client.get("/iiif/dia-chi-hai-phong/autocomplete/2?q=ng&motivation=painting"
                      ).get_json()["items"]
    assert client.get("/iiif/dia-chi-hai-phong/autocomplete/2?q=ng&motivation=commenting"
                      ).get_json()["items"] == []
    assert client.get("/iiif/dia-chi-hai-phong/autocomplete/1?q=ng&user=u").get_json()[
        "ignored"] == ["user"]
    assert client.get("/iiif/dia-chi-hai-phong/autocomplete/2?q=ng&min=1").get_json()["items"]
    assert client.get("/iiif/dia-chi-hai-phong/autocomplete/2?q=ng&min=x").status_code == 400


def _types(blocks) -> list[str]:
    return [b.get("type") or b.get("@type") for b in blocks]


def test_manifests_carry_both_search_services_only_with_text(sample, client):
    services = client.get("/iiif/dia-chi-hai-phong/manifest").get_json()["service"]
    assert _types(services) == ["SearchService2", "SearchService1"]
    assert "profile" not in services[0]
    assert services[1]["profile"] == "http://iiif.io/api/search/1/search"
    assert services[1]["service"] == [{
        "id": "http://localhost/iiif/dia-chi-hai-phong/autocomplete/1",
        "type": "AutoCompleteService1", "profile": "http://iiif.io/api/search/1/autocomplete"}]
    assert services[0]["service"] == [{
        "id": "http://localhost/iiif/dia-chi-hai-phong/autocomplete/2",
        "type": "AutoCompleteService2"}]  # an open item's: no auth services
    assert "service" not in client.get("/iiif/ky-su-do-son/manifest").get_json()


@pytest.mark.parametrize(("item_id", "login"), [("sach-ban-doc", True), ("sach-han-che", False)])
def test_search_services_of_non_open_text_carry_the_auth_services(sample, client, item_id,
                                                                  login):
    two, one = client.get(f"/iiif/{item_id}/manifest").get_json()["service"]
    probe = f"http://localhost/auth/2/probe/text/{item_id}"
    for service in (two, two["service"][0]):  # the search service and its autocomplete
        assert _types(service["service"])[-1] == "AuthProbeService2"
        block = service["service"][-1]
        assert block["id"] == probe
        assert _types(block["service"]) == ["AuthAccessService2"]
        assert _types(block["service"][0]["service"]) == ["AuthAccessTokenService2",
                                                          "AuthLogoutService2"]
    for service in (one, one["service"][0]):  # Auth 1.0: only where signing in opens it
        auth = [s for s in service.get("service", []) if s.get("@type") == "AuthCookieService1"]
        assert [s["profile"] for s in auth] == (["http://iiif.io/api/auth/1/login"] if login
                                                else [])
        assert all([t["profile"] for t in s["service"]] == [
            "http://iiif.io/api/auth/1/token", "http://iiif.io/api/auth/1/logout"] for s in auth)
        assert all("The text of this item" in s["description"] for s in auth)
    result = client.get(probe, query_string={"lang": "en"}).get_json()
    assert result["status"] == (401 if login else 403)
    assert "The text of this item" in result["note"]["en"][0]
    assert client.get("/auth/2/probe/text/khong-co").status_code == 404
    assert client.get("/auth/2/probe/text/~bad").status_code == 404


def test_tokens_of_the_token_services_open_the_search_as_the_session_does(app, sample,
                                                                            client):
    add(app)
    sign_in(client)
    token = client.get("/auth/1/token").get_json()["accessToken"]
    viewer = app.test_client()  # no cookie: the token only, as a viewer on another page sends
    url = "/iiif/sach-ban-doc/search/1?q=bimat"
    assert viewer.get(url).status_code == 401
    answer = viewer.get(url, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.get_json()["within"]["total"] == 1
    complete = viewer.get("/iiif/sach-ban-doc/autocomplete/2?q=bi",
                          headers={"Authorization": f"Bearer {token}"}).get_json()
    assert complete["items"] == [{"value": "bimat", "total": 1, "label": {"none": ["bímật"]}}]
    _response, _origin, message = _token_page(client, 2, "http://localhost")  # Auth 2.0's
    two = {"Authorization": f"Bearer {message['accessToken']}"}
    probe = viewer.get("/auth/2/probe/text/sach-ban-doc", headers=two).get_json()
    assert probe["status"] == 200
    assert viewer.get("/iiif/sach-ban-doc/search/2?q=bimat", headers=two).get_json()[
        "partOf"]["total"] == 1
    for bad in (token[:-2] + "xx", "x" * 5000, token + " extra", "", "😀"):
        refused = viewer.get(url, headers={"Authorization": f"Bearer {bad}"})
        assert refused.status_code == 401 and refused.get_json()["within"]["total"] == 0


TEXT_ROUTES = ("/items/{}/pages/1/text", "/items/{}/text.txt", "/iiif/{}/search/1?q=bimat",
               "/iiif/{}/search/2?q=bimat", "/iiif/{}/autocomplete/1?q=bi",
               "/iiif/{}/autocomplete/2?q=bi")


def _leaks(client, item_id: str) -> list[tuple[str, int]]:
    """Routes that answer 200 with the item's secret word in them."""
    out = []
    for route in TEXT_ROUTES:
        answer = client.get(route.format(item_id))
        body = answer.get_data(as_text=True)
        if answer.status_code == 200 and ("bímật" in body or "bimat" in body):
            out.append((route, answer.status_code))
    return out


def test_text_of_non_open_items_only_for_signed_in_readers_and_never_restricted(
        app, sample, client):
    assert _leaks(client, "sach-ban-doc") == []
    assert _leaks(client, "sach-han-che") == []
    assert client.get("/items/sach-ban-doc/pages/1/text").status_code == 401
    assert client.get("/items/sach-han-che/pages/1/text").status_code == 403
    assert all(s is None for _href, s in results(client, q="bimat"))
    add(app)
    sign_in(client)
    assert len(_leaks(client, "sach-ban-doc")) == len(TEXT_ROUTES)
    assert _leaks(client, "sach-han-che") == []
    assert results(client, q="bimat") == [("/items/sach-ban-doc", re.sub(
        r"\s+", " ", "trang 1: Một điều bímật của làng."))]
