"""Manifests: schema-valid, complete, linked to portal, OAI-PMH and collections; HTTP details."""

from __future__ import annotations

import pytest

from iiif.manifest import Services
from store.records import DCValue, ItemInput
from store.write.items import upsert_item
from tests.iiif.presentation_sample import make_image, populate, schema_errors
from web.app import create_app
from web.context import Hooks, context_of

BASE = "http://localhost"
JSON_LD = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'


@pytest.fixture
def sample(store, tmp_path_factory):
    return populate(store, tmp_path_factory.getbasetemp() / "sample-images")


def get_manifest(client, item_id):
    response = client.get(f"/iiif/{item_id}/manifest")
    assert response.status_code == 200, response.data
    return response.get_json()


def test_every_manifest_of_the_sample_validates_against_the_schema(client, sample):
    for item_id in sample:
        if item_id == "muc-luc-khong-anh":
            continue
        doc = get_manifest(client, item_id)
        assert schema_errors(doc) == [], item_id
        assert doc["items"], "a Manifest must have at least one Canvas"


def test_manifest_links_item_page_oai_records_and_set_collections(client, sample):
    doc = get_manifest(client, "thu-vien-ha-noi")
    assert doc["id"] == f"{BASE}/iiif/thu-vien-ha-noi/manifest"
    assert [h["id"] for h in doc["homepage"]] == [f"{BASE}/items/thu-vien-ha-noi"]
    assert doc["homepage"][0]["format"] == "text/html"
    oai = (f"{BASE}/oai?verb=GetRecord&metadataPrefix={{}}"
           "&identifier=oai:thuvienso.local:thu-vien-ha-noi")
    assert [(s["id"], s["format"], s["profile"]) for s in doc["seeAlso"]] == [
        (oai.format("oai_dc"), "application/xml", "http://www.openarchives.org/OAI/2.0/oai_dc/"),
        (oai.format("marc21"), "application/xml", "http://www.loc.gov/MARC21/slim"),
        (oai.format("mods"), "application/xml", "http://www.loc.gov/mods/v3")]
    assert doc["partOf"] == [{"id": f"{BASE}/iiif/collection/sach:lichsu", "type": "Collection",
                              "label": {"none": ["Lịch sử"]}}]


def test_manifest_labels_are_language_maps_with_vi_en_and_none(client, sample):
    doc = get_manifest(client, "thu-vien-ha-noi")
    assert doc["label"] == {"vi": ["Thư viện Hà Nội xưa"], "en": ["Old Hanoi libraries"]}
    assert doc["summary"] == {"vi": ["Ảnh chụp các thư viện cũ."]}
    fields = {m["label"]["en"][0]: m for m in doc["metadata"]}
    assert fields["Creator"] == {"label": {"vi": ["Tác giả"], "en": ["Creator"]},
                                 "value": {"none": ["Đặng Thai Mai"]}}
    assert fields["Subtitle"]["value"] == {"none": ["ký sự"]}
    assert doc["requiredStatement"]["label"] == {"vi": ["Ghi công"], "en": ["Attribution"]}
    assert set(doc["requiredStatement"]["value"]) == {"vi", "en"}
    assert get_manifest(client, "dia-chi-viet-nam")["label"] == {"none": ["Dia chi Viet Nam"]}


def test_titles_stored_decomposed_come_out_composed(client, sample):
    assert get_manifest(client, "truyen-kieu")["label"] == {"none": ["Truyện Kiều"]}


def test_manifest_rights_provider_behaviour_and_direction(client, sample):
    doc = get_manifest(client, "thu-vien-ha-noi")
    assert doc["rights"] == "http://creativecommons.org/publicdomain/mark/1.0/"
    assert doc["behavior"] == ["paged"]
    assert doc["viewingDirection"] == "left-to-right"
    [agent] = doc["provider"]
    assert agent["type"] == "Agent" and agent["homepage"][0]["id"] == f"{BASE}/"
    assert agent["logo"][0]["id"] == f"{BASE}/static/library-logo.svg"
    kieu = get_manifest(client, "truyen-kieu")
    assert kieu["viewingDirection"] == "right-to-left" and "rights" not in kieu
    assert "behavior" not in get_manifest(client, "dia-chi-viet-nam")


def test_one_canvas_per_page_painted_by_its_image_with_an_image_service(client, sample):
    doc = get_manifest(client, "thu-vien-ha-noi")
    assert len(doc["items"]) == 5
    for seq, canvas in enumerate(doc["items"], start=1):
        image_id = f"thu-vien-ha-noi~p{seq:04d}"
        assert (canvas["width"], canvas["height"]) == (600, 800)
        [page] = canvas["items"]
        [annotation] = page["items"]
        assert annotation["motivation"] == "painting"
        assert annotation["target"] == canvas["id"]
        body = annotation["body"]
        assert body["id"] == f"{BASE}/iiif/image/{image_id}/full/max/0/default.jpg"
        assert (body["type"], body["format"], body["width"], body["height"]) == (
            "Image", "image/jpeg", 600, 800)
        assert body["service"] == [{"id": f"{BASE}/iiif/image/{image_id}",
                                    "type": "ImageService3", "profile": "level2"}]
    assert [c["label"] for c in doc["items"]] == [{"none": [x]} for x in
                                                  ["Bìa", "1", "2", "Chương 1", "4"]]
    [thumb] = doc["thumbnail"]
    assert thumb["id"] == f"{BASE}/iiif/image/thu-vien-ha-noi~p0001/full/150,200/0/default.jpg"
    assert (thumb["width"], thumb["height"]) == (150, 200)
    assert thumb["service"][0]["type"] == "ImageService3"


def test_structures_come_from_page_labels_that_name_sections(client, sample):
    doc = get_manifest(client, "thu-vien-ha-noi")
    canvases = [c["id"] for c in doc["items"]]
    assert [(r["label"], [i["id"] for i in r["items"]]) for r in doc["structures"]] == [
        ({"none": ["Bìa"]}, canvases[0:3]), ({"none": ["Chương 1"]}, canvases[3:5])]
    assert "structures" not in get_manifest(client, "truyen-kieu")


def test_non_open_item_keeps_a_public_manifest_with_sizes_and_labels(client, sample):
    doc = get_manifest(client, "han-nom-han-che")
    assert [(c["width"], c["height"], c["label"]) for c in doc["items"]] == [
        (600, 800, {"none": ["1"]})]


@pytest.mark.parametrize("item_id, status", [
    ("da-xoa", 410),
    ("muc-luc-khong-anh", 404),
    ("khong-co", 404),
    ("-bad", 404),
    ("a" * 200, 404),
])
def test_deleted_is_gone_and_missing_manifests_are_not_found(client, sample, item_id, status):
    response = client.get(f"/iiif/{item_id}/manifest")
    assert response.status_code == status
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_etag_gives_304_and_changes_with_the_item(client, store, sample, tmp_path):
    first = client.get("/iiif/truyen-kieu/manifest")
    etag = first.headers["ETag"]
    again = client.get("/iiif/truyen-kieu/manifest", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    with store.session() as session:
        upsert_item(session, ItemInput("truyen-kieu", metadata=(DCValue("title", "Kiều", "vi"),),
                                       pages=first_pages(tmp_path)), store.settings.data_path)
    changed = client.get("/iiif/truyen-kieu/manifest", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()["label"] == {"vi": ["Kiều"]}


def first_pages(folder):
    from store.records import PageInput
    return (PageInput(make_image(folder, 200, 300), 200, 300, "1"),)


def test_cors_and_json_ld_content_type_when_asked(client, sample):
    plain = client.get("/iiif/truyen-kieu/manifest")
    assert plain.headers["Access-Control-Allow-Origin"] == "*"
    assert plain.mimetype == "application/json"
    ld = client.get("/iiif/truyen-kieu/manifest", headers={"Accept": "application/ld+json"})
    assert ld.headers["Content-Type"] == JSON_LD
    assert ld.headers["Vary"] == "Accept"
    with_profile = client.get("/iiif/truyen-kieu/manifest", headers={"Accept": JSON_LD})
    assert with_profile.headers["Content-Type"] == JSON_LD
    preflight = client.options("/iiif/truyen-kieu/manifest")
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"


def test_manifest_is_built_once_and_kept_on_disk_for_every_worker(app, client, sample):
    body = client.get("/iiif/truyen-kieu/manifest").data
    folder = context_of(app).store.settings.data_path / "cache" / "manifests" / "truyen-kieu"
    [kept] = list(folder.glob("*.json"))
    assert kept.read_bytes() == body
    other_worker = create_app(dict(context_of(app).store.settings.__dict__))
    try:
        assert other_worker.test_client().get("/iiif/truyen-kieu/manifest").data == body
    finally:
        context_of(other_worker).store.dispose()


def test_base_url_setting_is_used_for_every_id(settings_overrides, store, sample):
    proxied = create_app({**settings_overrides, "base_url": "https://lib.example.org/tvs/"})
    try:
        doc = proxied.test_client().get("/iiif/truyen-kieu/manifest",
                                        base_url="https://lib.example.org/").get_json()
    finally:
        context_of(proxied).store.dispose()
    assert doc["id"] == "https://lib.example.org/tvs/iiif/truyen-kieu/manifest"
    assert doc["homepage"][0]["id"] == "https://lib.example.org/tvs/items/truyen-kieu"
    assert schema_errors(doc) == []


def test_services_registered_by_later_features_reach_the_manifest_and_its_etag(
        settings_overrides, client, sample):
    before = client.get("/iiif/han-nom-han-che/manifest")
    login = {"id": f"{BASE}/login", "type": "AuthCookieService1",
             "profile": "http://iiif.io/api/auth/1/login"}
    hooks = Hooks(presentation_services=Services(image=lambda links, item, page: [login],
                                                 version="auth-1"))
    with_auth = create_app(settings_overrides, hooks)
    after = with_auth.test_client().get("/iiif/han-nom-han-che/manifest")
    context_of(with_auth).store.dispose()
    assert after.headers["ETag"] != before.headers["ETag"]
    body = after.get_json()["items"][0]["items"][0]["items"][0]["body"]
    assert body["service"][0]["service"] == [login]
