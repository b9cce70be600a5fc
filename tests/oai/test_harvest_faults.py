"""Faults under a harvest of a served node (`thuvienso serve` over PostgreSQL, loopback):
its database cut between two pages (every connection dropped, new ones refused, then allowed
again), and its workers killed between two pages. Our harvester and sickle both see the
node's answer (503 with Retry-After, or refused connections until gunicorn has started new
workers), retry with the same resumption token, and finish with every record exactly once."""

from __future__ import annotations

import os
import signal
import threading
import time
import types
from pathlib import Path

import pytest
import requests
from sickle import Sickle

from oai import harvest_http
from oai.harvest import run_harvest
from store.db import Store
from store.read.queries import stats
from store.records import DCValue, ItemInput
from store.write.bulk import bulk_upsert
from tests.conftest import _empty_postgres
from tests.store.ingest.helpers import outage
from tests.web.test_serve import start_server, stop_server
from web.app import create_app
from web.context import context_of

ITEMS = 35  # four pages of 10
OUTAGE = 1.5  # seconds the database refuses connections


@pytest.fixture
def node(pg_url, tmp_path):
    _empty_postgres(pg_url)
    overrides = {"database_url": pg_url, "data_dir": str(tmp_path / "node"),
                 "secret_key": "a-node-of-the-fault-tests-0123456789", "oai_page_size": 10}
    app = create_app(overrides)
    store = context_of(app).store
    with store.session() as session:
        bulk_upsert(session, [ItemInput(f"tv-{n:03d}", (DCValue("title", f"Sách {n}", "vi"),))
                              for n in range(ITEMS)], store.settings.data_path)
    store.dispose()
    served = start_server(overrides)
    try:
        yield served
    finally:
        stop_server(served)


@pytest.fixture
def harvester(tmp_path) -> Store:
    app = create_app({"data_dir": str(tmp_path / "harvester"), "secret_key": "h" * 32})
    return context_of(app).store


class AfterFirstPage:
    """Wraps the harvester's one request: after the first ListRecords page, `fault()` runs;
    every status seen, with its Retry-After, is kept."""

    def __init__(self, fault) -> None:  # type: ignore[no-untyped-def]
        self.fault, self.pages, self.seen = fault, 0, []
        self.real = harvest_http.Client._request

    def __call__(self, client, kwargs):  # type: ignore[no-untyped-def]
        response = self.real(client, kwargs)
        self.seen.append((response.status_code, response.headers.get("Retry-After")))
        if kwargs.get("verb") == "ListRecords" and response.status_code == 200:
            self.pages += 1
            if self.pages == 1:
                self.fault()
        return response


def _cut_database(pg_url: str, down):  # type: ignore[no-untyped-def]
    def fault() -> None:
        down.start()
        threading.Timer(OUTAGE, down.end).start()
    return fault


def _harvested_ids(store: Store) -> int:
    with store.reading() as session:
        return stats(session).items


def test_our_harvester_waits_out_a_database_cut_between_pages(node, harvester, pg_url,
                                                              monkeypatch):
    monkeypatch.setattr(harvest_http, "MAX_WAIT", 0.5)  # the node asks for 30 s
    with outage(pg_url) as down:
        wrapped = AfterFirstPage(_cut_database(pg_url, down))
        monkeypatch.setattr(harvest_http.Client, "_request",
                            lambda client, kwargs: wrapped(client, kwargs))
        summary = run_harvest(harvester, node.url + "/oai")
    assert (503, "30") in wrapped.seen
    assert (summary.imported, summary.rejected) == (ITEMS, 0)
    assert _harvested_ids(harvester) == ITEMS


def test_sickle_waits_out_a_database_cut_between_pages(node, pg_url, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr("sickle.app.time", types.SimpleNamespace(
        sleep=lambda seconds: (waits.append(seconds), time.sleep(0.5))))
    client = Sickle(node.url + "/oai", max_retries=8, timeout=30)
    with outage(pg_url) as down:
        records = client.ListRecords(metadataPrefix="oai_dc")
        ids = [next(records).header.identifier]
        _cut_database(pg_url, down)()
        ids += [record.header.identifier for record in records]
    assert waits and set(waits) == {30}  # Retry-After, honoured
    assert len(ids) == len(set(ids)) == ITEMS


def _workers(master: int) -> list[int]:
    return [int(pid) for pid in
            Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def test_workers_killed_under_a_harvest_are_survived_from_the_token(node, harvester,
                                                                     monkeypatch):
    monkeypatch.setattr(harvest_http, "FIRST_BACKOFF", 0.5)

    killed: list[int] = []

    def kill_the_workers() -> None:
        killed.extend(_workers(node.process.pid))
        for pid in killed:
            os.kill(pid, signal.SIGKILL)

    wrapped = AfterFirstPage(kill_the_workers)
    monkeypatch.setattr(harvest_http.Client, "_request",
                            lambda client, kwargs: wrapped(client, kwargs))
    summary = run_harvest(harvester, node.url + "/oai")
    assert (summary.imported, summary.rejected) == (ITEMS, 0)
    assert _harvested_ids(harvester) == ITEMS
    assert requests.get(node.url + "/healthz", timeout=10).status_code == 200
    assert len(killed) == 2 and not set(killed) & set(_workers(node.process.pid))


def test_a_worker_started_while_the_database_is_down_boots_and_answers_503(node, pg_url):
    """`serve` migrates before its workers start, so a worker (re)started during an outage
    boots without a query: the node answers 503 with Retry-After, then serves again."""
    with outage(pg_url) as down:
        down.start()
        first = _workers(node.process.pid)
        os.kill(first[0], signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            now = _workers(node.process.pid)
            if len(now) == 2 and first[0] not in now:
                break
            time.sleep(0.2)
        time.sleep(2)  # the new worker has booted (or failed to) by now
        answers = [requests.get(node.url + "/oai?verb=ListRecords&metadataPrefix=oai_dc",
                                timeout=10) for _ in range(8)]
        assert {(a.status_code, a.headers.get("Retry-After")) for a in answers} == {(503, "30")}
        assert node.process.poll() is None
    answer = requests.get(node.url + "/oai?verb=ListRecords&metadataPrefix=oai_dc", timeout=10)
    assert answer.status_code == 200
