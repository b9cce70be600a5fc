"""Aggregator benchmark: a full EDM harvest against an oai_dc harvest of the same store, and a
full IIIF Change Discovery walk with its first and deepest pages.

    .venv/bin/python bench/aggregators_bench.py --records 100000 --databases sqlite

For each database: a store of N metadata-only demo items (`thuvienso demo --items N --pages 0`;
its own, never bench/oai_bench.py's databases, which other branches' code may use), served by
`thuvienso serve --workers 2`, harvested in full as oai_dc (the baseline) and as edm by the
same streaming client, alternately, best of --repeat; then a second store of N items with one
page each (written through the store's bulk writer, so each one adds its Create activity),
whose activity stream is walked from its first page to its last; and the first and the
deepest full page fetched --samples times each (median).
Figures go to bench/out/aggregators_bench.json; --write puts them in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime

import pyvips
import requests
import sqlalchemy
from oai_bench import (
    OUT,
    VENV,
    by_token,
    ensure_store,
    free_port,
    harvest,
    machine,
    pg_database,
    running,
)

WORK = OUT / "aggregators"
SECTION = "## Aggregators (EDM, Change Discovery)"


def harvests(base: str, repeat: int) -> dict[str, dict]:
    """Full ListRecords harvests in oai_dc and edm, alternately; the best run of each."""
    runs: dict[str, list[dict]] = {"oai_dc": [], "edm": []}
    for prefix in runs:  # warm-up, both
        harvest(f"{base}?verb=ListRecords&metadataPrefix={prefix}", by_token(base))
    for _ in range(repeat):
        for prefix in runs:
            runs[prefix].append(harvest(f"{base}?verb=ListRecords&metadataPrefix={prefix}",
                                        by_token(base)))
    return {prefix: max(found, key=lambda r: r["records_per_s"]) for prefix, found in runs.items()}


def fill_paged(env: dict[str, str], n: int) -> tuple[int, float]:
    """A store of N items with one page each, unless it has them; (activities, seconds)."""
    subprocess.run([VENV / "thuvienso", "init"], env=env, check=True, capture_output=True)
    engine = sqlalchemy.create_engine(env["THUVIENSO_DATABASE_URL"])
    with engine.connect() as conn:
        have = conn.exec_driver_sql("SELECT count(*) FROM activity").scalar() or 0
    engine.dispose()
    took = 0.0
    if have < n:
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--fill-paged", str(n)], env=env, check=True)
        took = time.perf_counter() - started
    engine = sqlalchemy.create_engine(env["THUVIENSO_DATABASE_URL"])
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE")
        have = conn.exec_driver_sql("SELECT count(*) FROM activity").scalar() or 0
    engine.dispose()
    return int(have), took


def _fill_paged_here(n: int) -> None:
    """(In a child process, with the store's environment.) Write N one-page items."""
    from store.db import Store
    from store.records import DCValue, ItemInput, PageInput
    from store.settings import load_settings
    from store.write.bulk import bulk_upsert
    from store.write.items import file_checksum

    store = Store(load_settings())
    image = store.settings.data_path / "bench-page.jpg"
    pyvips.Image.black(200, 300).write_to_file(str(image))
    page = PageInput(str(image), 200, 300, "1", checksum=file_checksum(image))
    for start in range(0, n, 1000):
        items = [ItemInput(f"trang-{k:07d}", (DCValue("title", f"Sách số {k}", "vi"),
                                               DCValue("language", "vie")), pages=(page,))
                 for k in range(start, min(n, start + 1000))]
        with store.session() as session:
            bulk_upsert(session, items, store.settings.data_path)
    store.dispose()


def get_ms(session: requests.Session, url: str) -> float:
    started = time.perf_counter()
    response = session.get(url, timeout=60)
    response.raise_for_status()
    response.json()
    return (time.perf_counter() - started) * 1e3


def discovery(base: str, samples: int) -> dict:
    """Walk the stream from its first page to its last; first and deepest full page times."""
    session = requests.Session()
    started = time.perf_counter()
    doc = session.get(f"{base}/iiif/discovery/activity", timeout=60).json()
    url, pages, activities = doc["first"]["id"], 0, 0
    while url:
        page = session.get(url, timeout=60).json()
        pages += 1
        activities += len(page["orderedItems"])
        url = page.get("next", {}).get("id")
    walk = time.perf_counter() - started
    first = f"{base}/iiif/discovery/activity/page/0"
    deepest = f"{base}/iiif/discovery/activity/page/{pages - 2}"  # the last full page
    timed: dict[str, list[float]] = {"first": [], "deepest": []}
    for _ in range(samples):  # alternately, so both see the same machine
        timed["first"].append(get_ms(session, first))
        timed["deepest"].append(get_ms(session, deepest))
    first_ms = statistics.median(timed["first"])
    deep_ms = statistics.median(timed["deepest"])
    return {"activities": activities, "pages": pages, "walk_seconds": round(walk, 3),
            "activities_per_s": round(activities / walk), "first_page_ms": round(first_ms, 2),
            "deepest_page_ms": round(deep_ms, 2), "deep_over_first": round(deep_ms / first_ms, 2)}


def own_env(kind: str, name: str) -> dict[str, str]:
    """The environment of a store of this benchmark's own (its databases are never another
    benchmark's, which may run other code: the schema here may be newer)."""
    data = WORK / f"{name}-{kind}"
    data.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{data / 'thuvienso.sqlite3'}" if kind == "sqlite" \
        else pg_database(f"thuvienso_aggregators_{name}")
    return {**os.environ, "THUVIENSO_DATA_DIR": str(data), "THUVIENSO_DATABASE_URL": url,
            "THUVIENSO_OAI_PAGE_SIZE": "100", "THUVIENSO_SECRET_KEY": "bench"}


def run_database(kind: str, n: int, repeat: int, samples: int) -> dict:
    env = own_env(kind, f"demo_{n}")
    items, fill_s = ensure_store(env, n)
    result: dict = {"database": kind, "items": items, "fill_seconds": round(fill_s, 1)}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = [VENV / "thuvienso", "serve", "--port", str(port), "--workers", "2"]
    with running(serve, env, f"{base}/oai?verb=Identify"):
        result.update(harvests(f"{base}/oai", repeat))
    if result["edm"]["records"] != result["oai_dc"]["records"]:  # every demo item is EDM
        raise RuntimeError(f"the edm harvest has {result['edm']['records']} records, oai_dc "
                           f"{result['oai_dc']['records']}: not the same records to compare")
    result["edm_over_oai_dc"] = round(result["edm"]["records_per_s"]
                                      / result["oai_dc"]["records_per_s"], 2)
    paged_env = own_env(kind, f"paged_{n}")
    activities, paged_s = fill_paged(paged_env, n)
    result["paged_fill_seconds"] = round(paged_s, 1)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = [VENV / "thuvienso", "serve", "--port", str(port), "--workers", "2"]
    with running(serve, paged_env, f"{base}/iiif/discovery/activity"):
        time.sleep(2.1)  # the last writes' second must be over to be shown
        result["discovery"] = discovery(base, samples)
    return result


def verdict(r: dict) -> str:
    missed = [name for name, met in (
        ("EDM ≥ 0.5× oai_dc", r["edm_over_oai_dc"] >= 0.5),
        ("deep ≤ 1.5× first", r["discovery"]["deep_over_first"] <= 1.5)) if not met]
    return "missed: " + ", ".join(missed) if missed else "all met"


def markdown(reports: list[dict]) -> str:
    lines = [SECTION, "",
             "A full `ListRecords` harvest in `edm` against one in `oai_dc` (the baseline) of",
             "the same store (`thuvienso demo --items N --pages 0`: metadata-only items, every",
             "live one disseminable as EDM), by the streaming client of bench/oai_bench.py",
             "against `thuvienso serve --workers 2`, alternately, best of the runs. Then IIIF",
             "Change Discovery over a store of N one-page items (one Create activity each):",
             "the walk from the first page to the last (1000 activities a page), and the",
             "first and the deepest full page, fetched alternately (median).",
             "Goals: EDM ≥ 0.5× the oai_dc records/s; deepest page ≤ 1.5× the first.", ""]
    for report in reports:
        lines += [f"Command: `{report['command']}`  ", f"Date: {report['date']}  ",
                  f"Machine: {report['machine']['cpu']}, {report['machine']['cores']} cores, "
                  f"Python {report['machine']['python']}; load average at start "
                  f"{report['load']} (other engineers' tests and benchmarks shared it)", "",
                  "| items | database | oai_dc rec/s | edm rec/s | edm ÷ oai_dc | discovery "
                  "walk activities/s | first page ms | deepest page ms | deep ÷ first | goals |",
                  "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|"]
        for r in report["results"]:
            d = r["discovery"]
            lines.append(
                f"| {r['items']:,} | {r['database']} | {r['oai_dc']['records_per_s']:,} | "
                f"{r['edm']['records_per_s']:,} | {r['edm_over_oai_dc']} | "
                f"{d['activities_per_s']:,} ({d['activities']:,} in {d['pages']} pages) | "
                f"{d['first_page_ms']} | {d['deepest_page_ms']} | {d['deep_over_first']} | "
                f"{verdict(r)} |")
        lines.append("")
    return "\n".join(lines)


def write_section(text: str) -> None:
    path = OUT.parent.parent / "BENCHMARKS.md"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == SECTION), None)
    if start is None:
        new = "\n".join(lines).rstrip("\n") + "\n\n" + text
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
                   len(lines))
        new = "\n".join(lines[:start]) + "\n" + text + "\n" + "\n".join(lines[end:])
    path.write_text(new.rstrip("\n") + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--write", action="store_true", help="put the run in BENCHMARKS.md")
    parser.add_argument("--fill-paged", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fill_paged:
        _fill_paged_here(args.fill_paged)
        return
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    results = []
    for kind in args.databases.split(","):
        result = run_database(kind, args.records, args.repeat, args.samples)
        print(json.dumps(result), flush=True)
        results.append(result)
    report = {"command": "python bench/aggregators_bench.py " + " ".join(sys.argv[1:]),
              "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
              "load": load, "results": results}
    OUT.mkdir(exist_ok=True)
    (OUT / "aggregators_bench.json").write_text(json.dumps(report, indent=1))
    print(markdown([report]))
    if args.write:
        write_section(markdown([report]))


if __name__ == "__main__":
    main()
