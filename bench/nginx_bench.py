"""Benchmark: warm grid tiles through nginx in front of the app (loopback, plain HTTP).

    .venv/bin/python bench/nginx_bench.py [--rounds 3] [--seconds 5] [--scans 4]

Scans of 6000x8000 (bench/image_bench.py's synthetic pages) are imported twice, as open items
and as readers-only items (the same scans, so the same pyramids). Debian's nginx runs the site
`thuvienso deploy nginx --plain-http` renders, with the app (THUVIENSO_NGINX=true, 2 workers)
on a Unix socket. Every grid tile is asked in Mirador's URL form
({x},{y},{w},{h}/{w},{h}/0/default.jpg, full/{w},{h}/0/default.jpg), random order, with
1, 4 and 32 keep-alive connections of wrk (Debian's `wrk`; bench/wrk_paths.lua), for:
  nginx open     open tiles through nginx: files of the direct tree, sent by nginx alone;
  nginx static   the very same files copied to a plain static root of the same nginx (the
                 physical limit here): the goal is nginx open >= 0.8x this;
  nginx reader   a signed-in reader's tiles, as a browser asks for them: with the day's pass
                 (its cookie came with the reader's first tile), nginx sends the files of the
                 readers tree alone (store.reader_passes); the goal is >= app open;
  reader no pass the same tiles with the session cookie only: every tile goes to the app, which
                 checks the session, then nginx sends the file (X-Accel-Redirect);
  app open       the app alone (no nginx, THUVIENSO_NGINX unset, 2 workers on a port) serving
                 the open tiles, as `thuvienso serve` does today;
  IIPImage       iipsrv behind lighttpd (2 processes, memory cache warmed), on the same
                 pyramids, its Image API 2.1 form {x},{y},{w},{h}/{w},/0/default.jpg.
Each is warmed by one pass over the grid (three for IIPImage), then they run alternately,
several rounds (`--kinds` picks some); medians, same-run ratios and the server's CPU time per
tile (its processes' user and system time, whatever else the machine does) are printed as
Markdown and kept in bench/out/nginx/. Needs Debian's nginx, wrk, iipimage-server and lighttpd.
"""

from __future__ import annotations

import argparse
import getpass
import json
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.image_bench import IIP, TILE, H, Ours, W, machine, prepare  # noqa: E402
from bench.image_client import run_load, wait_for  # noqa: E402

OUT = ROOT / "bench" / "out" / "nginx"
EXE = ROOT / ".venv" / "bin" / "thuvienso"
KINDS = ("nginx open", "nginx static", "nginx reader", "reader no pass", "app open", "IIPImage")


def grid_parts() -> list[str]:
    """Every tile of the advertised grid of one image, in Mirador's form (region/size)."""
    out, s = [], 1
    while True:
        span = TILE * s
        for y in range(0, H, span):
            for x in range(0, W, span):
                w, h = min(span, W - x), min(span, H - y)
                full = (w, h) == (W, H)
                region = "full" if full else f"{x},{y},{w},{h}"
                out.append(f"{region}/{math.ceil(w / s)},{math.ceil(h / s)}")
        if math.ceil(W / s) <= TILE and math.ceil(H / s) <= TILE:
            return out
        s *= 2


def settings_env(out: Path, nginx: bool) -> dict[str, str]:
    return os.environ | {"THUVIENSO_DATA_DIR": str(out / "data"), "THUVIENSO_DATABASE_URL": "",
                         "THUVIENSO_NGINX": "true" if nginx else "false",
                         "THUVIENSO_TRUSTED_PROXIES": "1" if nginx else "0"}


def readers_items(out: Path, count: int) -> None:
    """The same scans as readers-only items, and a reader to sign in."""
    from datetime import date as day

    from sqlalchemy import text

    from store.db import Store
    from store.records import ItemInput, PageInput
    from store.settings import load_settings
    from store.write.items import upsert_item
    from store.write.readers import add_reader

    settings = load_settings({"data_dir": str(out / "data"), "database_url": ""}, environ={})
    store = Store(settings)
    with store.session() as session:
        for n in range(count):
            upsert_item(session, ItemInput(item_id=f"doc-{n:02d}", access="readers",
                                           pages=(PageInput(str(out / "scans" /
                                                            f"scan{n:02d}.jpg"), W, H),)),
                        settings.data_path)
        if not session.execute(text("SELECT 1 FROM reader WHERE login = 'bench'")).first():
            add_reader(session, "bench", "mật khẩu dài của bench", day(2099, 12, 31))
    store.dispose()


def sign_in(port: int) -> str:
    """The session cookie of the bench reader, signed in through nginx."""
    import requests

    session = requests.Session()
    page = session.get(f"http://127.0.0.1:{port}/login", timeout=30)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "no CSRF token on /login"
    done = session.post(f"http://127.0.0.1:{port}/login", allow_redirects=False, timeout=60,
                        data={"csrf_token": token.group(1), "login": "bench",
                              "password": "mật khẩu dài của bench"})
    assert done.status_code == 303, done.status_code
    return f"session={session.cookies['session']}"


def reader_pass(port: int, cookie: str, path: str) -> str:
    """The pass cookie nginx's site gives with a reader's first readers tile."""
    import requests

    first = requests.get(f"http://127.0.0.1:{port}{path}", headers={"Cookie": cookie},
                         timeout=60)
    assert first.status_code == 200 and "thuvienso_pass" in first.cookies, first.headers
    return f"thuvienso_pass={first.cookies['thuvienso_pass']}"


def run_wrk(port: int, paths: list[str], concurrency: int, seconds: float,
            headers: dict[str, str], folder: Path) -> dict:
    """The paths GET in turn by wrk (C, an event loop per thread: the client costs little
    beside the servers on this machine), with `concurrency` keep-alive connections."""
    listing = folder / "paths.txt"
    listing.write_text("\n".join(paths) + "\n")
    threads = min(concurrency, 2)
    command = ["wrk", "-t", str(threads), "-c", str(concurrency), "-d", f"{round(seconds)}s",
               "--timeout", "10s", "-s", str(ROOT / "bench" / "wrk_paths.lua")]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, f"http://127.0.0.1:{port}", "--", str(listing),
                           str(threads)],
                          capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result | {"rate": result["n"] / result["elapsed_s"]}


def cpu_seconds(roots: list[int]) -> float:
    """User and system CPU time so far of the processes `roots` and all their descendants
    (the server's own cost, whatever else the machine is doing)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    wanted, total = set(roots), 0.0
    for pid in sorted(times):  # a child's pid is most often above its parent's
        if pid in wanted or parents.get(pid) in wanted:
            wanted.add(pid)
    for _ in range(3):  # deeper descendants (workers of a forked master), whatever their pid
        wanted |= {pid for pid, parent in parents.items() if parent in wanted}
    for pid in wanted:
        total += times.get(pid, 0.0)
    return total


class Front:
    """The app on a Unix socket and nginx with the rendered site (plus a static server)."""

    def __init__(self, out: Path, port: int, static_port: int) -> None:
        self.out, self.port, self.static_port = out, port, static_port
        self.run = out / "run"
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        self.run.mkdir(parents=True, exist_ok=True)
        sock = self.run / "app.sock"
        env = settings_env(self.out, nginx=True)
        log = open(self.run / "app.log", "ab")  # noqa: SIM115
        self.procs.append(subprocess.Popen([str(EXE), "serve", "--socket", str(sock),
                                            "--workers", "2"], env=env, stdout=log, stderr=log))
        site = subprocess.run([str(EXE), "deploy", "nginx", "--plain-http", "--listen",
                               f"127.0.0.1:{self.port}", "--socket", str(sock),
                               "--server-name", "127.0.0.1"], env=env, check=True,
                              capture_output=True, text=True).stdout
        (self.run / "site.conf").write_text(site)
        user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
        temp = " ".join(f"{k}_temp_path {self.run / k};"
                        for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (self.run / "nginx.conf").write_text(f"""{user}
worker_processes 2; daemon off; pid {self.run / 'nginx.pid'}; error_log {self.run / 'error.log'};
events {{ worker_connections 1024; }}
http {{ include /etc/nginx/mime.types; default_type application/octet-stream;
        access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000; {temp}
        include {self.run / 'site.conf'};
        server {{ listen 127.0.0.1:{self.static_port}; root {self.out / 'static'}; }} }}
""")
        self.procs.append(subprocess.Popen(["nginx", "-c", str(self.run / "nginx.conf"), "-e",
                                            str(self.run / "error.log")]))
        wait_for("127.0.0.1", self.port, "/healthz")

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.terminate()
            proc.wait(30)
        self.procs = []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5, help="length of each run")
    parser.add_argument("--scans", type=int, default=4)
    parser.add_argument("--port", type=int, default=8741)
    parser.add_argument("--kinds", default=",".join(KINDS),
                        help="which of them to run, comma-separated (all by default)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    kinds = [k for k in KINDS if k in args.kinds.split(",")]
    out = args.out.resolve()
    info = machine() | {"command": " ".join([Path(sys.executable).name, *sys.argv]),
                        "rounds": args.rounds, "seconds": args.seconds, "scans": args.scans,
                        "nginx": subprocess.run(["nginx", "-v"], capture_output=True,
                                                text=True).stderr.strip()}
    print(json.dumps(info, indent=1), flush=True)
    ids = prepare(out, args.scans)
    readers_items(out, args.scans)
    parts = grid_parts()
    front = Front(out, args.port, args.port + 1)
    alone = Ours(out, args.port + 2, 2 * 1024**3)  # the app alone: THUVIENSO_NGINX unset
    iip = IIP(out, args.port + 3, 1500)
    for tree in ("direct", "readers", "internal", "passes"):  # warm trees: by the warm-up below
        shutil.rmtree(out / "data" / "iiif" / tree, ignore_errors=True)

    def paths(kind: str, rnd: int, conc: int) -> list[str]:
        rows = [(n, p) for n in range(args.scans) for p in parts]
        random.Random(rnd * 100 + conc).shuffle(rows)
        if kind == "IIPImage":  # its 2.1 form: the size by width
            return [f"/iiif/{ids[n][1]}/{p.split('/')[0]}/{p.split('/')[1].split(',')[0]},"
                    "/0/default.jpg" for n, p in rows]
        item = "doc" if kind in ("nginx reader", "reader no pass") else "bench"
        prefix = "/static" if kind == "nginx static" else ""
        return [f"{prefix}/iiif/image/{item}-{n:02d}~p0001/{p}/0/default.jpg" for n, p in rows]

    results: list[dict] = []
    try:
        front.start()
        alone.start()
        if "IIPImage" in kinds:
            iip.start()
        cookie = sign_in(args.port)
        with_pass = f"{cookie}; {reader_pass(args.port, cookie, paths('nginx reader', 0, 0)[0])}"
        servers = {"nginx open": (args.port, {}), "nginx static": (args.port + 1, {}),
                   "nginx reader": (args.port, {"Cookie": with_pass}),
                   "reader no pass": (args.port, {"Cookie": cookie}),
                   "app open": (args.port + 2, {}), "IIPImage": (args.port + 3, {})}
        front_pids = lambda: [proc.pid for proc in front.procs]  # noqa: E731
        pids = {"nginx open": front_pids, "nginx static": front_pids,
                "nginx reader": front_pids, "reader no pass": front_pids,
                "app open": lambda: [alone.proc.pid] if alone.proc else [],
                "IIPImage": lambda: [iip.proc.pid] if iip.proc else []}
        for kind, passes in (("nginx open", 1), ("nginx reader", 1), ("app open", 1),
                             ("IIPImage", 3)):
            if kind not in kinds and not (kind == "nginx open" and "nginx static" in kinds):
                continue
            port, headers = servers[kind]
            for p in range(passes):
                todo = paths(kind, p, 99)
                r = run_load("127.0.0.1", port, todo, 4, 3600, max_requests=len(todo),
                             headers=headers)
                print(f"  warm-up {kind}: {r['n']} tiles in {r['elapsed_s']:.0f} s, "
                      f"errors={r['errors']}", flush=True)
        if "nginx static" in kinds:
            static = out / "static" / "static"
            shutil.rmtree(static, ignore_errors=True)
            shutil.copytree(out / "data" / "iiif" / "direct", static)  # the very same files
        for rnd in range(args.rounds):
            for conc in (1, 4, 32):
                order = kinds if rnd % 2 == 0 else kinds[::-1]
                for kind in order:
                    port, headers = servers[kind]
                    roots = pids[kind]()
                    before = cpu_seconds(roots)
                    r = run_wrk(port, paths(kind, rnd, conc), conc, args.seconds, headers,
                                out)
                    r["server_cpu_us"] = (cpu_seconds(roots) - before) / max(r["n"], 1) * 1e6
                    print(f"    {kind:12} c={conc:<2} {r['rate']:8.1f}/s  p50 "
                          f"{r['p50_ms']:6.2f} ms  p99 {r['p99_ms']:6.2f} ms  n={r['n']} "
                          f"errors={r['errors']}  server CPU {r['server_cpu_us']:.0f} µs/tile",
                          flush=True)
                    results.append({"kind": kind, "concurrency": conc, "round": rnd, **r})
    finally:
        iip.stop()
        alone.stop()
        front.stop()
    table = summary(results, kinds)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps({"machine": info, "runs": results}, indent=1))
    (out / "summary.md").write_text(f"{date.today()}\n\n{table}\n")
    print(table)


def summary(results: list[dict], kinds: list[str]) -> str:
    """Medians per kind and clients, and the ratios of the kinds that ran."""
    ratios = [(name, a, b) for name, a, b in (("open / static", "nginx open", "nginx static"),
                                              ("reader / app open", "nginx reader", "app open"),
                                              ("no pass / app open", "reader no pass",
                                               "app open"),
                                              ("open / IIPImage", "nginx open", "IIPImage"))
              if a in kinds and b in kinds]
    rows = ["| clients | " + " | ".join(f"{k} tiles/s (p50, server CPU/tile)" for k in kinds) +
            "".join(f" | {name}" for name, _a, _b in ratios) + " |",
            "| --- |" + " --- |" * (len(kinds) + len(ratios))]
    for conc in (1, 4, 32):
        rate = {k: statistics.median(r["rate"] for r in results
                                     if r["kind"] == k and r["concurrency"] == conc)
                for k in kinds}
        p50 = {k: statistics.median(r["p50_ms"] for r in results
                                    if r["kind"] == k and r["concurrency"] == conc)
               for k in kinds}
        cpu = {k: statistics.median(r.get("server_cpu_us", math.nan) for r in results
                                    if r["kind"] == k and r["concurrency"] == conc)
               for k in kinds}
        cells = " | ".join(f"{rate[k]:.0f} ({p50[k]:.2f} ms, {cpu[k]:.0f} µs)" for k in kinds)
        shares = "".join(f" | {rate[a] / rate[b]:.2f}×" for _name, a, b in ratios)
        rows.append(f"| {conc} | {cells}{shares} |")
    return "\n".join(rows)


if __name__ == "__main__":
    main()
