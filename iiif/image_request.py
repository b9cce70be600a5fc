"""Image API 3.0 request parameters: parse once into values, resolve them against one image,
canonical form.

Everything here is arithmetic on strings and integers: no pixel is touched, so limits and
malformed requests are refused before any decoding. `parse` checks the syntax and keeps what
it read (a region, a size, a rotation); `resolve` only computes with those values.
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
_INT = r"([0-9]{1,9})"  # ASCII digits: \d would take "٣", which int() reads as 3
_NUM = r"([0-9]{1,9}(?:\.[0-9]{1,12})?|\.[0-9]{1,12})"
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


# -- regions: each form knows its pixels on a width x height image ------------------------
@dataclass(frozen=True, slots=True)
class FullRegion:
    """`full`: the whole image."""

    def pixels(self, width: int, height: int) -> tuple[int, int, int, int]:
        return 0, 0, width, height


@dataclass(frozen=True, slots=True)
class SquareRegion:
    """`square`: the largest centred square."""

    def pixels(self, width: int, height: int) -> tuple[int, int, int, int]:
        side = min(width, height)
        return (width - side) // 2, (height - side) // 2, side, side


@dataclass(frozen=True, slots=True)
class PixelRegion:
    """`x,y,w,h` in pixels."""

    x: int
    y: int
    w: int
    h: int

    def pixels(self, width: int, height: int) -> tuple[int, int, int, int]:
        return _inside(self.x, self.y, self.w, self.h, width, height)


@dataclass(frozen=True, slots=True)
class PercentRegion:
    """`pct:x,y,w,h` in percent of the image's width and height."""

    x: float
    y: float
    w: float
    h: float

    def pixels(self, width: int, height: int) -> tuple[int, int, int, int]:
        x, y = round(self.x * width / 100), round(self.y * height / 100)
        w = round((self.x + self.w) * width / 100) - x
        h = round((self.y + self.h) * height / 100) - y
        return _inside(x, y, w, h, width, height)


Region = FullRegion | SquareRegion | PixelRegion | PercentRegion
FULL = FullRegion()
SQUARE = SquareRegion()


def _inside(x: int, y: int, w: int, h: int, width: int, height: int) -> tuple[int, int, int, int]:
    """The box cut to the image; 400 when it is empty or lies wholly outside."""
    if w <= 0 or h <= 0:
        raise bad("region", "width and height must be greater than zero")
    if x >= width or y >= height:
        raise bad("region", f"lies wholly outside the {width}x{height} image")
    return x, y, min(w, width - x), min(h, height - y)


# -- sizes: each form knows its output box for a w x h region -----------------------------
@dataclass(frozen=True, slots=True)
class MaxSize:
    """`max`: as large as the limits allow (`^max` may upscale)."""

    upscale: bool

    def box(self, w: int, h: int, limits: Limits) -> tuple[int, int]:
        return max_size(w, h, limits, self.upscale)


@dataclass(frozen=True, slots=True)
class PercentSize:
    """`pct:n`: n percent of the region (over 100 only after `^`)."""

    upscale: bool
    percent: float

    def box(self, w: int, h: int, limits: Limits) -> tuple[int, int]:
        if self.percent > 100 and not self.upscale:
            raise bad("size", "pct over 100 needs the ^ prefix")
        return round(w * self.percent / 100), round(h * self.percent / 100)


@dataclass(frozen=True, slots=True)
class WidthSize:
    """`w,`: this width, the height keeping the aspect ratio."""

    upscale: bool
    width: int

    def box(self, w: int, h: int, limits: Limits) -> tuple[int, int]:
        return self.width, round(h * self.width / w)


@dataclass(frozen=True, slots=True)
class HeightSize:
    """`,h`: this height, the width keeping the aspect ratio."""

    upscale: bool
    height: int

    def box(self, w: int, h: int, limits: Limits) -> tuple[int, int]:
        return round(w * self.height / h), self.height


@dataclass(frozen=True, slots=True)
class ExactSize:
    """`w,h`: exactly this width and height."""

    upscale: bool
    width: int
    height: int

    def box(self, w: int, h: int, limits: Limits) -> tuple[int, int]:
        return self.width, self.height


@dataclass(frozen=True, slots=True)
class BestFitSize:
    """`!w,h`: the largest box of the region's aspect that fits inside w x h."""

    upscale: bool
    width: int
    height: int

    def box(self, w: int, h: int, limits: Limits) -> tuple[int, int]:
        if self.width * h <= self.height * w:
            return self.width, round(h * self.width / w)
        return round(w * self.height / h), self.height


Size = MaxSize | PercentSize | WidthSize | HeightSize | ExactSize | BestFitSize
_MAX = {False: MaxSize(False), True: MaxSize(True)}


@dataclass(frozen=True, slots=True)
class Rotation:
    """Degrees clockwise in [0, 360), after mirroring when `mirror`."""

    mirror: bool
    degrees: float


@dataclass(frozen=True, slots=True)
class ImageRequest:
    """The four path segments of an image request, read into values (syntax checked)."""

    region: Region
    size: Size
    rotation: Rotation
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
    """Read the segments into values, checking each one's syntax (400 on the first fault)."""
    quality, dot, fmt = quality_format.rpartition(".")
    if not dot:
        raise bad("format", "missing: the last segment must be quality.format")
    if quality not in QUALITIES:
        raise bad("quality", f"must be one of {', '.join(QUALITIES)}")
    if fmt not in FORMATS:
        raise bad("format", f"must be one of {', '.join(FORMATS)}")
    return ImageRequest(_parse_region(region), _parse_size(size), _parse_rotation(rotation),
                        quality, fmt)


def _parse_region(region: str) -> Region:
    if region == "full":
        return FULL
    if region == "square":
        return SQUARE
    px = _REGION_PX.fullmatch(region)
    if px:
        return PixelRegion(*(int(g) for g in px.groups()))
    pct = _REGION_PCT.fullmatch(region)
    if pct:
        return PercentRegion(*(float(g) for g in pct.groups()))
    raise bad("region", "must be full, square, x,y,w,h or pct:x,y,w,h")


def _parse_size(size: str) -> Size:
    upscale = size.startswith("^")
    bare = size[1:] if upscale else size
    if bare == "max":
        return _MAX[upscale]
    pct = _SIZE_PCT.fullmatch(bare)
    if pct:
        return PercentSize(upscale, float(pct.group(1)))
    match = _SIZE_WH.fullmatch(bare)
    if match:
        confined, sw, sh = match.groups()
        if sw is not None and sh is not None:
            return (BestFitSize if confined else ExactSize)(upscale, int(sw), int(sh))
        if not confined and sw is not None:
            return WidthSize(upscale, int(sw))
        if not confined and sh is not None:
            return HeightSize(upscale, int(sh))
    raise bad("size", "must be max, w,, ,h, pct:n, w,h or !w,h, each optionally after ^")


def _parse_rotation(rotation: str) -> Rotation:
    match = _ROTATION.fullmatch(rotation)
    if match:
        degrees = float(match.group(2))
        if 0 <= degrees < 360:
            return Rotation(bool(match.group(1)), degrees)
    raise bad("rotation", "must be a number from 0 to less than 360, optionally after !")


def resolve(req: ImageRequest, width: int, height: int, limits: Limits) -> Resolved:
    """Pixels of the request on a width x height image; 400 when empty, outside or too big."""
    x, y, w, h = req.region.pixels(width, height)
    tw, th, is_max = _size(req.size, w, h, limits)
    ow, oh = rotated_box(tw, th, req.rotation.degrees)
    if ow > limits.max_width or oh > limits.max_height or ow * oh > limits.max_area:
        raise bad("rotation", f"the {tw}x{th} image turned {req.rotation.degrees:g} degrees "
                              f"would be {ow}x{oh}, over the limits (maxWidth "
                              f"{limits.max_width}, maxHeight {limits.max_height}, maxArea "
                              f"{limits.max_area})")
    return Resolved(x=x, y=y, w=w, h=h, width=tw, height=th, mirror=req.rotation.mirror,
                    rotation=req.rotation.degrees, quality=req.quality, format=req.format,
                    full=(x, y, w, h) == (0, 0, width, height), is_max=is_max)


def rotated_box(width: int, height: int, degrees: float) -> tuple[int, int]:
    """The size of a width x height image once turned: its bounding box, as large as the one
    libvips makes, or a pixel larger (the limits apply to what is sent)."""
    turn = math.radians(degrees)
    cos, sin = abs(math.cos(turn)), abs(math.sin(turn))
    return (max(1, math.ceil(width * cos + height * sin - 1e-9)),
            max(1, math.ceil(width * sin + height * cos - 1e-9)))


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


def _size(size: Size, w: int, h: int, limits: Limits) -> tuple[int, int, bool]:
    """The output box of a w x h region; 400 when empty, upscaled without ^ or over the limits."""
    tw, th = size.box(w, h, limits)
    if tw < 1 or th < 1:
        raise bad("size", "the result would be empty")
    if (tw > w or th > h) and not size.upscale:
        raise bad("size", f"larger than the {w}x{h} region needs the ^ prefix")
    if tw > limits.max_width or th > limits.max_height or tw * th > limits.max_area:
        raise bad("size", f"{tw}x{th} is over the limits (maxWidth {limits.max_width}, "
                          f"maxHeight {limits.max_height}, maxArea {limits.max_area})")
    return tw, th, (tw, th) == max_size(w, h, limits)
