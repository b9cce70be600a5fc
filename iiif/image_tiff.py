"""Raw JPEG tiles straight out of our pyramidal TIFFs, with no decoding.

A tile of the advertised grid that is a whole 512x512 TIFF tile of a pyramid level is, byte for
byte, a JPEG stream once the level's shared tables (the JPEGTables tag) are put back in front
of it. Serving it that way costs one read and no re-encoding (and no generational loss).
Only classic little- or big-endian TIFFs whose tiles are JPEG in YCbCr or grey qualify (what
libvips writes for our pyramids); anything else answers None and is rendered instead.
"""

from __future__ import annotations

import functools
import os
import struct
from dataclasses import dataclass
from pathlib import Path

_TYPES = {3: ("H", 2), 4: ("I", 4), 7: ("B", 1), 1: ("B", 1)}
_WANTED = {256, 257, 259, 262, 322, 323, 324, 325, 347}


@dataclass(frozen=True, slots=True)
class Level:
    """What is needed to cut raw tiles out of one pyramid level (one TIFF directory)."""

    width: int
    height: int
    tile: int
    offsets: tuple[int, ...]
    counts: tuple[int, ...]
    tables: bytes  # JPEGTables: SOI, DQT/DHT..., EOI

    @property
    def columns(self) -> int:
        return -(-self.width // self.tile)


def _read_levels(path: Path) -> tuple[Level, ...]:
    with open(path, "rb") as fh:
        head = fh.read(8)
        order = {b"II": "<", b"MM": ">"}.get(head[:2])
        if order is None or struct.unpack(order + "H", head[2:4])[0] != 42:
            return ()  # not a classic TIFF (BigTIFF is not read here)
        offset = struct.unpack(order + "I", head[4:8])[0]
        levels: list[Level] = []
        seen = set()
        while offset and offset not in seen and len(levels) < 64:
            seen.add(offset)
            fh.seek(offset)
            (count,) = struct.unpack(order + "H", fh.read(2))
            raw = fh.read(12 * count + 4)
            tags: dict[int, tuple[int, ...] | bytes] = {}
            for n in range(count):
                tag, kind, num, value = struct.unpack(order + "HHII", raw[12 * n:12 * n + 12])
                if tag not in _WANTED or kind not in _TYPES:
                    continue
                code, size = _TYPES[kind]
                if num * size <= 4:
                    data = raw[12 * n + 8:12 * n + 8 + num * size]
                else:
                    here = fh.tell()
                    fh.seek(value)
                    data = fh.read(num * size)
                    fh.seek(here)
                tags[tag] = data if kind == 7 else struct.unpack(f"{order}{num}{code}", data)
            (offset,) = struct.unpack(order + "I", raw[12 * count:12 * count + 4])
            level = _level(tags)
            if level is None:
                return tuple(levels)
            levels.append(level)
        return tuple(levels)


def _level(tags: dict[int, tuple[int, ...] | bytes]) -> Level | None:
    def one(tag: int) -> int | None:
        value = tags.get(tag)
        return value[0] if isinstance(value, tuple) and value else None

    tables = tags.get(347)
    offsets, counts = tags.get(324), tags.get(325)
    if one(259) != 7 or one(262) not in (1, 6) or one(322) != one(323) or \
            not isinstance(tables, bytes) or not isinstance(offsets, tuple) or \
            not isinstance(counts, tuple) or len(offsets) != len(counts):
        return None
    width, height, tile = one(256), one(257), one(322)
    if not width or not height or not tile:
        return None
    return Level(width, height, tile, offsets, counts, tables)


@functools.lru_cache(maxsize=4096)
def levels(path: Path) -> tuple[Level, ...]:
    """The raw-tile index of each level of a pyramid (pyramids never change); () if unusable."""
    try:
        return _read_levels(path)
    except (OSError, struct.error):
        return ()


def raw_tile(path: Path, level: int, column: int, row: int) -> bytes | None:
    """The JPEG of one whole tile, or None when it cannot be served raw."""
    found = levels(path)
    if level >= len(found):
        return None
    lv = found[level]
    if (column + 1) * lv.tile > lv.width or (row + 1) * lv.tile > lv.height:
        return None  # an edge tile is padded in the TIFF: it must be cut, not sent
    index = row * lv.columns + column
    if index >= len(lv.offsets):
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        data = os.pread(fd, lv.counts[index], lv.offsets[index])
    finally:
        os.close(fd)
    if len(data) != lv.counts[index] or data[:2] != b"\xff\xd8" or data[-2:] != b"\xff\xd9":
        return None
    if len(lv.tables) > 4 and lv.tables[:2] == b"\xff\xd8" and lv.tables[-2:] == b"\xff\xd9":
        return lv.tables[:-2] + data[2:]
    return data
