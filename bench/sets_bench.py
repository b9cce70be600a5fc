"""Benchmark: the home page and the IIIF top collection of a store with many sets.

    .venv/bin/python bench/sets_bench.py [--sets 10000] [--requests 50]

Makes a store under bench/out/sets/ (SQLite) with N sets, a tenth of them top-level and the
rest one level below (each with one item filed in it, so every set has a count), and
measures in-process, through Flask's test client, GET / and GET /iiif/collection/top
(the first request of each renders or builds what the next ones reuse; the median, p95 and
p99 are of every request), after gc.freeze() as `thuvienso serve` does in each worker.
Prints Markdown and keeps the figures in bench/out/sets/results.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.manifest_bench import ms  # noqa: E402
from store.db import Store  # noqa: E402
from store.records import DCValue, ItemInput, SetInput  # noqa: E402
from store.settings import load_settings  # noqa: E402
from store.write.bulk import bulk_upsert  # noqa: E402
from store.write.items import upsert_set  # noqa: E402
from web.app import create_app  # noqa: E402

OUT = ROOT / "bench" / "out" / "sets"


def specs(count: int) -> list[str]:
    tops = max(1, count // 10)
    below = [f"bo-{n % tops:05d}:con-{n:05d}" for n in range(count - tops)]
    return [f"bo-{n:05d}" for n in range(tops)] + below


def fill(overrides: dict[str, str], count: int) -> None:
    store = Store(load_settings(overrides))
    all_specs = specs(count)
    with store.session() as session:
        for spec in all_specs:
            upsert_set(session, SetInput(spec, f"Bộ sưu tập {spec}"))
        bulk_upsert(session, [ItemInput(f"it-{n:05d}", (DCValue("title", f"Sách {n}"),),
                                        sets=(spec,)) for n, spec in enumerate(all_specs)],
                    store.settings.data_path)
    store.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    shutil.rmtree(OUT, ignore_errors=True)
    overrides = {"data_dir": str(OUT / "data"), "secret_key": "b" * 32}
    create_app(overrides)  # the schema
    fill(overrides, args.sets)
    client = create_app(overrides).test_client()
    gc.freeze()  # as web.serve does in each worker once the app is loaded
    results = {}
    for url in ("/", "/iiif/collection/top"):
        times = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        results[url] = ms(times)
    meta = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "sets": args.sets,
            "python": platform.python_version(), "machine": platform.machine()}
    (OUT / "results.json").write_text(json.dumps({"meta": meta, "results": results}, indent=1))
    print(f"{args.sets} sets, {meta['date']}, Python {meta['python']}\n")
    print("| request | n | median ms | p95 ms | p99 ms | max ms |\n| --- | --- | --- | --- | --- "
          "| --- |")
    for url, row in results.items():
        print(f"| GET {url} | {row['n']} | {row['median_ms']} | {row['p95_ms']} | "
              f"{row['p99_ms']} | {row['max_ms']} |")


if __name__ == "__main__":
    main()
