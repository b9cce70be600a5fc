"""Server CPU per request, in process: a warm grid tile of an open image and an OAI-PMH
ListRecords page, through the app's whole WSGI pipeline (no HTTP, no client), best of rounds.

    .venv/bin/python bench/request_cost_bench.py [--rounds 7] [--calls 2000]

It isolates what the web edge costs per request (routing, context, headers) from the HTTP stack
and the client, which dominate the image and OAI benchmarks on a 2-core machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyvips

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from store.db import Store  # noqa: E402
from store.records import DCValue, ItemInput, PageInput  # noqa: E402

try:
    from store.write.items import upsert_item  # noqa: E402
except ImportError:  # the flat store of before the house plan (for a same-run baseline)
    from store.write import upsert_item  # type: ignore[no-redef]  # noqa: E402
from web.app import create_app  # noqa: E402

TILE = "/iiif/image/bench~p0001/0,0,512,512/512,512/0/default.jpg"
OAI = "/oai?verb=ListRecords&metadataPrefix=oai_dc"


def environ(path: str) -> dict[str, Any]:
    path_info, _, query = path.partition("?")
    return {"REQUEST_METHOD": "GET", "PATH_INFO": path_info, "QUERY_STRING": query,
            "SERVER_NAME": "localhost", "SERVER_PORT": "80", "HTTP_HOST": "localhost",
            "wsgi.url_scheme": "http", "SERVER_PROTOCOL": "HTTP/1.1", "SCRIPT_NAME": "",
            "wsgi.input": None, "wsgi.errors": sys.stderr}


def call(app: Any, path: str) -> str:
    status = []
    body = app.wsgi_app(environ(path), lambda s, h, e=None: status.append(s))
    for _ in body:
        pass
    if hasattr(body, "close"):
        body.close()
    return status[0]


def per_call_us(app: Any, path: str, calls: int, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            call(app, path)
        best = min(best, (time.perf_counter() - start) / calls)
    return best * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        scan = Path(tmp) / "scan.jpg"
        pyvips.Image.black(2048, 2048).add(120).cast("uchar").jpegsave(str(scan))
        app = create_app({"data_dir": tmp, "secret_key": "b" * 32, "database_url": ""})
        store = Store(app.extensions["thuvienso"].settings) if "thuvienso" in app.extensions \
            else Store(app.config["THUVIENSO"])
        with store.session() as session:
            upsert_item(session, ItemInput(item_id="bench", pages=(PageInput(str(scan), 2048,
                        2048),), metadata=(DCValue("title", "Bench"),)), Path(tmp))
            for n in range(200):
                upsert_item(session, ItemInput(item_id=f"m{n:03d}",
                                               metadata=(DCValue("title", f"Sách {n}"),)),
                            Path(tmp))
        store.dispose()
        for path in (TILE, OAI):
            assert call(app, path).startswith("200"), path
        tile = per_call_us(app, TILE, args.calls, args.rounds)
        oai = per_call_us(app, OAI, args.calls // 10, args.rounds)
    print(f"warm grid tile: {tile:.1f} µs/request; ListRecords page of 100: {oai:.1f} µs/request")


if __name__ == "__main__":
    main()
