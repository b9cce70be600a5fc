"""`thuvienso harvest` against recorded responses of untidy providers, served locally; and a
harvest whose store stops answering midway, which stops and resumes where its store stopped."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from lxml import etree

from oai import harvest_http
from oai.harvest import HarvestError, run_harvest
from store.ingest import batch
from store.ingest.harvest_state import HarvestPosition, read_position, save_position
from store.read.queries import get_item, list_sets
from tests.faults import assert_stopped_on_store_fault
from tests.store.ingest.helpers import CutAfter, contents, gone, outage, reference_store
from web.cli import main

DATA = Path(__file__).resolve().parent.parent / "data" / "oai" / "providers"
Reply = tuple[int, dict[str, str], str]  # status, headers, file under DATA


class Provider:
    """A local HTTP server answering OAI-PMH requests from recorded files."""

    def __init__(self, route: Callable[[dict[str, str], int], Reply]) -> None:
        self.route = route
        self.requests: list[dict[str, str]] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                args = dict(parse_qsl(urlsplit(self.path).query))
                provider.requests.append(args)
                seen = sum(1 for r in provider.requests if r == args)
                status, headers, name = provider.route(args, seen)
                body = (DATA / name).read_bytes() if name else b""
                self.send_response(status)
                self.send_header("Content-Type", "text/xml; charset=utf-8")
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.url = f"http://127.0.0.1:{self.server.server_port}/cgi/oai2"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[dict[str, str], int], Reply]], Provider]]:
    started: list[Provider] = []

    def start(route):
        started.append(Provider(route))
        return started[-1]

    yield start
    for provider in started:
        provider.close()


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setattr(harvest_http, "FIRST_BACKOFF", 0.01)
    monkeypatch.setattr(harvest_http, "MAX_WAIT", 1.5)


def untidy(args: dict[str, str], seen: int) -> Reply:
    verb = args.get("verb")
    if verb == "Identify":
        return 200, {}, "untidy/identify.xml"
    if verb == "ListSets":
        return 200, {}, "untidy/listsets.xml"
    if args.get("resumptionToken") == "page2/oai_dc":
        if seen == 1:
            return 503, {"Retry-After": "1"}, ""
        return 200, {}, "untidy/listrecords-2.xml"
    if args.get("metadataPrefix") != "oai_dc":
        return 400, {}, "untidy/error-400.xml"
    if args.get("from") == "2025-03-04":
        return 200, {}, "untidy/listrecords-incremental.xml"
    if args.get("from"):
        return 404, {}, "untidy/norecords-404.xml"
    return 200, {}, "untidy/listrecords-1.xml"


def test_untidy_provider_is_harvested_incrementally(store, serve):
    provider = serve(untidy)
    summary = run_harvest(store, provider.url)
    assert (summary.imported, summary.updated, summary.deleted, summary.rejected) == (3, 1, 0, 0)
    assert summary.unchanged == 1  # the deleted header: nothing here to delete
    assert any("keeps no deleted records" in p for p in summary.problems)
    with store.reading() as session:
        first = get_item(session, "1234")
        assert first is not None and first.title == "Lịch sử Nam Kỳ lục tỉnh (in lần 2)"
        assert first.sets == ("hist:viet",)
        assert get_item(session, "hdl-1765-308") is not None
        assert get_item(session, "theses-2003-07") is not None
        assert get_item(session, "999") is None
        assert {s.spec: s.name for s in list_sets(session)}["hist:viet"] == "Vietnamese history"
        state = read_position(session, provider.url, "oai_dc")
        assert state.last_response_date == "2025-03-04T10:00:02Z"
        assert state.resumption_token is None
    assert [r.get("resumptionToken") for r in provider.requests].count("page2/oai_dc") == 2

    again = run_harvest(store, provider.url)  # day granularity: from=2025-03-04
    assert provider.requests[-1] == {"verb": "ListRecords", "metadataPrefix": "oai_dc",
                                     "from": "2025-03-04"}
    assert (again.imported, again.deleted) == (0, 1)
    with store.reading() as session:
        assert get_item(session, "hdl-1765-308").deleted

    third = run_harvest(store, provider.url)  # noRecordsMatch sent with HTTP 404
    assert (third.imported, third.updated, third.deleted, third.rejected) == (0, 0, 0, 0)
    assert provider.requests[-1]["from"] == "2025-03-05"


def test_progress_is_told_after_each_page_with_the_list_size_the_provider_gives(store, serve):
    provider = serve(untidy)
    told = []
    run_harvest(store, provider.url, on_progress=lambda *args: told.append(args))
    assert told == [(provider.url, 3, 2), (provider.url, 5, None)]  # its size is wrong


def test_id_prefix_keeps_sources_apart(store, serve):
    provider = serve(untidy)
    run_harvest(store, provider.url, id_prefix="untidy-")
    with store.reading() as session:
        assert get_item(session, "untidy-1234") is not None
        assert get_item(session, "untidy-hdl-1765-308") is not None


def test_error_sent_with_http_400_is_one_clear_sentence(store, serve):
    provider = serve(untidy)
    with pytest.raises(HarvestError, match="cannotDisseminateFormat"):
        run_harvest(store, provider.url, metadata_prefix="mods")


def test_not_an_oai_endpoint(store, serve):
    provider = serve(lambda args, seen: (404, {}, "README.md"))
    with pytest.raises(HarvestError, match="HTTP 404"):
        run_harvest(store, provider.url)


def test_retries_are_bounded(store, serve, monkeypatch):
    monkeypatch.setattr(harvest_http, "RETRIES", 2)
    provider = serve(lambda args, seen: (503, {"Retry-After": "0"}, ""))
    with pytest.raises(HarvestError, match="HTTP 503"):
        run_harvest(store, provider.url)
    assert len(provider.requests) == 3


def test_resumes_after_a_failure_when_run_again(store, serve, monkeypatch):
    monkeypatch.setattr(harvest_http, "RETRIES", 1)
    broken = {"on": True}

    def route(args, seen):
        if args.get("resumptionToken") and broken["on"]:
            return 500, {}, ""
        return untidy(args, 2)

    provider = serve(route)
    with pytest.raises(HarvestError):
        run_harvest(store, provider.url)
    with store.reading() as session:
        state = read_position(session, provider.url, "oai_dc")
        assert state.resumption_token == "page2/oai_dc"
        assert state.last_response_date is None
        assert get_item(session, "hdl-1765-308") is not None  # page 1 is kept
    broken["on"] = False
    summary = run_harvest(store, provider.url)
    assert provider.requests[-1] == {"verb": "ListRecords", "resumptionToken": "page2/oai_dc"}
    assert summary.imported == 1 and summary.updated == 1
    with store.reading() as session:
        state = read_position(session, provider.url, "oai_dc")
        assert state.resumption_token is None
        assert state.last_response_date == "2025-03-04T10:00:02Z"


def test_expired_saved_token_starts_the_list_again(store, serve):
    def route(args, seen):
        if args.get("resumptionToken") == "stale":
            return 200, {}, "untidy/badtoken.xml"
        return untidy(args, 2)

    provider = serve(route)
    with store.session() as session:
        save_position(session, HarvestPosition(provider.url, "oai_dc", resumption_token="stale"))
    summary = run_harvest(store, provider.url)
    assert summary.imported == 3
    assert any("starting the list again" in p for p in summary.problems)


def test_marc21_keeps_the_original_record_and_takes_ids_from_headers(store, serve):
    def route(args, seen):
        if args["verb"] == "Identify":
            return 200, {}, "marc/identify.xml"
        if args["verb"] == "ListSets":
            return 404, {}, ""
        return 200, {}, "marc/listrecords.xml"

    provider = serve(route)
    summary = run_harvest(store, provider.url, metadata_prefix="marc21")
    assert (summary.imported, summary.rejected) == (2, 0)
    with store.reading() as session:
        item = get_item(session, "KOHA-OAI-TEST-17")
        assert item is not None and item.source_format == "marc"
        original = etree.fromstring(item.source_record.encode())
        assert original.xpath("//m:datafield[@tag='100']/m:subfield/text()",
                              namespaces={"m": "http://www.loc.gov/MARC21/slim"}) == [
            "Nguyễn, Văn Vĩnh."]
        assert item.title.startswith("Tiếu lâm An Nam")
        assert get_item(session, "KOHA-OAI-TEST-18") is not None


def test_a_harvest_with_until_resumes_from_that_until(store, serve):
    provider = serve(untidy)
    run_harvest(store, provider.url, until="2024-12-31")
    with store.reading() as session:
        assert read_position(session, provider.url, "oai_dc").last_response_date == "2024-12-31"
    run_harvest(store, provider.url)
    assert provider.requests[-1]["from"] == "2024-12-31"


def _cut_then_resume(runner, store, provider, tmp_path, recover) -> None:
    """The store stops answering when page 2 is written: the harvest stops with one sentence and
    exit 1, its position committed with page 1; once the store is back, the next run goes on
    from there and leaves the store as an uninterrupted harvest does."""
    cut = runner.invoke(main, ["harvest", provider.url])
    assert_stopped_on_store_fault(cut)

    recover()
    with store.reading() as session:
        position = read_position(session, provider.url, "oai_dc")
        assert position.resumption_token == "page2/oai_dc"
        assert position.last_response_date is None
        assert get_item(session, "hdl-1765-308") is not None  # page 1 is kept
        assert get_item(session, "theses-2003-07") is None  # page 2 is not
    again = runner.invoke(main, ["harvest", provider.url])
    assert again.exit_code == 0, again.output
    assert provider.requests[-1] == {"verb": "ListRecords", "resumptionToken": "page2/oai_dc"}
    assert again.stdout.strip() == "1 imported, 1 updated, 0 unchanged, 0 deleted, 0 rejected"
    with reference_store(tmp_path / "reference") as reference:
        whole = run_harvest(reference, provider.url)
        assert (whole.imported, whole.updated, whole.rejected) == (3, 1, 0)
        assert contents(store) == contents(reference)


def test_a_harvest_whose_store_stops_midway_exits_1_and_the_next_run_resumes(
        runner, store, serve, tmp_path, monkeypatch):
    cutter = CutAfter(1, gone)
    monkeypatch.setattr(batch, "bulk_upsert", cutter)
    _cut_then_resume(runner, store, serve(untidy), tmp_path, cutter.disarm)
    assert cutter.sizes == [2, 2]  # stopped at once, without a record-by-record retry


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_harvest_whose_postgresql_refuses_connections_midway_resumes(
        runner, store, serve, database_url, tmp_path):
    with outage(database_url) as down:
        started = []

        def route(args, seen):
            if args.get("resumptionToken") and not started:
                started.append(True)
                down.start()  # the store goes away while page 2 is on its way
            return untidy(args, seen)

        _cut_then_resume(runner, store, serve(route), tmp_path, down.end)
