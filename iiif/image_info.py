"""The Image API 3.0 `info.json` document and the tile grid it advertises."""

from __future__ import annotations

import math
from typing import Any

from iiif.contexts import with_auth2_context
from iiif.image_request import Limits, Resolved

TILE = 512
CONTEXT = "http://iiif.io/api/image/3/context.json"
PROFILE_URI = "http://iiif.io/api/image/3/level2.json"
JSONLD_TYPE = f'application/ld+json;profile="{CONTEXT}"'
EXTRA_QUALITIES = ["color", "gray", "bitonal"]
EXTRA_FORMATS = ["webp", "tif"]
EXTRA_FEATURES = ["canonicalLinkHeader", "mirroring", "profileLinkHeader", "rotationArbitrary",
                  "sizeUpscaling"]


def scale_factors(width: int, height: int, tile: int = TILE) -> list[int]:
    """Powers of two from 1 down to the first scale at which the whole image fits one tile."""
    factors = [1]
    while math.ceil(width / factors[-1]) > tile or math.ceil(height / factors[-1]) > tile:
        factors.append(factors[-1] * 2)
    return factors


def sizes(width: int, height: int, limits: Limits) -> list[dict[str, int]]:
    """Whole-image sizes, one per scale factor, smallest first, within the limits."""
    out = []
    for s in reversed(scale_factors(width, height)):
        w, h = math.ceil(width / s), math.ceil(height / s)
        if w <= limits.max_width and h <= limits.max_height and w * h <= limits.max_area:
            out.append({"width": w, "height": h})
    return out


def info(service_id: str, width: int, height: int, limits: Limits,
         services: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """info.json for an image; `service_id` is the URL it was asked at, less `/info.json`."""
    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "id": service_id,
        "type": "ImageService3",
        "protocol": "http://iiif.io/api/image",
        "profile": "level2",
        "width": width,
        "height": height,
        "maxWidth": limits.max_width,
        "maxHeight": limits.max_height,
        "maxArea": limits.max_area,
        "sizes": sizes(width, height, limits),
        "tiles": [{"width": TILE, "height": TILE, "scaleFactors": scale_factors(width, height)}],
        "extraQualities": EXTRA_QUALITIES,
        "extraFormats": EXTRA_FORMATS,
        "extraFeatures": EXTRA_FEATURES,
    }
    if services:
        doc["service"] = services
    return with_auth2_context(doc)


def refused_info(service_id: str, width: int, height: int, services: list[dict[str, Any]] | None
                 ) -> dict[str, Any]:
    """The info.json of a 401: what the Image API requires and the (auth) services, no tiles
    nor sizes to fetch."""
    doc: dict[str, Any] = {"@context": CONTEXT, "id": service_id, "type": "ImageService3",
                           "protocol": "http://iiif.io/api/image", "profile": "level2",
                           "width": width, "height": height}
    if services:
        doc["service"] = services
    return with_auth2_context(doc)


def grid_scale(r: Resolved, width: int, height: int) -> int | None:
    """The scale factor when `r` is a plain JPEG tile of the advertised grid (or a listed
    whole-image size), else None. Such responses are kept as files for good."""
    if r.rotation or r.mirror or r.quality not in ("default", "color") or r.format != "jpg":
        return None
    for s in scale_factors(width, height):
        span = TILE * s
        if r.x % span or r.y % span:
            continue
        if (r.w, r.h) == (min(span, width - r.x), min(span, height - r.y)) and \
                (r.width, r.height) == (math.ceil(r.w / s), math.ceil(r.h / s)):
            return s
        if r.full and (r.width, r.height) == (math.ceil(width / s), math.ceil(height / s)):
            return s
    return None
