"""The demo collection: every manifest and collection is schema-valid, and the manifest links
that a harvester finds in oai_dc records (harvested with sickle) resolve to those manifests."""

from __future__ import annotations

import pytest
import requests

from store.ingest.demo import collection as demo
from tests.iiif.presentation_sample import schema_errors


@pytest.fixture
def demo_store(store):
    demo.build_demo(store, items=6, pages=2, seed=1)
    return store


def test_every_demo_manifest_and_collection_validates(client, demo_store):
    queue, collections, manifests = ["http://localhost/iiif/collection/top"], 0, set()
    while queue:
        doc = client.get(queue.pop().removeprefix("http://localhost")).get_json()
        assert schema_errors(doc) == [], doc["id"]
        collections += 1
        for ref in doc["items"]:
            if ref["type"] == "Collection":
                queue.append(ref["id"])
            else:
                manifests.add(ref["id"])
    assert collections > 1 and manifests
    for url in sorted(manifests):
        response = client.get(url.removeprefix("http://localhost"))
        assert response.status_code == 200
        doc = response.get_json()
        assert schema_errors(doc) == [], url
        assert doc["items"] and doc["homepage"][0]["id"].endswith(
            "/items/" + url.split("/")[-2])


def test_harvested_oai_dc_manifest_links_resolve(live_server, demo_store):
    from sickle import Sickle

    harvester = Sickle(f"{live_server.url}/oai")
    links = set()
    for record in harvester.ListRecords(metadataPrefix="oai_dc", ignore_deleted=True):
        for values in record.metadata.values():
            links.update(v for v in values if v and v.endswith("/manifest"))
    assert links
    for url in sorted(links):
        assert url.startswith(live_server.url)
        response = requests.get(url, timeout=10)
        assert response.status_code == 200, url
        assert schema_errors(response.json()) == []
