"""Render a resolved request from a pyramid: pick the level by scale, decode only the tiles
the region touches, resize, turn, change quality, encode."""

from __future__ import annotations

import math
from pathlib import Path

import pyvips

from iiif.image_request import Resolved
from iiif.pyramid import normalise

JPEG_QUALITY = 85
KERNEL = "linear"  # after libvips box-shrinks (resize gap), linear finishes: fast, and enough


def pick_level(levels: tuple[tuple[int, int], ...], width: int, height: int,
               r: Resolved) -> int:
    """The smallest level that still holds at least the output's pixels (less one)."""
    best = 0
    for index, (lw, lh) in enumerate(levels):
        if r.w * lw / width >= r.width - 1 and r.h * lh / height >= r.height - 1:
            best = index
    return best


def _snap(value: float) -> float:
    near = round(value)
    return float(near) if abs(value - near) < 1e-6 else value


def cut(path: Path, levels: tuple[tuple[int, int], ...], width: int, height: int,
        r: Resolved, loaded: pyvips.Image | None = None) -> pyvips.Image:
    """The region at the output size (before rotation and quality), from the pyramid at
    `path`, or from `loaded`, the image of the only level."""
    index = pick_level(levels, width, height, r)
    lw, lh = levels[index]
    fx, fy = lw / width, lh / height
    x0, y0 = math.floor(_snap(r.x * fx)), math.floor(_snap(r.y * fy))
    x1 = min(lw, math.ceil(_snap((r.x + r.w) * fx)))
    y1 = min(lh, math.ceil(_snap((r.y + r.h) * fy)))
    x0, y0 = min(x0, lw - 1), min(y0, lh - 1)
    cw, ch = max(1, x1 - x0), max(1, y1 - y0)
    image = pyvips.Image.new_from_file(str(path), page=index, access="random", fail=False) \
        if loaded is None else loaded
    image = image.crop(x0, y0, cw, ch)
    if (cw, ch) != (r.width, r.height):
        image = image.resize(r.width / cw, vscale=r.height / ch, kernel=KERNEL)
        if (image.width, image.height) != (r.width, r.height):  # rounding in resize
            image = image.gravity("north-west", r.width, r.height, extend="copy")
    return image


def turn(image: pyvips.Image, r: Resolved) -> pyvips.Image:
    """Mirror, then rotate clockwise (transparent corners where the format allows)."""
    if r.mirror:
        image = image.fliphor()
    degrees = r.rotation
    if degrees == 0:
        return image
    if degrees in (90.0, 180.0, 270.0):
        return image.rot({90.0: "d90", 180.0: "d180", 270.0: "d270"}[degrees])
    if r.format in ("png", "webp", "tif"):
        image = image.bandjoin(255)
        background = [0] * image.bands
    else:
        background = [255] * image.bands
    return image.rotate(degrees, background=background)


def tint(image: pyvips.Image, quality: str) -> pyvips.Image:
    """default/color as stored, gray as 8-bit grey, bitonal as black or white."""
    if quality in ("gray", "bitonal") and image.bands >= 3:
        image = image.colourspace("b-w")
    if quality == "bitonal":
        image = (image > 127).ifthenelse(255, 0).cast("uchar")
    return image


def encode(image: pyvips.Image, fmt: str) -> bytes:
    """Bytes in the asked format, no metadata (deterministic for equal pixels)."""
    if fmt == "jpg":
        if image.hasalpha():
            image = image.flatten(background=[255] * (image.bands - 1))
        return bytes(image.jpegsave_buffer(Q=JPEG_QUALITY, keep="none"))
    if fmt == "png":
        return bytes(image.pngsave_buffer(compression=4, keep="none"))
    if fmt == "webp":
        return bytes(image.webpsave_buffer(Q=JPEG_QUALITY, keep="none"))
    return bytes(image.tiffsave_buffer(compression="deflate", keep="none"))


def render(path: Path, levels: tuple[tuple[int, int], ...], width: int, height: int,
           r: Resolved) -> bytes:
    """The response body of a resolved request, made from the pyramid at `path`."""
    image = tint(cut(path, levels, width, height, r), r.quality)
    return encode(turn(image, r), r.format)


def render_scan(source: str, width: int, height: int, r: Resolved) -> bytes:
    """The same response made from the scan itself, when its pyramid cannot be kept."""
    scan = normalise(pyvips.Image.new_from_file(source, access="random", fail=False))
    image = tint(cut(Path(source), ((width, height),), width, height, r, scan), r.quality)
    return encode(turn(image, r), r.format)
