"""Load: many keep-alive clients sending a mix of requests to `thuvienso serve` for a while.

    .venv/bin/python bench/load_bench.py [--clients 64] [--seconds 60] [--items 120]
                                         [--database-url URL]

Makes a demo store under bench/out/load/ (SQLite unless --database-url), starts
`thuvienso serve --workers 2` on a loopback port and runs N client threads, each with its own
keep-alive session, for S seconds. Each request is drawn from a fixed mix: tiles and other
image requests, info.json, manifests, OAI-PMH list pages (first pages and next pages with
their tokens), GetRecord, the home page and searches. Reports errors (5xx or no answer),
other statuses, throughput, latency percentiles and each worker's resident memory at start
and end. Prints Markdown and keeps the figures in bench/out/load/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import requests
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "load"
EXE = Path(sys.executable).with_name("thuvienso")
OAI = "{http://www.openarchives.org/OAI/2.0/}"
MIX = [("tile", 30), ("image", 10), ("info", 12), ("manifest", 12), ("oai_first", 6),
       ("oai_next", 8), ("get_record", 6), ("home", 6), ("search", 10)]
WORDS = ["ha noi", "hai phong", "lich su", "van hoc", "bao", "truyen", "dia chi", "han nom"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def workers(master: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def catalogue(url: str) -> tuple[list[str], list[str]]:
    """Item ids with pages, and resumption tokens of the list (for next-page requests)."""
    ids, tokens, token = [], [], None
    while True:
        query = {"resumptionToken": token} if token else {"metadataPrefix": "oai_dc"}
        root = etree.fromstring(requests.get(url + "/oai", params={"verb": "ListIdentifiers",
                                                                   **query}, timeout=60).content)
        ids += [h.findtext(f"{OAI}identifier").rsplit(":", 1)[1]
                for h in root.iter(f"{OAI}header") if h.get("status") != "deleted"]
        token = root.findtext(f".//{OAI}resumptionToken")
        if not token:
            return ids, tokens
        tokens.append(token)


def request_for(kind: str, rng: random.Random, ids: list[str], tokens: list[str],
                manifests: dict[str, int]) -> str:
    item = rng.choice(ids)
    pages = manifests.get(item, 0)
    if kind in ("tile", "image", "info") and pages:
        image = f"/iiif/image/{item}~p{rng.randint(1, pages):04d}"
        if kind == "info":
            return image + "/info.json"
        if kind == "tile":
            return image + "/0,0,512,512/512,/0/default.jpg"
        return image + rng.choice(["/full/200,/0/default.jpg", "/full/max/0/default.jpg",
                                   "/pct:10,10,50,50/300,/0/gray.jpg"])
    if kind == "oai_next" and tokens:
        return f"/oai?verb=ListRecords&resumptionToken={requests.utils.quote(rng.choice(tokens))}"
    if kind in ("oai_first", "oai_next"):
        return "/oai?verb=ListRecords&metadataPrefix=" + rng.choice(["oai_dc", "marc21", "mods"])
    if kind == "get_record":
        return (f"/oai?verb=GetRecord&metadataPrefix=mods&identifier=oai:thuvienso.local:"
                f"{item}")
    if kind == "home":
        return "/"
    if kind == "search":
        return f"/search?q={rng.choice(WORDS)}"
    return f"/iiif/{item}/manifest"


def client(url: str, deadline: float, seed: int, ids: list[str], tokens: list[str],
           manifests: dict[str, int], out: list) -> None:  # type: ignore[type-arg]
    rng = random.Random(seed)
    kinds = [k for k, weight in MIX for _ in range(weight)]
    session = requests.Session()
    while time.monotonic() < deadline:
        kind = rng.choice(kinds)
        path = request_for(kind, rng, ids, tokens, manifests)
        started = time.perf_counter()
        try:
            status = session.get(url + path, timeout=60).status_code
        except requests.RequestException:
            status = 0
        out.append((kind, status, time.perf_counter() - started))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--items", type=int, default=120)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("THUVIENSO_")}
    env.update({"THUVIENSO_DATA_DIR": str(OUT / "data"), "THUVIENSO_OAI_PAGE_SIZE": "20"})
    if args.database_url:
        env["THUVIENSO_DATABASE_URL"] = args.database_url
    subprocess.run([str(EXE), "demo", "--items", str(args.items)], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    port = free_port()
    server = subprocess.Popen([str(EXE), "serve", "--port", str(port), "--workers", "2"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if requests.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        ids, tokens = catalogue(url)
        manifests = {}
        for item in ids:
            doc = requests.get(f"{url}/iiif/{item}/manifest", timeout=60)
            manifests[item] = len(doc.json()["items"]) if doc.status_code == 200 else 0
        pids = workers(server.pid)
        memory_start = {pid: rss_kb(pid) for pid in pids}
        results: list = []  # type: ignore[type-arg]
        deadline = time.monotonic() + args.seconds
        threads = [threading.Thread(target=client, args=(url, deadline, n, ids, tokens,
                                                          manifests, results))
                   for n in range(args.clients)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        memory_end = {pid: rss_kb(pid) if Path(f"/proc/{pid}").exists() else None
                      for pid in pids}
        alive_workers = workers(server.pid)
    finally:
        server.terminate()
        server.wait(20)
    times = sorted(t for _, _, t in results)
    statuses = Counter(status for _, status, _ in results)
    errors = sum(n for status, n in statuses.items() if status == 0 or status >= 500)
    pick = lambda q: round(times[min(len(times) - 1, int(q * len(times)))] * 1000, 1)  # noqa: E731
    figures = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "clients": args.clients,
        "seconds": round(elapsed, 1), "items": len(ids),
        "database": "PostgreSQL" if args.database_url else "SQLite",
        "requests": len(results), "errors": errors,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "per_second": round(len(results) / elapsed, 1),
        "median_ms": round(statistics.median(times) * 1000, 1), "p95_ms": pick(0.95),
        "p99_ms": pick(0.99), "max_ms": round(times[-1] * 1000, 1),
        "worker_rss_mb": {str(pid): [round(memory_start[pid] / 1024, 1),
                                     round(memory_end[pid] / 1024, 1)
                                     if memory_end[pid] is not None else None]
                          for pid in pids},
        "workers_replaced": sorted(set(pids) ^ set(alive_workers)) != [],
        "by_kind": {kind: len([1 for k, _, _ in results if k == kind]) for kind, _ in MIX},
        "python": platform.python_version(),
    }
    (OUT / "results.json").write_text(json.dumps(figures, indent=1))
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
