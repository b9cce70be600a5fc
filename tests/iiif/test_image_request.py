"""Image API request parameters: every form resolved to pixels, every bad form refused (400)."""

from __future__ import annotations

import pytest

from iiif.image_errors import IIIFError
from iiif.image_info import grid_scale, info, scale_factors, sizes
from iiif.image_request import (
    FULL,
    SQUARE,
    BestFitSize,
    ExactSize,
    HeightSize,
    Limits,
    MaxSize,
    PercentRegion,
    PercentSize,
    PixelRegion,
    Rotation,
    WidthSize,
    parse,
    resolve,
)

LIMITS = Limits(6000, 8000, 24_000_000)


def _resolve(region="full", size="max", rotation="0", qf="default.jpg", w=1000, h=1000,
             limits=LIMITS):
    return resolve(parse(region, size, rotation, qf), w, h, limits)


@pytest.mark.parametrize("region, expected", [
    ("full", (0, 0, 1000, 800)),
    ("square", (100, 0, 800, 800)),
    ("10,20,30,40", (10, 20, 30, 40)),
    ("900,700,500,500", (900, 700, 100, 100)),  # partly outside: cropped to the image
    ("pct:10,10,20,20", (100, 80, 200, 160)),
    ("pct:0,0,100,100", (0, 0, 1000, 800)),
    ("pct:50.5,0,200,1", (505, 0, 495, 8)),
    ("pct:.5,0,1,1", (5, 0, 10, 8)),
])
def test_region_forms_resolve_to_pixels(region, expected):
    r = _resolve(region=region, w=1000, h=800)
    assert (r.x, r.y, r.w, r.h) == expected


@pytest.mark.parametrize("size, expected", [
    ("max", (1000, 800)),
    ("^max", (5477, 4381)),  # to maxArea 24 M, aspect kept
    ("500,", (500, 400)),
    (",400", (500, 400)),
    ("pct:50", (500, 400)),
    ("pct:33.3", (333, 266)),
    ("300,300", (300, 300)),
    ("!300,300", (300, 240)),
    ("!1000,400", (500, 400)),
    ("^1500,", (1500, 1200)),
    ("^,1200", (1500, 1200)),
    ("^pct:150", (1500, 1200)),
    ("^2000,900", (2000, 900)),
    ("^!2000,2000", (2000, 1600)),
    ("^500,400", (500, 400)),  # ^ allows, does not demand, upscaling
])
def test_size_forms_resolve_to_pixels(size, expected):
    r = _resolve(size=size, w=1000, h=800)
    assert (r.width, r.height) == expected


def test_max_is_constrained_by_limits_without_upscaling():
    r = _resolve(size="max", w=6000, h=8000)
    assert r.width * r.height <= LIMITS.max_area
    assert r.width <= 6000 and r.height <= 8000
    assert abs(r.width / r.height - 0.75) < 0.001
    assert r.canonical.startswith("full/max/")


@pytest.mark.parametrize("rotation, mirror, degrees, text", [
    ("0", False, 0, "0"), ("90", False, 90, "90"), ("!0", True, 0, "!0"),
    ("!180", True, 180, "!180"), ("22.50", False, 22.5, "22.5"),
    ("359.99", False, 359.99, "359.99"),
    ("090.0", False, 90, "90"), (".5", False, 0.5, "0.5"),
])
def test_rotation_forms_and_their_canonical_text(rotation, mirror, degrees, text):
    r = _resolve(rotation=rotation)
    assert (r.mirror, r.rotation) == (mirror, degrees)
    assert r.canonical.split("/")[2] == text


@pytest.mark.parametrize("region, size, rotation, values", [
    ("full", "max", "0", (FULL, MaxSize(False), Rotation(False, 0.0))),
    ("square", "^max", "!90", (SQUARE, MaxSize(True), Rotation(True, 90.0))),
    ("1,2,3,4", "pct:50", "22.50", (PixelRegion(1, 2, 3, 4), PercentSize(False, 50.0),
                                    Rotation(False, 22.5))),
    ("pct:.5,0,1,100", "^500,", "0", (PercentRegion(0.5, 0.0, 1.0, 100.0),
                                      WidthSize(True, 500), Rotation(False, 0.0))),
    ("full", ",400", "0", (FULL, HeightSize(False, 400), Rotation(False, 0.0))),
    ("full", "300,200", "0", (FULL, ExactSize(False, 300, 200), Rotation(False, 0.0))),
    ("full", "^!300,200", "0", (FULL, BestFitSize(True, 300, 200), Rotation(False, 0.0))),
])
def test_parse_reads_each_segment_into_its_value(region, size, rotation, values):
    req = parse(region, size, rotation, "gray.png")
    assert (req.region, req.size, req.rotation, req.quality, req.format) == (
        *values, "gray", "png")


@pytest.mark.parametrize("args", [
    ("0,0,0,0", "max", "0", "default.jpg"),
    ("pct:101,0,1,1", "max", "0", "default.jpg"),
    ("1000,0,10,10", "max", "0", "default.jpg"),
    ("0,1000,10,10", "max", "0", "default.jpg"),
    ("10,10,0,5", "max", "0", "default.jpg"),
    ("pct:0,0,0,10", "max", "0", "default.jpg"),
    ("full", "99999,99999", "0", "default.jpg"),
    ("full", "^99999,99999", "0", "default.jpg"),
    ("full", "^pct:9000", "0", "default.jpg"),
    ("full", "1001,", "0", "default.jpg"),
    ("full", ",1001", "0", "default.jpg"),
    ("full", "pct:101", "0", "default.jpg"),
    ("full", "!2000,3000", "0", "default.jpg"),
    ("full", "0,", "0", "default.jpg"),
    ("full", "pct:0", "0", "default.jpg"),
    ("full", "pct:0.01", "0", "default.jpg"),
])
def test_empty_outside_upscaled_or_oversized_requests_are_400(args):
    with pytest.raises(IIIFError) as err:
        _resolve(*args)
    assert err.value.status == 400


@pytest.mark.parametrize("region, size, rotation, qf, parameter", [
    ("full", "full", "0", "default.jpg", "size"),  # 2.x only
    ("full", "max", "360", "default.jpg", "rotation"),
    ("full", "max", "-90", "default.jpg", "rotation"),
    ("full", "max", "!!90", "default.jpg", "rotation"),
    ("full", "max", "1e2", "default.jpg", "rotation"),
    ("full", "max", "0", "sepia.jpg", "quality"),
    ("full", "max", "0", "default.exe", "format"),
    ("full", "max", "0", "default", "format"),
    ("full", "max", "0", "default.JPG", "format"),
    ("Full", "max", "0", "default.jpg", "region"),
    ("1,2,3", "max", "0", "default.jpg", "region"),
    ("-1,0,10,10", "max", "0", "default.jpg", "region"),
    ("pct:1,2,3", "max", "0", "default.jpg", "region"),
    ("1,2,3,4,", "max", "0", "default.jpg", "region"),
    ("1234567890,0,1,1", "max", "0", "default.jpg", "region"),
    ("full", ",", "0", "default.jpg", "size"),
    ("full", "!100,", "0", "default.jpg", "size"),
    ("full", "^^max", "0", "default.jpg", "size"),
    ("full", "pct:", "0", "default.jpg", "size"),
    ("full", "10.5,", "0", "default.jpg", "size"),
    ("full", "x" * 5000, "0", "default.jpg", "size"),
    ("٣,٣,٣,٣", "max", "0", "default.jpg", "region"),  # Arabic-Indic digits: int() reads them
    ("full", "²,", "0", "default.jpg", "size"),
    ("full", "max", "٩٠", "default.jpg", "rotation"),
])
def test_malformed_parameters_are_400_naming_the_parameter(region, size, rotation, qf, parameter):
    with pytest.raises(IIIFError) as err:
        parse(region, size, rotation, qf)
    assert (err.value.status, err.value.parameter) == (400, parameter)
    assert "\n" not in err.value.body().rstrip("\n")


@pytest.mark.parametrize("a, b", [
    (("full", "max", "0", "default.jpg"), ("0,0,1000,800", "1000,800", "0", "color.jpg")),
    (("pct:0,0,50,50", "250,", "0", "default.png"),
     ("0,0,500,400", "!250,250", "0", "default.png")),
    (("square", "pct:50", "!90", "gray.webp"), ("100,0,800,800", "400,400", "!90.0", "gray.webp")),
])
def test_equivalent_forms_share_one_render_key(a, b):
    assert _resolve(*a, w=1000, h=800).render_key == _resolve(*b, w=1000, h=800).render_key


def test_canonical_form_of_a_region_request():
    r = _resolve("pct:10,10,20,20", "!100,100", "!90.50", "color.png", w=1000, h=800)
    assert r.canonical == "100,80,200,160/100,80/!90.5/color.png"
    assert _resolve("full", "^1500,", w=1000, h=800).canonical == "full/^1500,1200/0/default.jpg"


def test_scale_factors_go_down_to_one_tile():
    assert scale_factors(6000, 8000) == [1, 2, 4, 8, 16]
    assert scale_factors(1000, 1000) == [1, 2]
    assert scale_factors(512, 100) == [1]
    assert scale_factors(1025, 10) == [1, 2, 4]


def test_sizes_are_smallest_first_and_within_limits():
    assert sizes(6000, 8000, LIMITS) == [{"width": 375, "height": 500},
                                         {"width": 750, "height": 1000},
                                         {"width": 1500, "height": 2000},
                                         {"width": 3000, "height": 4000}]


def test_info_document_fields():
    doc = info("http://h/iiif/image/x~p0001", 1000, 1000, LIMITS)
    assert doc["@context"] == "http://iiif.io/api/image/3/context.json"
    assert (doc["type"], doc["profile"], doc["protocol"]) == (
        "ImageService3", "level2", "http://iiif.io/api/image")
    assert doc["tiles"] == [{"width": 512, "height": 512, "scaleFactors": [1, 2]}]
    assert (doc["maxWidth"], doc["maxHeight"], doc["maxArea"]) == (6000, 8000, 24_000_000)
    assert set(doc["extraFormats"]) == {"webp", "tif"}
    assert "service" not in doc


@pytest.mark.parametrize("args, scale", [
    (("0,0,512,512", "512,512"), 1),
    (("0,0,512,512", "512,"), 1),
    (("5632,7680,368,320", "368,320"), 1),
    (("4096,6144,1904,1856", "476,464"), 4),
    (("full", "375,500"), 16),
    (("full", "750,1000"), 8),
    (("0,0,512,512", "256,256"), None),
    (("1,0,512,512", "512,512"), None),
    (("0,0,1024,1024", "512,512"), 2),
])
def test_grid_tiles_are_recognised(args, scale):
    r = _resolve(*args, w=6000, h=8000)
    assert grid_scale(r, 6000, 8000) == scale


def test_grid_needs_plain_jpeg():
    r = _resolve("0,0,512,512", "512,", "90", "default.jpg", w=6000, h=8000)
    assert grid_scale(r, 6000, 8000) is None
    r = _resolve("0,0,512,512", "512,", "0", "gray.jpg", w=6000, h=8000)
    assert grid_scale(r, 6000, 8000) is None


def test_an_output_over_the_limits_once_turned_is_400_before_any_decoding():
    # ^5999,4000 is within maxWidth 6000 and maxArea 24 MP; turned 45.5 degrees it is 7058x7082
    with pytest.raises(IIIFError) as err:
        _resolve("full", "^5999,4000", "45.5", w=2000, h=3000)
    assert (err.value.status, err.value.parameter) == (400, "rotation")


@pytest.mark.parametrize("rotation", ["0", "30", "45.5", "90", "!135", "200.25", "270", "359.9"])
def test_what_is_sent_once_turned_stays_within_the_limits(rotation):
    import pyvips

    from iiif.image_render import turn

    limits = Limits(120, 100, 9000)
    for size in ("max", "^max", "120,", ",100", "^!120,100", "90,90", "^150,60", "60,80"):
        try:
            r = _resolve("full", size, rotation, "default.png", w=100, h=80, limits=limits)
        except IIIFError:
            continue
        turned = turn(pyvips.Image.black(r.width, r.height), r)
        assert turned.width <= limits.max_width and turned.height <= limits.max_height
        assert turned.width * turned.height <= limits.max_area, (size, rotation)
