"""A hostile or broken provider stops a harvest with one clear sentence, within bounds, and
writes nothing half: a gzip bomb, a body trickled a byte at a time, non-ASCII digits."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from oai import harvest_http
from oai.harvest import HarvestError, run_harvest
from store.db import Store
from store.read.queries import stats

UNTIDY = Path(__file__).resolve().parent.parent / "data" / "oai" / "providers" / "untidy"
Send = Callable[[BaseHTTPRequestHandler, dict[str, str]], None]


def _send(handler: BaseHTTPRequestHandler, body: bytes, headers: dict[str, str] | None = None,
          status: int = 200) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", "text/xml; charset=utf-8")
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def _identify_then(list_records: Send) -> Send:
    """A provider whose Identify and ListSets are sound; ListRecords is `list_records`."""
    def answer(handler: BaseHTTPRequestHandler, args: dict[str, str]) -> None:
        if args.get("verb") == "Identify":
            _send(handler, (UNTIDY / "identify.xml").read_bytes())
        elif args.get("verb") == "ListSets":
            _send(handler, (UNTIDY / "listsets.xml").read_bytes())
        else:
            list_records(handler, args)
    return answer


@pytest.fixture
def provider() -> Iterator[Callable[[Send], str]]:
    servers: list[ThreadingHTTPServer] = []

    def start(answer: Send) -> str:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                answer(self, dict(parse_qsl(urlsplit(self.path).query)))

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads, server.block_on_close = True, False
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}/oai"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _item_count(store: Store) -> int:
    with store.reading() as session:
        return stats(session).items


@pytest.fixture
def small_limits(store, monkeypatch):
    monkeypatch.setattr(store, "settings", replace(store.settings, harvest_max_bytes=1 << 20,
                                                   harvest_timeout=1))
    monkeypatch.setattr(harvest_http, "FIRST_BACKOFF", 0.01)
    return store


def _gzip_bomb(handler: BaseHTTPRequestHandler, args: dict[str, str]) -> None:
    # 40 MB of spaces inside a valid-looking start: 40 kB on the wire
    head = (UNTIDY / "listrecords-1.xml").read_bytes()[:200]
    _send(handler, gzip.compress(head + b" " * (40 << 20), 9), {"Content-Encoding": "gzip"})


def _trickle(handler: BaseHTTPRequestHandler, args: dict[str, str]) -> None:
    body = (UNTIDY / "listrecords-1.xml").read_bytes()
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    for byte in body[:40]:  # bounded: 40 bytes, 2 s at most
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(0.05)


def test_a_gzip_bomb_is_refused_past_the_size_bound_and_nothing_is_written(small_limits,
                                                                          provider):
    url = provider(_identify_then(_gzip_bomb))
    with pytest.raises(HarvestError, match="larger than 1048576 bytes"):
        run_harvest(small_limits, url)
    assert _item_count(small_limits) == 0


def test_a_provider_trickling_bytes_is_stopped_at_the_request_timeout(small_limits, provider):
    url = provider(_identify_then(_trickle))
    started = time.monotonic()
    with pytest.raises(HarvestError, match="longer than 1 s"):
        run_harvest(small_limits, url)
    assert time.monotonic() - started < 1.9  # the trickle alone would take 2 s


def test_a_non_ascii_complete_list_size_is_ignored(small_limits, provider):
    body = (UNTIDY / "listrecords-2.xml").read_bytes().replace(
        b"</ListRecords>", '<resumptionToken completeListSize="²"/></ListRecords>'.encode())
    url = provider(_identify_then(lambda handler, args: _send(handler, body)))
    summary = run_harvest(small_limits, url)
    assert summary.imported > 0


def test_a_non_ascii_retry_after_falls_back_to_the_backoff(small_limits, provider):
    answers: list[int] = []

    def busy_once(handler: BaseHTTPRequestHandler, args: dict[str, str]) -> None:
        answers.append(1)
        if len(answers) == 1:
            _send(handler, b"", {"Retry-After": "²"}, 503)
        else:
            _send(handler, (UNTIDY / "listrecords-2.xml").read_bytes())

    summary = run_harvest(small_limits, provider(_identify_then(busy_once)))
    assert len(answers) == 2 and summary.imported > 0


def test_a_provider_that_hangs_up_midway_is_retried_then_one_sentence(small_limits, provider):
    cut_short: list[int] = []

    def hang_up(handler: BaseHTTPRequestHandler, args: dict[str, str]) -> None:
        cut_short.append(1)
        handler.send_response(200)
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        handler.wfile.write(b"<?xml version='1.0'?><OAI-PMH")  # then the connection closes
        handler.close_connection = True

    with pytest.raises(HarvestError, match="cannot reach"):
        run_harvest(small_limits, provider(_identify_then(hang_up)))
    assert len(cut_short) == harvest_http.CONNECT_RETRIES + 1
    assert _item_count(small_limits) == 0
