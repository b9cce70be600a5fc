"""Two nodes, as behind a load balancer: two `thuvienso serve` on different loopback ports over
one PostgreSQL database and one data dir. A harvest whose pages alternate between them gets
exactly the records one node gives; a manifest built on one is served (and revalidated) by
the other; asked for one image's first tile at once, they convert it once and send the same
bytes; a reader signed in on one is signed in on the other, until the account is disabled."""

from __future__ import annotations

import re
import textwrap
import threading
from datetime import date
from pathlib import Path

import pytest
import pyvips
import requests
from lxml import etree

from store.db import Store
from store.records import DCValue, ItemInput, PageInput
from store.settings import load_settings
from store.write.bulk import bulk_upsert
from store.write.items import set_access
from store.write.readers import add_reader, disable_reader
from tests.conftest import _empty_postgres
from tests.web.test_serve import Served, start_server, stop_server
from web.app import create_app
from web.context import context_of

OAI = "{http://www.openarchives.org/OAI/2.0/}"
ITEMS = 25  # three pages of 10
BASE_URL = "http://127.0.0.1:8080"  # the load balancer's address, as both nodes are told
# Test-only instrumentation loaded by the nodes' Python (sitecustomize): each pyramid
# conversion is logged with the pid that made it.
SITECUSTOMIZE = """
    import os
    if os.environ.get("TVS_TEST_CONVERT_LOG"):
        import iiif.pyramid as pyramid
        _convert = pyramid.convert

        def convert(source, target):
            with open(os.environ["TVS_TEST_CONVERT_LOG"], "a") as log:
                log.write(f"{os.getpid()} {source}\\n")
            _convert(source, target)

        pyramid.convert = convert
"""


@pytest.fixture
def nodes(pg_url, tmp_path, monkeypatch):
    _empty_postgres(pg_url)
    overrides = {"database_url": pg_url, "data_dir": str(tmp_path / "shared-data"),
                 "secret_key": "two-nodes-share-this-secret-key-0123456789",
                 "oai_page_size": 10, "base_url": BASE_URL}
    app = create_app(overrides)  # the schema, then the items
    scan = tmp_path / "scan.png"
    pyvips.Image.black(3000, 2000).new_from_image([200, 180, 150]).cast("uchar") \
        .copy(interpretation="srgb").write_to_file(str(scan))
    store = context_of(app).store
    with store.session() as session:
        bulk_upsert(session, [
            ItemInput(f"tv-{n:03d}", (DCValue("title", f"Sách số {n}", "vi"),), sets=("sach",),
                      pages=(PageInput(str(scan), 3000, 2000, "1"),)) for n in range(ITEMS)],
            store.settings.data_path)
    store.dispose()
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(textwrap.dedent(SITECUSTOMIZE))
    log = tmp_path / "conversions.log"
    monkeypatch.setenv("PYTHONPATH", str(site))
    monkeypatch.setenv("TVS_TEST_CONVERT_LOG", str(log))
    started = [start_server(overrides), start_server(overrides)]
    try:
        yield started, log, overrides
    finally:
        for node in started:
            stop_server(node)


def _records(nodes: list[Served]) -> list[bytes]:
    """Every record of ListRecords, page after page, each page from the next node in turn."""
    records, token, turn = [], None, 0
    while True:
        query = {"resumptionToken": token} if token else {"metadataPrefix": "oai_dc"}
        response = requests.get(nodes[turn % len(nodes)].url + "/oai",
                                params={"verb": "ListRecords", **query}, timeout=30)
        root = etree.fromstring(response.content)
        records += [etree.tostring(r, method="c14n") for r in root.iter(f"{OAI}record")]
        token = root.findtext(f".//{OAI}resumptionToken")
        turn += 1
        if not token:
            return records


def test_two_nodes_over_one_database_and_one_data_dir_answer_as_one(nodes):
    (first, second), log, _ = nodes
    one_node = _records([first])
    assert len(one_node) == ITEMS
    assert _records([first, second]) == one_node
    assert _records([second, first]) == one_node

    manifest = "/iiif/tv-003/manifest"
    built = requests.get(first.url + manifest, timeout=30)
    served = requests.get(second.url + manifest, timeout=30)
    assert built.status_code == served.status_code == 200
    assert served.content == built.content and served.headers["ETag"] == built.headers["ETag"]
    assert built.json()["id"] == BASE_URL + manifest
    revalidated = requests.get(second.url + manifest, timeout=30,
                               headers={"If-None-Match": built.headers["ETag"]})
    assert revalidated.status_code == 304

    tile = "/iiif/image/tv-007~p0001/0,0,512,512/512,/0/default.jpg"
    bodies: list[bytes] = []
    barrier = threading.Barrier(2)

    def ask(node: Served) -> None:
        barrier.wait()
        response = requests.get(node.url + tile, timeout=60)
        assert response.status_code == 200
        bodies.append(response.content)

    threads = [threading.Thread(target=ask, args=(node,)) for node in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert len(bodies) == 2 and bodies[0] == bodies[1] and bodies[0][:2] == b"\xff\xd8"
    conversions = Path(log).read_text().splitlines()
    assert len(conversions) == 1, conversions  # one scan file behind every item's page


def test_a_reader_signed_in_on_one_node_reads_on_the_other_until_disabled(nodes):
    (first, second), _, overrides = nodes
    store = Store(load_settings(overrides))
    with store.session() as session:
        add_reader(session, "lan", "mật khẩu dài", date(2099, 12, 31))
        set_access(session, "tv-011", "readers")
    tile = "/iiif/image/tv-011~p0001/0,0,512,512/512,/0/default.jpg"
    reader = requests.Session()
    form = reader.get(first.url + "/login", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    signed_in = reader.post(first.url + "/login", timeout=30, allow_redirects=False,
                            data={"csrf_token": token.group(1), "login": "lan",
                                  "password": "mật khẩu dài"})
    assert signed_in.status_code == 303
    assert requests.get(second.url + tile, timeout=60).status_code == 401  # anonymous
    assert reader.get(second.url + tile, timeout=60).status_code == 200
    account = reader.get(second.url + "/account", timeout=30, allow_redirects=False)
    assert account.status_code == 200 and "lan" in account.text
    with store.session() as session:
        disable_reader(session, "lan")
    assert reader.get(first.url + tile, timeout=60).status_code == 401
    assert reader.get(second.url + tile, timeout=60).status_code == 401
    store.dispose()
