"""Benchmark: warm grid tiles for a signed-in reader on a `readers` item against the same tiles
of an open item, in the same run, over `thuvienso serve`; and sign-in latency.

    .venv/bin/python bench/auth_bench.py [--rounds 3] [--seconds 5] [--sign-ins 40]

One synthetic 6000x8000 scan (bench/image_bench.py's) is imported twice, as an `open` item and
as a `readers` item: the same pyramid, the same tile bytes, so the only difference is the
reader's session check (one indexed query a tile). A reader signs in through POST /login (its
CSRF token first); its session cookie goes with every readers tile. Both items' whole tile grids
are fetched once first (warm), then each round measures 1, 4 and 32 keep-alive clients on each
item alternately (bench/image_client.py). Sign-in: `--sign-ins` sequential POST /login with the
argon2 parameters in use (store.write.readers.HASHER), p50/p99. Prints Markdown; keeps
bench/out/auth/results.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.image_bench import H, W, grid_requests, machine, synthetic_scan  # noqa: E402
from bench.image_client import percentile, run_load, wait_for  # noqa: E402

OUT = ROOT / "bench" / "out" / "auth"
PORT = 8731
SECRET = "bench-secret-key-of-at-least-32-characters"
LOGIN, PASSWORD = "ban-doc", "mật khẩu của bạn đọc"
ITEMS = {"open": "open-00", "readers": "readers-00"}
TOKEN = re.compile(rb'name="csrf_token" value="([^"]+)"')


def prepare() -> dict[str, str]:
    """The store: one scan as an open and a readers item, and one reader account."""
    from store.db import Store
    from store.read.readers import get_reader
    from store.records import ItemInput, PageInput
    from store.schema.migrate import upgrade
    from store.settings import load_settings
    from store.write.items import upsert_item
    from store.write.readers import add_reader

    OUT.mkdir(parents=True, exist_ok=True)
    scan = OUT / "scan.jpg"
    if not scan.exists():
        synthetic_scan(0).jpegsave(str(scan), Q=90)
    settings = load_settings({"data_dir": str(OUT / "data"), "database_url": "",
                              "secret_key": SECRET}, environ={})
    store = Store(settings)
    upgrade(store.engine)
    with store.session() as s:
        for access, item in ITEMS.items():
            upsert_item(s, ItemInput(item_id=item, access=access,
                                     pages=(PageInput(str(scan), W, H),)), settings.data_path)
        if get_reader(s, LOGIN) is None:
            add_reader(s, LOGIN, PASSWORD, date(2099, 12, 31))
    store.dispose()
    return {access: f"{item}~p0001" for access, item in ITEMS.items()}


def serve() -> subprocess.Popen[bytes]:
    env = os.environ | {"THUVIENSO_DATA_DIR": str(OUT / "data"), "THUVIENSO_DATABASE_URL": "",
                        "THUVIENSO_SECRET_KEY": SECRET}
    log = open(OUT / "serve.log", "ab")  # noqa: SIM115
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "thuvienso"), "serve", "--host",
                             "127.0.0.1", "--port", str(PORT), "--workers", "2"],
                            env=env, stdout=log, stderr=log, cwd=ROOT)
    wait_for("127.0.0.1", PORT, "/healthz")
    return proc


def sign_in() -> tuple[str, float]:
    """One sign-in over HTTP: (the session cookie, seconds the POST took)."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    conn.request("GET", "/login")
    page = conn.getresponse()
    body, cookie = page.read(), page.getheader("Set-Cookie", "").split(";")[0]
    found = TOKEN.search(body)
    assert found, "no CSRF token on /login"
    form = urlencode({"csrf_token": found.group(1).decode(), "login": LOGIN,
                      "password": PASSWORD})
    t0 = time.perf_counter()
    conn.request("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded",
                                          "Cookie": cookie})
    answer = conn.getresponse()
    answer.read()
    took = time.perf_counter() - t0
    conn.close()
    assert answer.status == 303, f"sign-in answered {answer.status}"
    return answer.getheader("Set-Cookie", "").split(";")[0], took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--sign-ins", type=int, default=40)
    args = parser.parse_args()
    from store.write.readers import HASHER

    images = prepare()
    grid = grid_requests(1)
    paths = {access: [f"/iiif/image/{image}/{part}/0/default.jpg" for _, part in grid]
             for access, image in images.items()}
    proc = serve()
    try:
        cookie, _ = sign_in()
        headers = {"open": {}, "readers": {"Cookie": cookie}}
        for access in ("open", "readers"):  # warm: every grid tile once (pyramid, files)
            warm = run_load("127.0.0.1", PORT, paths[access], 4, 600,
                            max_requests=len(paths[access]), headers=headers[access])
            assert warm["errors"] == 0, f"warming {access}: {warm['errors']} errors"
        results = []
        for rnd in range(args.rounds):
            for conc in (1, 4, 32):
                order = ("open", "readers") if rnd % 2 == 0 else ("readers", "open")
                for access in order:
                    r = run_load("127.0.0.1", PORT, paths[access], conc, args.seconds,
                                 headers=headers[access])
                    assert r["errors"] == 0, f"{access} c={conc}: {r['errors']} errors"
                    print(f"  round {rnd} {access:7} c={conc:<2} {r['rate']:8.1f}/s  "
                          f"p50 {r['p50_ms']:6.2f} ms  p99 {r['p99_ms']:6.2f} ms", flush=True)
                    results.append({"access": access, "concurrency": conc, "round": rnd, **r})
        took = sorted(sign_in()[1] for _ in range(args.sign_ins))
    finally:
        proc.terminate()
        proc.wait(30)

    rows = ["| clients | open tiles/s | readers tiles/s (signed in) | ratio | open p50/p99 ms "
            "| readers p50/p99 ms |", "|---|---|---|---|---|---|"]
    for conc in (1, 4, 32):
        med = {a: {k: statistics.median(r[k] for r in results
                                        if r["access"] == a and r["concurrency"] == conc)
                   for k in ("rate", "p50_ms", "p99_ms")} for a in ("open", "readers")}
        rows.append(f"| {conc} | {med['open']['rate']:.0f} | {med['readers']['rate']:.0f} | "
                    f"{med['readers']['rate'] / med['open']['rate']:.2f}× | "
                    f"{med['open']['p50_ms']:.2f} / {med['open']['p99_ms']:.2f} | "
                    f"{med['readers']['p50_ms']:.2f} / {med['readers']['p99_ms']:.2f} |")
    sign_in_line = (f"Sign-in (POST /login, argon2id t={HASHER.time_cost}, "
                    f"m={HASHER.memory_cost} KiB, p={HASHER.parallelism}), {len(took)} "
                    f"sequential: p50 {percentile(took, 0.5) * 1000:.1f} ms, "
                    f"p99 {percentile(took, 0.99) * 1000:.1f} ms")
    print("\n".join(rows))
    print(sign_in_line)
    (OUT / "results.json").write_text(json.dumps(
        {"date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
         "args": vars(args), "runs": results, "sign_in_s": took}, indent=1))


if __name__ == "__main__":
    main()
