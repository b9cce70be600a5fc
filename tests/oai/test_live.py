"""Harvesting the running app over HTTP with sickle; every page is schema-validated."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sickle import Sickle
from sickle.oaiexceptions import NoRecordsMatch
from werkzeug.serving import make_server

from oai.harvest import run_harvest
from store.read.queries import get_item, list_sets
from tests.oai.conftest import N_ITEMS, Shared
from tests.oai.helpers import PREFIX
from tests.oai.schemas import assert_valid


class CheckingSickle(Sickle):
    """A sickle client that schema-validates every response it receives."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pages = 0

    def harvest(self, **kwargs):
        response = super().harvest(**kwargs)
        assert response.http_response.headers["Content-Type"] == "text/xml; charset=UTF-8"
        assert_valid(response.http_response.content)
        self.pages += 1
        return response


@dataclass
class Served:
    url: str
    shared: Shared


@pytest.fixture(scope="module")
def served(shared: Shared) -> Iterator[Served]:
    server = make_server("127.0.0.1", 0, shared.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Served(f"http://127.0.0.1:{server.server_port}/oai", shared)
    server.shutdown()
    thread.join(5)


def ids(records) -> list[str]:
    return [getattr(r, "header", r).identifier.removeprefix(PREFIX) for r in records]


@pytest.mark.parametrize("prefix", ["oai_dc", "marc21", "mods"])
def test_sickle_harvests_every_format_over_many_pages(served, prefix):
    client = CheckingSickle(served.url)
    records = list(client.ListRecords(metadataPrefix=prefix))
    cat = served.shared.catalogue
    assert ids(records) == cat.ids
    assert client.pages == 5
    assert {r.header.identifier.removeprefix(PREFIX) for r in records
            if r.header.deleted} == cat.deleted


@pytest.mark.parametrize("spec", ["sach", "sach:co", "bao", "bao:nam"])
def test_sickle_harvests_every_set(served, spec):
    client = CheckingSickle(served.url)
    assert set(ids(client.ListRecords(metadataPrefix="mods", set=spec))) == \
        served.shared.catalogue.sets[spec]
    assert set(ids(client.ListIdentifiers(metadataPrefix="oai_dc", set=spec))) == \
        served.shared.catalogue.sets[spec]


@pytest.mark.parametrize("frm, until", [("2024-01-02", "2024-01-05"),
                                        ("2024-01-02T12:00:00Z", "2024-01-09T18:00:00Z"),
                                        ("2024-01-10", None), (None, "2024-01-01")])
def test_sickle_harvests_from_until_windows(served, frm, until):
    client = CheckingSickle(served.url)
    args = {k: v for k, v in (("from", frm), ("until", until)) if v}
    cat = served.shared.catalogue

    def day_end(value):
        from datetime import datetime

        if "T" in value:
            return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
        return datetime.strptime(value, "%Y-%m-%d") + timedelta(days=1, seconds=-1)

    def day_start(value):
        from datetime import datetime

        fmt = "%Y-%m-%dT%H:%M:%SZ" if "T" in value else "%Y-%m-%d"
        return datetime.strptime(value, fmt)

    expected = [i for i in cat.ids if (not frm or cat.stamps[i] >= day_start(frm))
                and (not until or cat.stamps[i] <= day_end(until))]
    assert ids(client.ListRecords(metadataPrefix="oai_dc", **args)) == expected


def test_sickle_reads_the_other_verbs(served):
    client = CheckingSickle(served.url)
    assert client.Identify().repositoryName == "Thư viện số"
    assert [f.metadataPrefix for f in client.ListMetadataFormats()] == ["oai_dc", "marc21",
                                                                      "mods", "edm"]
    assert [s.setSpec for s in client.ListSets()] == ["bao", "bao:nam", "sach", "sach:co"]
    record = client.GetRecord(identifier=f"{PREFIX}tv-005", metadataPrefix="oai_dc")
    assert record.metadata["title"] == ["Tác phẩm số 5"]
    with pytest.raises(NoRecordsMatch):
        list(client.ListRecords(metadataPrefix="oai_dc", **{"from": "2030-01-01"}))


def test_harvest_own_oai_into_a_second_store(served, store, runner):
    summary = run_harvest(store, served.url)
    cat = served.shared.catalogue
    assert (summary.imported, summary.unchanged, summary.rejected) == (N_ITEMS - 4, 4, 0)
    with store.reading() as session:
        item = get_item(session, "tv-005")
        assert item is not None and item.title == "Tác phẩm số 5"
        assert "http://127.0.0.1" in " ".join(item.values("identifier"))  # manifest link
        assert get_item(session, "tv-003") is None  # deleted there, never seen here
        assert {s.spec for s in list_sets(session)} == set(cat.sets)
        assert {s.name for s in list_sets(session) if s.spec == "sach:co"} == {"Sách Hán Nôm"}
    again = runner.invoke(_cli(), ["harvest", served.url])
    assert again.exit_code == 0, again.output
    assert again.output.strip().endswith("0 imported, 0 updated, 0 unchanged, 0 deleted, "
                                         "0 rejected")


def test_harvest_own_oai_in_marc21_keeps_marc_records(served, store):
    summary = run_harvest(store, served.url, metadata_prefix="marc21", set_spec="sach")
    cat = served.shared.catalogue
    live = cat.sets["sach"] - cat.deleted
    assert summary.imported == len(live)
    with store.reading() as session:
        for item_id in live:
            item = get_item(session, item_id)
            assert item is not None and item.source_format == "marc"
        marc_item = get_item(session, sorted(cat.marc & live)[0])
        assert marc_item.title.startswith("Chương Dân thi thoại")


def _cli():
    from web.cli import main

    return main


