"""Benchmark: serving a 1 000-canvas IIIF manifest, cold (built) against warm (kept).

    .venv/bin/python bench/manifest_bench.py [--canvases 1000] [--requests 300] [--rounds 5]

Makes a store under bench/out/manifest/ (SQLite) holding one item with N pages, starts
`thuvienso serve` (gunicorn, 2 workers) on a loopback port and measures with one keep-alive
client:
  cold  the first request after the item changed: stamp query, load of the item and its pages,
        build with iiif-prezi3, serialisation, atomic write to the disk cache (one per round;
        each round re-imports the item with a new title, so its datestamp and key change);
  warm  every later request (disk cache or the worker's small LRU);
  304   a revalidation with If-None-Match;
and, in-process through Flask's test client, warm with the in-memory LRU turned off (every
request reads the file that any worker wrote: nothing in a worker's memory is needed).
Prints Markdown and keeps the figures in bench/out/manifest/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pyvips  # noqa: E402
import requests  # noqa: E402

from store.db import Store  # noqa: E402
from store.records import DCValue, ItemInput, PageInput  # noqa: E402
from store.schema.migrate import upgrade  # noqa: E402
from store.settings import load_settings  # noqa: E402
from store.write.items import upsert_item  # noqa: E402

OUT = ROOT / "bench" / "out" / "manifest"
ITEM = "bench-1000"


def ms(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return {"n": len(ordered), "median_ms": round(statistics.median(ordered) * 1000, 2),
            "p95_ms": round(pick(0.95), 2), "p99_ms": round(pick(0.99), 2),
            "max_ms": round(ordered[-1] * 1000, 2)}


def put_item(store: Store, image: str, canvases: int, round_no: int) -> None:
    pages = tuple(PageInput(image_path=image, width=4000, height=6000, label=str(n),
                            checksum="0" * 64) for n in range(1, canvases + 1))
    item = ItemInput(ITEM, metadata=(DCValue("title", f"Công báo, tập {round_no}", "vie"),
                                     DCValue("creator", "Đặng Văn Ngữ")),
                     sets=("bench",), pages=pages, behavior="paged")
    with store.session() as session:
        upsert_item(session, item, store.settings.data_path)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return (f"{model}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"{platform.system()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--canvases", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    shutil.rmtree(OUT, ignore_errors=True)
    data = OUT / "data"
    data.mkdir(parents=True)
    image = str(OUT / "page.png")
    pyvips.Image.black(40, 60).write_to_file(image)
    settings = load_settings({"data_dir": str(data), "secret_key": "bench"}, environ={})
    store = Store(settings)
    upgrade(store.engine)

    port = free_port()
    env = {**os.environ, "THUVIENSO_DATA_DIR": str(data), "THUVIENSO_SECRET_KEY": "bench"}
    env.pop("THUVIENSO_DATABASE_URL", None)
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "thuvienso"), "serve", "--host",
                               "127.0.0.1", "--port", str(port), "--workers", "2"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/iiif/{ITEM}/manifest"
    http = requests.Session()
    try:
        for _ in range(100):
            try:
                http.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.1)
        cold, warm, revalidate = [], [], []
        size = 0
        for round_no in range(1, args.rounds + 1):
            put_item(store, image, args.canvases, round_no)
            start = time.perf_counter()
            first = http.get(url)
            cold.append(time.perf_counter() - start)
            assert first.status_code == 200 and len(first.json()["items"]) == args.canvases
            size = len(first.content)
            for _ in range(args.requests // args.rounds):
                start = time.perf_counter()
                response = http.get(url)
                warm.append(time.perf_counter() - start)
                assert response.status_code == 200 and response.content == first.content
            for _ in range(20):
                start = time.perf_counter()
                response = http.get(url, headers={"If-None-Match": first.headers["ETag"]})
                revalidate.append(time.perf_counter() - start)
                assert response.status_code == 304
    finally:
        server.terminate()
        server.wait(10)

    disk_only = in_process_disk_warm(data, args.requests, url.split(str(port), 1)[1])
    store.dispose()
    results = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
        "canvases": args.canvases, "manifest_bytes": size,
        "cold_http": ms(cold), "warm_http": ms(warm), "revalidate_304_http": ms(revalidate),
        "warm_in_process_disk_only": ms(disk_only),
    }
    results["cold_over_warm_median"] = round(results["cold_http"]["median_ms"]
                                             / results["warm_http"]["median_ms"], 1)
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    print(f"{args.canvases}-canvas manifest, {size} bytes; {results['machine']}; "
          f"{results['date']}\n")
    print("| request | n | median ms | p95 ms | p99 ms | max ms |")
    print("| --- | --- | --- | --- | --- | --- |")
    for key, name in (("cold_http", "cold: build + keep (gunicorn, HTTP)"),
                      ("warm_http", "warm (gunicorn, HTTP)"),
                      ("revalidate_304_http", "304 revalidation (gunicorn, HTTP)"),
                      ("warm_in_process_disk_only", "warm from disk, no LRU (Flask test client)")):
        r = results[key]
        print(f"| {name} | {r['n']} | {r['median_ms']} | {r['p95_ms']} | {r['p99_ms']} "
              f"| {r['max_ms']} |")
    print(f"\ncold / warm (medians): {results['cold_over_warm_median']}x")


def in_process_disk_warm(data: Path, count: int, path: str) -> list[float]:
    """Warm requests in-process with the in-memory LRU off: each one reads the cached file."""
    from dataclasses import replace

    from iiif.presentation_cache import DocumentCache
    from web.app import create_app
    from web.context import KEY, context_of

    app = create_app({"data_dir": str(data), "secret_key": "bench"})
    app.extensions[KEY] = replace(context_of(app), documents=DocumentCache(data / "cache",
                                                                           memory_bytes=0))
    client = app.test_client()
    assert client.get(path).status_code == 200
    times = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    context_of(app).store.dispose()
    return times


if __name__ == "__main__":
    main()
