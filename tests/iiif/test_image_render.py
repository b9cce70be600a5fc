"""Rendered pixels against reference crops made independently with pyvips on the source scan,
and the engine's files: pyramid, tile grid, response cache, concurrent first requests."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

import pytest
import pyvips

from iiif import pyramid
from iiif.access import ANONYMOUS
from iiif.image_cache import ResponseCache
from iiif.image_errors import IIIFError
from iiif.image_request import Limits
from iiif.image_service import ImageService
from store.links import Links
from store.records import PageImage

W, H = 1500, 1100  # not a multiple of the tile size; three pyramid levels
LIMITS = Limits(4000, 4000, 10_000_000)


def make_scan(path: Path, width: int = W, height: int = H) -> Path:
    """Sharp, position-revealing content: x and y ramps that wrap every 256 px."""
    xy = pyvips.Image.xyz(width, height)
    x, y = xy.extract_band(0), xy.extract_band(1)
    image = ((x % 256).bandjoin([y % 256, ((x // 256) * 40 + (y // 256) * 20) % 256]))
    image.cast("uchar").copy(interpretation="srgb").pngsave(str(path))
    return path


def page_for(path: Path, image_id: str = "scan~p0001", access: str = "open",
             width: int = W, height: int = H) -> PageImage:
    return PageImage(image_id=image_id, item_id="scan", access=access, image_path=str(path),
                     width=width, height=height, checksum=f"{image_id}-{width}x{height}",
                     datestamp=datetime(2024, 1, 2, 3, 4, 5))


def service_for(data: Path, page: PageImage, cache_bytes: int = 10**8) -> ImageService:
    return ImageService(data, LIMITS, cache_bytes, lambda i: page if i == page.image_id else None)


@pytest.fixture(scope="module")
def scan(tmp_path_factory) -> Path:
    return make_scan(tmp_path_factory.mktemp("src") / "scan.png")


@pytest.fixture(scope="module")
def svc(scan, tmp_path_factory) -> ImageService:
    return service_for(tmp_path_factory.mktemp("data"), page_for(scan))


def get(svc: ImageService, *params: str) -> bytes:
    return svc.image("scan~p0001", *params, Links("http://h"), ANONYMOUS).produce()


def decode(data: bytes) -> pyvips.Image:
    return pyvips.Image.new_from_buffer(data, "")


def diff(a: pyvips.Image, b: pyvips.Image) -> float:
    """The largest per-band mean absolute difference (JPEG pyramid + resampling: about 1-3)."""
    assert (a.width, a.height, a.bands) == (b.width, b.height, b.bands)
    delta = (a.cast("float") - b.cast("float")).abs()
    return max(delta.extract_band(n).avg() for n in range(a.bands))


@pytest.mark.parametrize("region, size, xywh, out", [
    ("full", "max", (0, 0, W, H), (W, H)),
    ("square", "max", (200, 0, 1100, 1100), (1100, 1100)),
    ("300,200,400,300", "max", (300, 200, 400, 300), (400, 300)),
    ("1300,1000,500,500", "max", (1300, 1000, 200, 100), (200, 100)),
    ("pct:10,20,30,40", "max", (150, 220, 450, 440), (450, 440)),
    ("300,200,400,300", "200,", (300, 200, 400, 300), (200, 150)),
    ("300,200,400,300", ",75", (300, 200, 400, 300), (100, 75)),
    ("300,200,400,300", "pct:25", (300, 200, 400, 300), (100, 75)),
    ("300,200,400,300", "300,100", (300, 200, 400, 300), (300, 100)),
    ("300,200,400,300", "!100,100", (300, 200, 400, 300), (100, 75)),
    ("full", "375,", (0, 0, W, H), (375, 275)),
    ("full", "!200,200", (0, 0, W, H), (200, 147)),
    ("100,100,50,40", "^200,", (100, 100, 50, 40), (200, 160)),
    ("100,100,50,40", "^max", None, None),
])
def test_region_and_size_match_a_reference_crop(svc, scan, region, size, xywh, out):
    got = decode(get(svc, region, size, "0", "default.png"))
    if xywh is None:
        assert got.width * got.height <= LIMITS.max_area and (got.width, got.height) == (3535, 2828)
        return
    x, y, w, h = xywh
    ref = pyvips.Image.new_from_file(str(scan)).crop(x, y, w, h)
    if (w, h) != out:
        ref = ref.resize(out[0] / w, vscale=out[1] / h)
    assert (got.width, got.height) == out
    assert diff(got, ref) < 4


def test_a_shifted_reference_would_be_caught(svc, scan):
    """The tolerance above is tight enough to see a crop off by a few pixels."""
    got = decode(get(svc, "300,200,400,300", "max", "0", "default.png"))
    ref = pyvips.Image.new_from_file(str(scan)).crop(305, 200, 400, 300)
    assert diff(got, ref) > 4


@pytest.mark.parametrize("rotation, transform", [
    ("90", lambda i: i.rot90()),
    ("180", lambda i: i.rot180()),
    ("270", lambda i: i.rot270()),
    ("!0", lambda i: i.fliphor()),
    ("!90", lambda i: i.fliphor().rot90()),
])
def test_rotation_and_mirroring_match_the_reference(svc, scan, rotation, transform):
    got = decode(get(svc, "300,200,400,300", "max", rotation, "default.png"))
    ref = transform(pyvips.Image.new_from_file(str(scan)).crop(300, 200, 400, 300))
    assert diff(got, ref) < 4


def test_arbitrary_rotation_gives_the_bounding_box_with_transparent_corners(svc):
    got = decode(get(svc, "0,0,400,300", "max", "30", "default.png"))
    assert abs(got.width - 496) <= 2 and abs(got.height - 460) <= 2
    assert got.bands == 4 and got.extract_band(3).getpoint(0, 0) == [0]


@pytest.mark.parametrize("quality, bands, check", [
    ("gray", 1, lambda i: i.max() > 200 and i.min() < 50),
    ("bitonal", 1, lambda i: set(i.cast("uchar").hist_find().tolist()[0]) and
     i.hist_find().crop(1, 0, 254, 1).max() == 0),
    ("color", 3, lambda i: True),
])
def test_qualities(svc, quality, bands, check):
    got = decode(get(svc, "300,200,400,300", "max", "0", f"{quality}.png"))
    assert got.bands == bands and check(got)


@pytest.mark.parametrize("fmt, loader", [
    ("jpg", "jpegload_buffer"), ("png", "pngload_buffer"), ("webp", "webpload_buffer"),
    ("tif", "tiffload_buffer"),
])
def test_formats_decode_as_what_they_claim(svc, fmt, loader):
    data = get(svc, "full", "200,", "0", f"default.{fmt}")
    assert decode(data).get("vips-loader") == loader.replace("_buffer", "_source") or \
        decode(data).get("vips-loader") == loader
    assert decode(data).width == 200


@pytest.mark.parametrize("a, b", [
    (("full", "max", "0", "default.jpg"), ("0,0,1500,1100", "1500,1100", "0", "color.jpg")),
    (("pct:0,0,50,50", "375,", "0", "default.png"), ("0,0,750,550", "!375,375", "0.0",
                                                     "default.png")),
    (("0,0,512,512", "512,", "0", "default.jpg"), ("0,0,512,512", "512,512", "0", "color.jpg")),
])
def test_canonical_and_equivalent_forms_give_the_same_bytes(svc, a, b):
    assert get(svc, *a) == get(svc, *b)


def test_grid_tiles_are_kept_as_files_for_good(scan, tmp_path):
    svc = service_for(tmp_path, page_for(scan), cache_bytes=0)
    first = get(svc, "1024,1024,476,76", "476,76", "0", "default.jpg")
    files = list((tmp_path / "iiif" / "tiles").rglob("*"))
    assert [f for f in files if f.is_file()]
    assert get(svc, "1024,1024,476,76", "476,76", "0", "default.jpg") == first
    assert not (tmp_path / "iiif" / "cache").exists() or \
        not [f for f in (tmp_path / "iiif" / "cache").rglob("*") if f.is_file()]


def test_other_responses_go_to_the_response_cache_only_when_it_is_on(scan, tmp_path):
    on = service_for(tmp_path / "on", page_for(scan))
    off = service_for(tmp_path / "off", page_for(scan), cache_bytes=0)
    assert get(on, "10,10,100,100", "50,", "0", "default.jpg") == \
        get(off, "10,10,100,100", "50,", "0", "default.jpg")
    assert [f for f in (tmp_path / "on" / "iiif" / "cache").rglob("*") if f.is_file()]
    assert not (tmp_path / "off" / "iiif" / "cache").exists()


def test_limits_and_bad_requests_are_refused_before_decoding(tmp_path):
    """The scan does not exist: a 400 proves nothing was read."""
    svc = service_for(tmp_path, page_for(tmp_path / "missing.png"))
    for params in [("full", "^5000,5000", "0", "default.jpg"),
                   ("full", "99999,99999", "0", "default.jpg"),
                   ("0,0,0,0", "max", "0", "default.jpg")]:
        with pytest.raises(IIIFError) as err:
            svc.image("scan~p0001", *params, Links("http://h"), ANONYMOUS)
        assert err.value.status == 400
    with pytest.raises(IIIFError) as err:
        get(svc, "full", "max", "0", "default.jpg")
    assert err.value.status == 404  # an unreadable scan is not a server error
    assert not list(tmp_path.rglob("*.tif"))


def test_concurrent_first_requests_convert_once_and_agree(tmp_path):
    scan = make_scan(tmp_path / "big.png", 2100, 1700)
    svc = service_for(tmp_path / "data", page_for(scan, width=2100, height=1700), 0)
    results: list[bytes] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        try:
            barrier.wait()
            results.append(get(svc, "100,100,900,700", "300,", "0", "default.png"))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and len(results) == 8 and len(set(results)) == 1
    made = list((tmp_path / "data" / "iiif" / "pyramids").rglob("*"))
    assert [p.name for p in made if p.suffix == ".tif"] == [
        f"scan~p0001-2100x1700.{pyramid.VERSION}.tif"]
    assert not [p for p in made if p.name.endswith(".tmp")]
    assert pyramid.levels(made[[p.suffix for p in made].index(".tif")]) == (
        (2100, 1700), (1050, 850), (525, 425), (262, 212))


def test_response_cache_evicts_least_recently_used_first(tmp_path):
    import os
    import time

    cache = ResponseCache(tmp_path, max_bytes=10_000)
    for n in range(8):
        cache.put(f"{n:02d}" + "a" * 62, b"x" * 1000)
        path = cache.path(f"{n:02d}" + "a" * 62)
        os.utime(path, (time.time() - 1000 + n, time.time() - 1000 + n))
    os.utime(cache.path("00" + "a" * 62), None)  # used just now
    for n in range(8, 12):
        cache.put(f"{n:02d}" + "a" * 62, b"x" * 1000)
    cache.sweep()
    kept = {p.name[:2] for p in tmp_path.rglob("*") if p.is_file() and len(p.name) == 64}
    assert sum(p.stat().st_size for p in tmp_path.rglob("*") if p.is_file()) <= 10_000
    assert "00" in kept and "01" not in kept and "11" in kept


def test_response_cache_is_off_at_zero_bytes(tmp_path):
    cache = ResponseCache(tmp_path / "c", 0)
    cache.put("ab" * 32, b"data")
    assert cache.get("ab" * 32) is None and not (tmp_path / "c").exists()


@pytest.mark.parametrize("grey", [False, True])
def test_interior_grid_tiles_are_the_pyramids_own_jpeg_tiles(tmp_path, grey):
    scan = make_scan(tmp_path / "scan.png", 1300, 1100)
    if grey:
        pyvips.Image.new_from_file(str(scan)).colourspace("b-w").pngsave(str(tmp_path / "g.png"))
        scan = tmp_path / "g.png"
    svc = service_for(tmp_path / "data", page_for(scan, width=1300, height=1100), 0)
    tif = svc.pyramid_of(svc.lookup("scan~p0001"))
    for region, level, x, y in [("512,0,512,512", 0, 512, 0), ("0,0,1024,1024", 1, 0, 0)]:
        data = get(svc, region, "512,", "0", "default.jpg")
        got = decode(data)
        ref = pyvips.Image.new_from_file(str(tif), page=level).crop(x, y, 512, 512)
        assert (got.width, got.height, got.bands) == (512, 512, 1 if grey else 3)
        assert diff(got, ref) == 0  # the very tile, not a re-encoding
    assert not (tmp_path / "data" / "iiif" / "tiles").exists()


def test_two_processes_racing_leave_one_whole_pyramid(tmp_path):
    import subprocess
    import sys

    scan = make_scan(tmp_path / "race.png", 1800, 1300)
    target = pyramid.pyramid_path(tmp_path / "data", "race")
    code = ("import sys; from pathlib import Path; from iiif.pyramid import ensure_pyramid; "
            "ensure_pyramid(sys.argv[1], Path(sys.argv[2]))")
    root = Path(__file__).resolve().parents[2]
    procs = [subprocess.Popen([sys.executable, "-c", code, str(scan), str(target)], cwd=root)
             for _ in range(2)]
    assert [p.wait(120) for p in procs] == [0, 0]
    assert pyramid.levels(target) == ((1800, 1300), (900, 650), (450, 325))
    assert sorted(p.name for p in target.parent.iterdir()) == sorted(
        [target.name, target.with_suffix(".lock").name])


def test_temp_files_left_by_a_crash_are_removed_by_the_next_conversion(tmp_path):
    scan = make_scan(tmp_path / "scan.png", 700, 600)
    target = pyramid.pyramid_path(tmp_path / "data", "crashed")
    target.parent.mkdir(parents=True)
    stale = target.with_name(f".{target.name}.999.1.tmp")
    stale.write_bytes(b"half a TIFF")
    pyramid.ensure_pyramid(str(scan), target)
    assert pyramid.levels(target)[0] == (700, 600) and not stale.exists()


def test_every_advertised_tile_and_size_is_served_at_its_size(svc):
    """What info.json promises (tiles at every scale factor, sizes) all answers, exactly."""
    import math

    doc = svc.info("scan~p0001", Links("http://h"), ANONYMOUS, False).extra["doc"]
    tiles = doc["tiles"][0]
    for s in tiles["scaleFactors"]:
        span = tiles["width"] * s
        for y in range(0, H, span):
            for x in range(0, W, span):
                w, h = min(span, W - x), min(span, H - y)
                got = decode(get(svc, f"{x},{y},{w},{h}", f"{math.ceil(w / s)},", "0",
                                 "default.jpg"))
                assert (got.width, got.height) == (math.ceil(w / s), math.ceil(h / s))
    for size in doc["sizes"]:
        got = decode(get(svc, "full", f"{size['width']},{size['height']}", "0", "default.jpg"))
        assert (got.width, got.height) == (size["width"], size["height"])
