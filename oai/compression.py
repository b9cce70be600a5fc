"""HTTP content codings announced by Identify: gzip and deflate, chosen by Accept-Encoding."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

CODINGS = ("gzip", "deflate")
_WBITS = {"gzip": 31, "deflate": 15}  # gzip container; zlib container (HTTP "deflate")


def negotiate(accept_encoding: str | None) -> str | None:
    """The coding to use for a request's Accept-Encoding header, or None for identity."""
    if not accept_encoding:
        return None
    weights: dict[str, float] = {}
    for part in accept_encoding.split(","):
        name, _, params = part.strip().partition(";")
        weight = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                weight = float(params[2:])
            except ValueError:
                weight = 0.0
        weights[name.strip().lower()] = weight
    for coding in CODINGS:
        if weights.get(coding, weights.get("*", 0.0)) > 0:
            return coding
    return None


def compress(chunks: Iterable[bytes], coding: str) -> Iterator[bytes]:
    """The chunks in a coding returned by negotiate, compressed as they come (level 6)."""
    packer = zlib.compressobj(6, zlib.DEFLATED, _WBITS[coding])
    for chunk in chunks:
        packed = packer.compress(chunk)
        if packed:
            yield packed
    yield packer.flush()
