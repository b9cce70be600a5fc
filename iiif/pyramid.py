"""Pyramidal TIFFs: each scan converted once into JPEG-compressed 512-px tiles, one TIFF page
per level (the layout IIPImage reads too), kept under `{data_dir}/iiif/pyramids/`. A scan of at
most 128 px a side gets 256-px tiles: libvips refuses to read back a TIFF whose tiles are wider
than twice its longest side, rounded up to 256 (tiff2vips: "tile size out of range").

Conversion is lazy, atomic (write, then rename) and serialised per scan by a file lock, so
two workers or threads asking at once convert it once and nobody sees half a file.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import threading
from pathlib import Path

import pyvips

from iiif.image_errors import IIIFError
from iiif.image_info import TILE

VERSION = "v1"  # bump when the conversion changes, so old pyramids are not reused
QUALITY = 85


def tile_size(width: int, height: int) -> int:
    """The TIFF tile edge of a scan this size: TILE, or less where libvips would not read
    TILE-px tiles back (at most twice the longest side, rounded up to 256)."""
    return min(TILE, -(-2 * max(width, height, 1) // 256) * 256)


def pyramid_path(data_path: Path, checksum: str, tile: int = TILE) -> Path:
    """Where the pyramid of the scan with this sha256 lives (content-addressed; a small
    scan's name says its tile size, so that an unreadable pyramid with 512-px tiles, made
    before tile_size existed, is not taken for it)."""
    name = f"{checksum}.{VERSION}.tif" if tile == TILE else f"{checksum}.{VERSION}.t{tile}.tif"
    return data_path / "iiif" / "pyramids" / checksum[:2] / name


def ensure_pyramid(source: str, target: Path) -> Path:
    """The pyramid at `target`, converted from `source` first if it is not there yet."""
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if target.exists():  # another worker made it while we waited
                return target
            for stale in target.parent.glob(f".{target.name}.*.tmp"):
                stale.unlink(missing_ok=True)  # left by a crash: writers hold this lock
            tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            try:
                convert(source, tmp)
                os.replace(tmp, target)
            finally:
                tmp.unlink(missing_ok=True)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target


def normalise(image: pyvips.Image) -> pyvips.Image:
    """8-bit sRGB (or 8-bit grey), no alpha: what every response is made from."""
    if image.interpretation == "cmyk" or image.get_typeof("icc-profile-data"):
        with contextlib.suppress(pyvips.Error):  # a broken profile: plain conversion below
            image = image.icc_transform("srgb", embedded=True)
    if image.hasalpha():
        image = image.flatten(background=[255] * (image.bands - 1))
    grey = image.interpretation in ("b-w", "grey16") or image.bands == 1
    image = image.colourspace("b-w" if grey else "srgb")
    if image.format != "uchar":
        image = image.cast("uchar")
    return image.extract_band(0, n=1 if grey else 3)


def convert(source: str, target: Path) -> None:
    """Write the tiled pyramid of `source` to `target`: 404 if the scan cannot be read,
    OSError if the pyramid cannot be written (a full disk)."""
    try:
        image = normalise(pyvips.Image.new_from_file(source, access="sequential"))
        tile = tile_size(image.width, image.height)
        image.tiffsave(str(target), tile=True, pyramid=True, compression="jpeg", Q=QUALITY,
                       tile_width=tile, tile_height=tile, keep="none")
    except pyvips.Error as exc:
        _probe_writing(target.parent)  # reading is lazy: which side failed?
        raise IIIFError(404, "identifier", "the scan of this image cannot be read") from exc


def _probe_writing(folder: Path) -> None:
    """Raise OSError when a small file cannot be written in `folder`."""
    probe = folder / f".probe.{os.getpid()}.{threading.get_ident()}"
    try:
        with open(probe, "wb") as fh:
            fh.write(b"\0" * 65536)
            fh.flush()
            os.fsync(fh.fileno())
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()


@functools.lru_cache(maxsize=4096)
def levels(path: Path) -> tuple[tuple[int, int], ...]:
    """(width, height) of each pyramid level, largest first (pyramids never change)."""
    first = pyvips.Image.new_from_file(str(path))
    pages = first.get("n-pages") if first.get_typeof("n-pages") else 1
    out = [(first.width, first.height)]
    for page in range(1, pages):
        level = pyvips.Image.new_from_file(str(path), page=page)
        out.append((level.width, level.height))
    return tuple(out)
