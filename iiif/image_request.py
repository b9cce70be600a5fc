"""Image API 3.0 request parameters: parse, resolve against one image, canonical form.

Everything here is arithmetic on strings and integers: no pixel is touched, so limits and
malformed requests are refused before any decoding.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from iiif.image_errors import bad

QUALITIES: tuple[str, ...] = ("default", "color", "gray", "bitonal")
FORMATS: dict[str, str] = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "tif": "image/tiff",
}
_INT = r"(\d{1,9})"
_NUM = r"(\d{1,9}(?:\.\d{1,12})?|\.\d{1,12})"
_REGION_PX = re.compile(rf"{_INT},{_INT},{_INT},{_INT}")
_REGION_PCT = re.compile(rf"pct:{_NUM},{_NUM},{_NUM},{_NUM}")
_SIZE_PCT = re.compile(rf"pct:{_NUM}")
_SIZE_WH = re.compile(rf"(!)?{_INT}?,{_INT}?")
_ROTATION = re.compile(rf"(!)?{_NUM}")


@dataclass(frozen=True, slots=True)
class Limits:
    """The largest response allowed (info.json maxWidth, maxHeight, maxArea)."""

    max_width: int
    max_height: int
    max_area: int


@dataclass(frozen=True, slots=True)
class ImageRequest:
    """The four path segments of an image request, checked for syntax only."""

    region: str
    size: str
    rotation: str
    quality: str
    format: str


@dataclass(frozen=True, slots=True)
class Resolved:
    """A request resolved to pixels of one image: what to cut, how big, how to turn."""

    x: int
    y: int
    w: int
    h: int
    width: int  # output width before rotation
    height: int  # output height before rotation
    mirror: bool
    rotation: float
    quality: str
    format: str
    full: bool  # the region is the whole image
    is_max: bool  # the size is what `max` gives for this region

    @property
    def upscaled(self) -> bool:
        return self.width > self.w or self.height > self.h

    @property
    def canonical(self) -> str:
        """The canonical `{region}/{size}/{rotation}/{quality}.{format}` of this request."""
        region = "full" if self.full else f"{self.x},{self.y},{self.w},{self.h}"
        if self.is_max and not self.upscaled:
            size = "max"
        else:
            size = ("^" if self.upscaled else "") + f"{self.width},{self.height}"
        rotation = rotation_text(self.mirror, self.rotation)
        return f"{region}/{size}/{rotation}/{self.quality}.{self.format}"

    @property
    def render_key(self) -> str:
        """Equal for every request that yields the same bytes (`color` renders as `default`)."""
        quality = "default" if self.quality == "color" else self.quality
        return (f"{self.x},{self.y},{self.w},{self.h}/{self.width},{self.height}/"
                f"{rotation_text(self.mirror, self.rotation)}/{quality}.{self.format}")

    @property
    def media_type(self) -> str:
        return FORMATS[self.format]


def rotation_text(mirror: bool, degrees: float) -> str:
    """Canonical rotation: `!` when mirrored, an integer when whole, else trimmed decimals."""
    text = str(int(degrees)) if degrees == int(degrees) else f"{degrees:.10f}".rstrip("0")
    return ("!" if mirror else "") + text


def parse(region: str, size: str, rotation: str, quality_format: str) -> ImageRequest:
    """Split `quality.format` and check every segment's syntax (400 on the first fault)."""
    quality, dot, fmt = quality_format.rpartition(".")
    if not dot:
        raise bad("format", "missing: the last segment must be quality.format")
    if quality not in QUALITIES:
        raise bad("quality", f"must be one of {', '.join(QUALITIES)}")
    if fmt not in FORMATS:
        raise bad("format", f"must be one of {', '.join(FORMATS)}")
    if not (region in ("full", "square") or _REGION_PX.fullmatch(region)
            or _REGION_PCT.fullmatch(region)):
        raise bad("region", "must be full, square, x,y,w,h or pct:x,y,w,h")
    bare = size[1:] if size.startswith("^") else size
    if not (bare == "max" or _SIZE_PCT.fullmatch(bare) or _size_wh(bare)):
        raise bad("size", "must be max, w,, ,h, pct:n, w,h or !w,h, each optionally after ^")
    match = _ROTATION.fullmatch(rotation)
    if not match or not 0 <= float(match.group(2)) < 360:
        raise bad("rotation", "must be a number from 0 to less than 360, optionally after !")
    return ImageRequest(region, size, rotation, quality, fmt)


def _size_wh(bare: str) -> re.Match[str] | None:
    match = _SIZE_WH.fullmatch(bare)
    if not match or (match.group(2) is None and match.group(3) is None):
        return None
    if match.group(1) and (match.group(2) is None or match.group(3) is None):
        return None  # !w,h needs both
    return match


def resolve(req: ImageRequest, width: int, height: int, limits: Limits) -> Resolved:
    """Pixels of the request on a width x height image; 400 when empty, outside or too big."""
    x, y, w, h = _region(req.region, width, height)
    tw, th, is_max = _size(req.size, w, h, limits)
    match = _ROTATION.fullmatch(req.rotation)
    assert match is not None  # checked by parse()
    return Resolved(x=x, y=y, w=w, h=h, width=tw, height=th, mirror=bool(match.group(1)),
                    rotation=float(match.group(2)), quality=req.quality, format=req.format,
                    full=(x, y, w, h) == (0, 0, width, height), is_max=is_max)


def _region(region: str, width: int, height: int) -> tuple[int, int, int, int]:
    if region == "full":
        return 0, 0, width, height
    if region == "square":
        side = min(width, height)
        return (width - side) // 2, (height - side) // 2, side, side
    px = _REGION_PX.fullmatch(region)
    if px:
        x, y, w, h = (int(g) for g in px.groups())
    else:
        pct = _REGION_PCT.fullmatch(region)
        assert pct is not None  # checked by parse()
        px_, py_, pw_, ph_ = (float(g) for g in pct.groups())
        x, y = round(px_ * width / 100), round(py_ * height / 100)
        w = round((px_ + pw_) * width / 100) - x
        h = round((py_ + ph_) * height / 100) - y
    if w <= 0 or h <= 0:
        raise bad("region", "width and height must be greater than zero")
    if x >= width or y >= height:
        raise bad("region", f"lies wholly outside the {width}x{height} image")
    return x, y, min(w, width - x), min(h, height - y)


def max_size(w: int, h: int, limits: Limits, upscale: bool = False) -> tuple[int, int]:
    """What `max` (or `^max`) gives for a w x h region under the limits."""
    factor = min(limits.max_width / w, limits.max_height / h,
                 math.sqrt(limits.max_area / (w * h)))
    if factor >= 1 and not upscale:
        return w, h
    tw, th = max(1, math.floor(w * factor)), max(1, math.floor(h * factor))
    while (tw * th > limits.max_area or tw > limits.max_width or th > limits.max_height) \
            and tw * th > 1:
        tw, th = max(1, tw - 1), max(1, th - 1)  # float rounding, at most a step or two
    return tw, th


def _size(size: str, w: int, h: int, limits: Limits) -> tuple[int, int, bool]:
    upscale = size.startswith("^")
    bare = size[1:] if upscale else size
    if bare == "max":
        tw, th = max_size(w, h, limits, upscale)
    elif bare.startswith("pct:"):
        pct = float(bare[4:])
        if pct > 100 and not upscale:
            raise bad("size", "pct over 100 needs the ^ prefix")
        tw, th = round(w * pct / 100), round(h * pct / 100)
    else:
        match = _size_wh(bare)
        assert match is not None  # checked by parse()
        confined, sw, sh = match.group(1), match.group(2), match.group(3)
        if confined:
            bw, bh = int(sw), int(sh)
            if bw * h <= bh * w:
                tw, th = bw, round(h * bw / w)
            else:
                tw, th = round(w * bh / h), bh
        elif sh is None:
            tw = int(sw)
            th = round(h * tw / w)
        elif sw is None:
            th = int(sh)
            tw = round(w * th / h)
        else:
            tw, th = int(sw), int(sh)
    if tw < 1 or th < 1:
        raise bad("size", "the result would be empty")
    if (tw > w or th > h) and not upscale:
        raise bad("size", f"larger than the {w}x{h} region needs the ^ prefix")
    if tw > limits.max_width or th > limits.max_height or tw * th > limits.max_area:
        raise bad("size", f"{tw}x{th} is over the limits (maxWidth {limits.max_width}, "
                          f"maxHeight {limits.max_height}, maxArea {limits.max_area})")
    return tw, th, (tw, th) == max_size(w, h, limits)
