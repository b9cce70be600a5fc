"""HTTP content codings announced by Identify: gzip and deflate, chosen by Accept-Encoding."""

from __future__ import annotations

import gzip
import zlib

CODINGS = ("gzip", "deflate")


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


def compress(body: bytes, coding: str) -> bytes:
    """The body in a coding returned by negotiate (level 6: fast, and small)."""
    if coding == "gzip":
        return gzip.compress(body, compresslevel=6, mtime=0)
    return zlib.compress(body, 6)
