"""Collections: the set hierarchy as nested Collections, listing manifests with thumbnails."""

from __future__ import annotations

import pytest

from tests.iiif.presentation_sample import populate, schema_errors

BASE = "http://localhost"


@pytest.fixture
def sample(store, tmp_path_factory):
    return populate(store, tmp_path_factory.getbasetemp() / "sample-images")


def get(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.data
    return response.get_json()


def test_every_collection_validates_and_every_listed_manifest_resolves(client, sample):
    seen, queue = set(), [f"{BASE}/iiif/collection/top"]
    manifests = set()
    while queue:
        url = queue.pop()
        doc = get(client, url.removeprefix(BASE))
        assert schema_errors(doc) == [], url
        seen.add(url)
        for ref in doc.get("items", []):
            if ref["type"] == "Collection":
                queue.append(ref["id"])
            else:
                manifests.add(ref["id"])
    assert len(seen) == 5
    for url in manifests:
        assert schema_errors(get(client, url.removeprefix(BASE))) == []
    assert {u.split("/")[-2] for u in manifests} == set(sample) - {"muc-luc-khong-anh"}


def test_top_collection_lists_the_top_level_sets(client, sample):
    doc = get(client, "/iiif/collection/top")
    assert doc["id"] == f"{BASE}/iiif/collection/top"
    assert [(r["id"], r["type"], r["label"]) for r in doc["items"]] == [
        (f"{BASE}/iiif/collection/bando", "Collection", {"none": ["Bản đồ"]}),
        (f"{BASE}/iiif/collection/bao", "Collection", {"none": ["Báo chí"]}),
        (f"{BASE}/iiif/collection/sach", "Collection", {"none": ["Sách"]})]
    assert set(doc["label"]) == {"vi", "en"}


def test_set_collection_nests_subsets_then_lists_its_manifests(client, sample):
    doc = get(client, "/iiif/collection/sach")
    assert doc["label"] == {"none": ["Sách"]}
    assert doc["summary"] == {"none": ["Sách in và sách chép tay"]}
    assert doc["partOf"][0]["id"] == f"{BASE}/iiif/collection/top"
    assert [(r["type"], r["id"]) for r in doc["items"]] == [
        ("Collection", f"{BASE}/iiif/collection/sach:lichsu"),
        ("Manifest", f"{BASE}/iiif/han-nom-han-che/manifest"),
        ("Manifest", f"{BASE}/iiif/truyen-kieu/manifest")]  # not deleted, not without pages
    kieu = doc["items"][2]
    assert kieu["label"] == {"none": ["Truyện Kiều"]}
    [thumb] = kieu["thumbnail"]
    assert thumb["id"] == f"{BASE}/iiif/image/truyen-kieu~p0001/full/150,200/0/default.jpg"
    assert thumb["service"] == [{"id": f"{BASE}/iiif/image/truyen-kieu~p0001",
                                 "type": "ImageService3", "profile": "level2"}]
    sub = get(client, "/iiif/collection/sach:lichsu")
    assert sub["partOf"][0] == {"id": f"{BASE}/iiif/collection/sach", "type": "Collection",
                                "label": {"none": ["Sách"]}}
    assert [r["label"] for r in sub["items"]] == [
        {"vi": ["Thư viện Hà Nội xưa"], "en": ["Old Hanoi libraries"]}]


def test_unknown_set_is_not_found_and_etag_gives_304(client, sample):
    assert client.get("/iiif/collection/khong-co").status_code == 404
    first = client.get("/iiif/collection/bao")
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert len(first.get_json()["items"]) == 23
    again = client.get("/iiif/collection/bao", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
