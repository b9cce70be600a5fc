"""IIIF Change Discovery 1.0 at /iiif/discovery/activity: structure, order, paging, caching,
and an aggregator reading from `last` backwards while the catalogue changes misses nothing."""

from __future__ import annotations

import random
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import pyvips

import iiif.discovery
import web.discovery_routes
from store.records import DCValue, ItemInput, PageInput, utc_now
from store.write.items import delete_item, upsert_item

BASE = "http://localhost"


@pytest.fixture
def image(tmp_path) -> Path:
    path = tmp_path / "p.jpg"
    pyvips.Image.black(20, 30).write_to_file(str(path))
    return path


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(iiif.discovery, "PAGE_SIZE", 3)


@pytest.fixture
def settled_now(monkeypatch):
    """Every activity written so far counts as settled (its second long past)."""
    monkeypatch.setattr(web.discovery_routes, "utc_now", lambda: utc_now() + timedelta(seconds=5))


def _item(item_id: str, image: Path, title: str = "Sách", pages: int = 1) -> ItemInput:
    return ItemInput(item_id, (DCValue("title", title),),
                     pages=tuple(PageInput(str(image), 20, 30) for _ in range(pages)))


def _walk_forward(client) -> list[dict]:
    doc = client.get("/iiif/discovery/activity").get_json()
    items, url = [], doc.get("first", {}).get("id")
    while url:
        page = client.get(url.removeprefix(BASE)).get_json()
        items += page["orderedItems"]
        url = page.get("next", {}).get("id")
    return items


def test_changes_are_create_update_delete_activities_oldest_first(client, store, image,
                                                                   small_pages, settled_now):
    data = store.settings.data_path
    with store.session() as s:
        for n in range(4):
            upsert_item(s, _item(f"a{n}", image), data)
        upsert_item(s, ItemInput("no-pages", (DCValue("title", "x"),)), data)  # no manifest
    with store.session() as s:
        upsert_item(s, _item("a1", image, "Sửa"), data)
    with store.session() as s:
        delete_item(s, "a2")
    collection = client.get("/iiif/discovery/activity")
    assert collection.status_code == 200
    assert collection.content_type.startswith("application/ld+json")
    doc = collection.get_json()
    assert doc == {"@context": "http://iiif.io/api/discovery/1/context.json",
                   "id": f"{BASE}/iiif/discovery/activity", "type": "OrderedCollection",
                   "totalItems": 6,
                   "first": {"id": f"{BASE}/iiif/discovery/activity/page/0",
                             "type": "OrderedCollectionPage"},
                   "last": {"id": f"{BASE}/iiif/discovery/activity/page/1",
                            "type": "OrderedCollectionPage"}}
    activities = _walk_forward(client)
    assert [(a["type"], a["object"]["id"].split("/")[-2]) for a in activities] == [
        ("Create", "a0"), ("Create", "a1"), ("Create", "a2"), ("Create", "a3"),
        ("Update", "a1"), ("Delete", "a2")]
    assert all(a["object"]["type"] == "Manifest" for a in activities)
    stamps = [a["endTime"] for a in activities]
    assert stamps == sorted(stamps) and all(s.endswith("Z") and "T" in s for s in stamps)
    last = client.get("/iiif/discovery/activity/page/1").get_json()
    assert last["partOf"]["id"] == f"{BASE}/iiif/discovery/activity"
    assert last["prev"]["id"] == f"{BASE}/iiif/discovery/activity/page/0" and "next" not in last
    assert client.get("/iiif/discovery/activity/page/2").status_code == 404
    assert client.get("/iiif/discovery/activity/page/-1").status_code == 404
    assert client.get("/iiif/discovery/activity/page/99999999999999999999").status_code == 404


def test_a_full_page_is_final_and_cached_for_long_the_newest_is_not(client, store, image,
                                                                     small_pages, settled_now):
    with store.session() as s:
        for n in range(5):
            upsert_item(s, _item(f"b{n}", image), store.settings.data_path)
    full = client.get("/iiif/discovery/activity/page/0")
    newest = client.get("/iiif/discovery/activity/page/1")
    assert "immutable" in full.headers["Cache-Control"]
    assert newest.headers["Cache-Control"] == "public, no-cache"
    assert full.headers["Access-Control-Allow-Origin"] == "*"
    again = client.get("/iiif/discovery/activity/page/0",
                       headers={"If-None-Match": full.headers["ETag"]})
    assert again.status_code == 304
    with store.session() as s:  # the stream grows: the full page stays byte for byte
        upsert_item(s, _item("b9", image), store.settings.data_path)
    assert client.get("/iiif/discovery/activity/page/0").data == full.data


def test_the_top_collection_links_the_activity_stream(client):
    links = client.get("/iiif/collection/top").get_json()["seeAlso"]
    assert [(link["id"], link["type"]) for link in links] == [
        (f"{BASE}/iiif/discovery/activity", "Dataset")]


def test_activities_of_the_current_second_wait_until_it_is_over(client, store, image):
    with store.session() as s:
        upsert_item(s, _item("c0", image), store.settings.data_path)
    assert client.get("/iiif/discovery/activity").get_json()["totalItems"] == 0
    time.sleep(2.1)
    assert client.get("/iiif/discovery/activity").get_json()["totalItems"] == 1


class Writers:
    """Threads changing the catalogue at random, each change in its own transaction."""

    def __init__(self, store, image: Path, threads: int = 3) -> None:
        self.store, self.image = store, image
        self.stop = threading.Event()
        self.written: list[tuple[str, str]] = []  # (item id, kind), as committed
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(n,), daemon=True)
                        for n in range(threads)]

    def run(self, number: int) -> None:
        rng = random.Random(number)
        count = 0
        while not self.stop.is_set():
            item_id = f"w{number}-{rng.randint(0, 15)}"
            with self.store.session() as s:
                if rng.random() < 0.2:
                    done = delete_item(s, item_id)
                    kind = "Delete" if done else None
                else:
                    outcome = upsert_item(s, _item(item_id, self.image, f"v{count}"),
                                          self.store.settings.data_path)
                    kind = {"imported": "Create", "updated": "Update"}.get(outcome)
                    count += 1
            if kind:
                with self.lock:
                    self.written.append((item_id, kind))
            time.sleep(rng.random() * 0.05)

    def __enter__(self) -> Writers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(10)


Seen = tuple[str, int, str, str, str]  # page, position in it, type, item id, endTime


def _get(client, url: str) -> dict:
    """A page as an aggregator reads it: a 503 (a store busy under the writers) is retried."""
    for _ in range(20):
        response = client.get(url.removeprefix(BASE))
        if response.status_code != 503:
            break
        time.sleep(0.2)
    assert response.status_code == 200, (url, response.status_code, response.data[:300])
    return response.get_json()


def _activities(url: str, page: dict) -> list[Seen]:
    return [(url, n, a["type"], a["object"]["id"].split("/")[-2], a["endTime"])
            for n, a in enumerate(page["orderedItems"])]


def _read_back(client, stop_at: str | None) -> list[Seen]:
    """What an aggregator does: from `last` backwards, until an activity older than stop_at."""
    doc = _get(client, "/iiif/discovery/activity")
    url, found = doc.get("last", {}).get("id"), []
    while url:
        page = _get(client, url)
        for seen in reversed(_activities(url, page)):
            if stop_at is not None and seen[4] < stop_at:
                return found
            found.append(seen)
        url = page.get("prev", {}).get("id")
    return found


def _everything(client) -> list[Seen]:
    doc = _get(client, "/iiif/discovery/activity")
    url, found = doc.get("first", {}).get("id"), []
    while url:
        page = _get(client, url)
        found += _activities(url, page)
        url = page.get("next", {}).get("id")
    return found


def test_reading_from_last_backwards_misses_nothing_while_the_catalogue_changes(
        client, store, image, small_pages):
    seen: set[Seen] = set()
    pages_seen: dict[int, bytes] = {}
    stop_at = None
    with Writers(store, image) as writers:
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline:
            found = _read_back(client, stop_at)
            seen.update(found)
            if found:
                stop_at = max(a[4] for a in found)  # the newest it has processed
            for number in range(10**6):  # a full page never changes
                response = client.get(f"/iiif/discovery/activity/page/{number}")
                if response.status_code == 503:
                    break
                if response.status_code != 200 or "immutable" not in \
                        response.headers["Cache-Control"]:
                    break
                assert pages_seen.setdefault(number, response.data) == response.data
            time.sleep(0.3)
    time.sleep(2.2)  # let the last second settle, then one more read
    seen.update(_read_back(client, stop_at))
    everything = _everything(client)
    assert len(everything) > 50 and len(pages_seen) > 10
    assert set(everything) == seen, "the backward reads missed an activity"
    # every committed change is there once, in the order each item's changes were made
    assert sorted((item_id, kind) for _, _, kind, item_id, _ in everything) == \
        sorted(writers.written)
    for item_id in {i for i, _ in writers.written}:
        assert [k for _, _, k, i, _ in everything if i == item_id] == \
            [k for i, k in writers.written if i == item_id]
