"""Benchmark: our IIIF Image API against IIPImage on the same pyramidal TIFFs (loopback only).

    .venv/bin/python bench/image_bench.py [--rounds 3] [--seconds 6] [--scans 20]

Makes 20 distinct synthetic 6000x8000 scans, imports them into a store under bench/out/image/,
converts them to pyramids (our server's own files; IIPImage reads the same files through
symbolic links), then measures tiles/s and p50/p99 latency with 1, 4 and 32 concurrent
keep-alive clients for:
  (a) warm: the advertised tile grid of every image at every level, random order; ours after
      one pass (grid tiles are then files) vs IIPImage with its memory cache on and warmed;
  (a) cold: the same grid; ours with the grid files removed before each run and the response
      cache off vs IIPImage with its cache off;
  (b) random regions scaled to random widths, never the same twice; ours with the response
      cache off vs IIPImage with its cache off.
URLs have the form {x},{y},{w},{h}/{w},/0/default.jpg, valid for Image API 3.0 and 2.1.
Both servers get 2 workers; they run alternately, several rounds; medians and ratios are
printed as Markdown and kept in bench/out/image/results.json. Needs Debian's iipimage-server
and lighttpd (see ../shared/peers/iipimage.md).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pyvips  # noqa: E402

from bench.image_client import run_load, wait_for  # noqa: E402

W, H, TILE = 6000, 8000, 512
OUT = ROOT / "bench" / "out" / "image"
IIP_CONF = """var.d = env.IIP_DIR
var.port = env.IIP_PORT
server.modules        = ( "mod_fastcgi" )
server.bind           = "127.0.0.1"
server.port           = port
server.document-root  = d + "/images"
server.errorlog       = d + "/run/lighttpd-error.log"
server.pid-file       = d + "/run/lighttpd.pid"
fastcgi.server = ( "/iiif/" => ((
    "socket"          => d + "/run/iipsrv.sock",
    "bin-path"        => "/usr/lib/iipimage-server/iipsrv.fcgi",
    "max-procs"       => 2,
    "check-local"     => "disable",
    "bin-environment" => (
        "FILESYSTEM_PREFIX"    => d + "/images/",
        "URI_MAP"              => "iiif=>IIIF",
        "CORS"                 => "*",
        "JPEG_QUALITY"         => "85",
        "MAX_CVT"              => "5000",
        "MAX_IMAGE_CACHE_SIZE" => "%(cache)s",
        "MEMCACHED_SERVERS"    => "",
        "LOGFILE"              => d + "/run/iipsrv.log",
        "VERBOSITY"            => "0"
    )
)))
"""


# -- data ---------------------------------------------------------------------------------
def synthetic_scan(seed: int) -> pyvips.Image:
    """A book-page-like 6000x8000 colour scan: toned paper, lines of 'ink', fine noise."""
    paper = pyvips.Image.perlin(W, H, cell_size=512, uchar=True, seed=seed) * 0.15 + 200
    ink = pyvips.Image.perlin(W, H, cell_size=6, uchar=True, seed=seed + 1000) > 150
    xyz = pyvips.Image.xyz(W, H)
    x, y = xyz.extract_band(0), xyz.extract_band(1)
    lines = ((y % 60) < 30) & (x > 400) & (x < W - 400) & (y > 500) & (y < H - 500)
    grey = paper - (ink & lines).ifthenelse(150, 0) + pyvips.Image.gaussnoise(
        W, H, mean=0, sigma=2, seed=seed)
    return (grey.bandjoin([grey, grey]) * [1.0, 0.96, 0.88]).cast("uchar").copy(
        interpretation="srgb")


def prepare(out: Path, scans: int) -> list[tuple[str, str]]:
    """Scans, store, pyramids and IIPImage links; [(our image id, IIPImage id)]."""
    from iiif.image_request import Limits
    from iiif.image_service import ImageService
    from store.db import Store
    from store.read.queries import page_image
    from store.records import ItemInput, PageInput
    from store.schema.migrate import upgrade
    from store.settings import load_settings
    from store.write.items import upsert_item

    (out / "scans").mkdir(parents=True, exist_ok=True)
    settings = load_settings({"data_dir": str(out / "data"), "database_url": ""}, environ={})
    store = Store(settings)
    upgrade(store.engine)
    ids = []
    images = out / "iip" / "images"
    images.mkdir(parents=True, exist_ok=True)
    for n in range(scans):
        src = out / "scans" / f"scan{n:02d}.jpg"
        if not src.exists():
            print(f"  making {src.name}", flush=True)
            synthetic_scan(n).jpegsave(str(src), Q=90)
        item = f"bench-{n:02d}"
        with store.session() as session:
            upsert_item(session, ItemInput(item_id=item, pages=(PageInput(str(src), W, H),)),
                        settings.data_path)
        with store.reading() as session:
            page = page_image(session, f"{item}~p0001", settings)
        assert page is not None
        svc = ImageService(settings.data_path, Limits(1, 1, 1), 0, lambda _i: None)
        tif = svc.pyramid_of(page)
        link = images / f"scan{n:02d}.tif"
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(tif)
        ids.append((f"{item}~p0001", f"scan{n:02d}.tif"))
    store.dispose()
    return ids


def grid_requests(n_images: int) -> list[tuple[int, str]]:
    """Every tile of the advertised grid of every image: (image index, region/size part)."""
    out = []
    s = 1
    while True:
        span = TILE * s
        for y in range(0, H, span):
            for x in range(0, W, span):
                w, h = min(span, W - x), min(span, H - y)
                out.extend((i, f"{x},{y},{w},{h}/{math.ceil(w / s)},")
                           for i in range(n_images))
        if math.ceil(W / s) <= TILE and math.ceil(H / s) <= TILE:
            return out
        s *= 2


def region_requests(n_images: int, count: int, seed: int) -> list[tuple[int, str]]:
    """Random regions (64..4000 px a side) at random widths (32..1024, never upscaled)."""
    rng = random.Random(seed)
    seen: set[tuple[int, str]] = set()
    while len(seen) < count:
        w, h = rng.randint(64, 4000), rng.randint(64, 4000)
        x, y = rng.randint(0, W - w), rng.randint(0, H - h)
        sw = rng.randint(32, min(1024, w))
        seen.add((rng.randrange(n_images), f"{x},{y},{w},{h}/{sw},"))
    out = sorted(seen)
    rng.shuffle(out)
    return out


# -- servers ------------------------------------------------------------------------------
class Ours:
    name = "thuvienso"

    def __init__(self, out: Path, port: int, cache_bytes: int) -> None:
        self.out, self.port, self.cache_bytes = out, port, cache_bytes
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = os.environ | {"THUVIENSO_DATA_DIR": str(self.out / "data"),
                            "THUVIENSO_DATABASE_URL": "",
                            "THUVIENSO_IMAGE_CACHE_BYTES": str(self.cache_bytes)}
        log = open(self.out / "ours.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "thuvienso"), "serve", "--host", "127.0.0.1",
             "--port", str(self.port), "--workers", "2"], env=env, stdout=log, stderr=log,
            cwd=ROOT)
        wait_for("127.0.0.1", self.port, "/healthz")

    def stop(self) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(30)
            self.proc = None

    def path(self, ids: list[tuple[str, str]], index: int, part: str) -> str:
        return f"/iiif/image/{ids[index][0]}/{part}/0/default.jpg"


class IIP:
    name = "IIPImage"

    def __init__(self, out: Path, port: int, cache_mb: int) -> None:
        self.dir, self.port, self.cache_mb = out / "iip", port, cache_mb
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        (self.dir / "run").mkdir(parents=True, exist_ok=True)
        conf = self.dir / "iipimage-lighttpd.conf"
        conf.write_text(IIP_CONF % {"cache": self.cache_mb})
        env = os.environ | {"IIP_DIR": str(self.dir), "IIP_PORT": str(self.port)}
        log = open(self.dir / "run" / "lighttpd.out", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(["lighttpd", "-D", "-f", str(conf)], env=env,
                                     stdout=log, stderr=log)
        wait_for("127.0.0.1", self.port, "/iiif/scan00.tif/info.json")

    def stop(self) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(30)
            self.proc = None
            time.sleep(0.5)  # let lighttpd's iipsrv children go

    def path(self, ids: list[tuple[str, str]], index: int, part: str) -> str:
        return f"/iiif/{ids[index][1]}/{part}/0/default.jpg"


# -- the runs -----------------------------------------------------------------------------
def measure(server, ids, requests, concurrency, seconds, before=None) -> dict:  # type: ignore[no-untyped-def]
    if before:
        before()
    paths = [server.path(ids, i, part) for i, part in requests]
    result = run_load("127.0.0.1", server.port, paths, concurrency, seconds)
    print(f"    {server.name:9} c={concurrency:<2} {result['rate']:8.1f}/s  "
          f"p50 {result['p50_ms']:7.1f} ms  p99 {result['p99_ms']:7.1f} ms  "
          f"n={result['n']} errors={result['errors']}", flush=True)
    return result


def alternate(results, workload, pair, ids, make_requests, rounds, seconds, before=None):  # type: ignore[no-untyped-def]
    """Rounds x concurrencies, the two servers alternately (the first one swaps each round)."""
    for rnd in range(rounds):
        for conc in (1, 4, 32):
            requests = make_requests(rnd, conc)
            order = pair if rnd % 2 == 0 else pair[::-1]
            for server in order:
                hook = before if server.name == "thuvienso" else None
                r = measure(server, ids, requests, conc, seconds, hook)
                results.append({"workload": workload, "server": server.name,
                                 "concurrency": conc, "round": rnd, **r})


def summary(results: list[dict]) -> str:
    rows = ["| workload | clients | thuvienso tiles/s | p50 / p99 ms | IIPImage tiles/s | "
            "p50 / p99 ms | ratio |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for workload in dict.fromkeys(r["workload"] for r in results):
        for conc in (1, 4, 32):
            cell = {}
            for name in ("thuvienso", "IIPImage"):
                runs = [r for r in results if r["workload"] == workload and
                        r["server"] == name and r["concurrency"] == conc]
                if runs:
                    cell[name] = (statistics.median(r["rate"] for r in runs),
                                  statistics.median(r["p50_ms"] for r in runs),
                                  statistics.median(r["p99_ms"] for r in runs))
            if len(cell) < 2:
                continue
            (ra, a50, a99), (rb, b50, b99) = cell["thuvienso"], cell["IIPImage"]
            rows.append(f"| {workload} | {conc} | {ra:.0f} | {a50:.1f} / {a99:.1f} | {rb:.0f} | "
                        f"{b50:.1f} / {b99:.1f} | {ra / rb:.2f}× |")
    return "\n".join(rows)


def machine() -> dict:
    def sh(cmd: str) -> str:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()

    return {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "nproc": sh("nproc"), "free": sh("free -h | sed -n 2p"),
            "cpu": sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip(),
            "python": platform.python_version(),
            "libvips": ".".join(str(pyvips.version(i)) for i in range(3)),
            "iipimage": sh("dpkg-query -W -f '${Version}' iipimage-server"),
            "lighttpd": sh("dpkg-query -W -f '${Version}' lighttpd")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=6.0, help="length of each run")
    parser.add_argument("--scans", type=int, default=20)
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--skip", default="", help="comma list of: warm,cold,regions")
    args = parser.parse_args()
    args.out = args.out.resolve()
    if not shutil.which("lighttpd") or not Path("/usr/lib/iipimage-server/iipsrv.fcgi").exists():
        sys.exit("needs Debian's iipimage-server and lighttpd (apt-get install -y "
                 "--no-install-recommends iipimage-server lighttpd)")
    info = machine() | {"command": " ".join([Path(sys.executable).name, *sys.argv]),
                        "rounds": args.rounds, "seconds": args.seconds, "scans": args.scans}
    print(json.dumps(info, indent=1), flush=True)
    print("preparing scans, store and pyramids", flush=True)
    ids = prepare(args.out, args.scans)
    grid = grid_requests(len(ids))
    results: list[dict] = []
    skip = set(args.skip.split(","))

    def shuffled(rnd: int, conc: int) -> list[tuple[int, str]]:
        order = list(grid)
        random.Random(rnd * 100 + conc).shuffle(order)
        return order

    if "warm" not in skip:
        print("(a) warm: our grid files vs IIPImage's memory cache", flush=True)
        ours, iip = Ours(args.out, args.port, 2 * 1024**3), IIP(args.out, args.port + 1, 1500)
        try:
            ours.start()
            iip.start()
            for server, passes in ((ours, 1), (iip, 3)):
                for p in range(passes):
                    r = run_load("127.0.0.1", server.port,
                                 [server.path(ids, i, part) for i, part in shuffled(p, 99)],
                                 4, 3600, max_requests=len(grid))
                    print(f"  warm-up pass {p + 1} of {server.name}: {r['n']} tiles "
                          f"in {r['elapsed_s']:.0f} s, errors={r['errors']}", flush=True)
            alternate(results, "(a) grid, warm", (ours, iip), ids, shuffled, args.rounds,
                      args.seconds)
        finally:
            ours.stop()
            iip.stop()

    if not {"cold", "regions"} <= skip:
        ours, iip = Ours(args.out, args.port, 0), IIP(args.out, args.port + 1, 0)
        tiles = args.out / "data" / "iiif" / "tiles"
        try:
            ours.start()
            iip.start()
            if "cold" not in skip:
                print("(a) cold: grid files removed, no caches", flush=True)
                alternate(results, "(a) grid, cold", (ours, iip), ids, shuffled, args.rounds,
                          args.seconds, before=lambda: shutil.rmtree(tiles, ignore_errors=True))
            if "regions" not in skip:
                print("(b) random regions and sizes, no caches", flush=True)
                alternate(results, "(b) regions", (ours, iip), ids,
                          lambda rnd, conc: region_requests(len(ids), 20000, rnd * 100 + conc),
                          args.rounds, args.seconds)
        finally:
            ours.stop()
            iip.stop()

    table = summary(results)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps({"machine": info, "runs": results},
                                                      indent=1))
    (args.out / "summary.md").write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
