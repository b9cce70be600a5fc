"""The Image API service: from a parsed request to bytes and headers, with no web framework.

`ImageService` is made once per process. It is given a `lookup(image_id)` that reads a
`PageImage` from the store; the web layer passes the requester and the public links, checks the
conditional headers against `Answer.etag`/`Answer.last_modified`, and only then calls
`Answer.produce()`, so a 304 never decodes a pixel.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pyvips

from iiif import access, image_info, image_render, image_tiff, pyramid
from iiif.derivatives import cannot_write
from iiif.image_cache import FileStore, ResponseCache, key_name
from iiif.image_errors import IIIFError
from iiif.image_request import ImageRequest, Limits, Resolved, parse, resolve
from iiif.manifest import THUMBNAIL_BOXES, thumbnail_size
from store import tile_tree
from store.links import Links
from store.records import PageImage

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,159}")
MAX_AGE = 86400
RENDER_VERSION = "r3"  # part of every ETag and cache key: bump when output bytes change
Lookup = Callable[[str], PageImage | None]
# The service blocks of a page's info.json (IIIF Auth for non-open pages: iiif.auth)
ServiceHook = Callable[[Links, PageImage], list[dict[str, Any]]]


@dataclass
class Answer:
    """A response to be: the body is made only when `produce()` is called."""

    media_type: str
    etag: str
    last_modified: datetime
    headers: dict[str, str]
    produce: Callable[[], bytes]
    extra: dict[str, Any] = field(default_factory=dict)
    public: bool = False  # anyone may have it: shared caches may keep it
    # behind nginx: the X-Accel-Redirect URI of a file holding the body (made if need be),
    # or None to send the body itself
    accel: Callable[[], str | None] | None = None


def tile_form(r: Resolved) -> str:
    """A grid tile's request as Mirador 4 (OpenSeadragon 5) makes it, the path of its file in
    the tile trees: `{x},{y},{w},{h}/{w},{h}/0/default.jpg`, `full/{w},{h}/0/default.jpg` for
    a whole level (the canonical form would say `max` for a full-resolution tile)."""
    region = "full" if r.full else f"{r.x},{r.y},{r.w},{r.h}"
    return f"{region}/{r.width},{r.height}/0/default.jpg"


class ImageService:
    """Info and image responses of one data dir (share one per process; thread-safe)."""

    def __init__(self, data_path: Path, limits: Limits, cache_bytes: int, lookup: Lookup,
                 policy: access.Policy = access.default_policy,
                 services: ServiceHook | None = None,
                 open_thumbnails: bool = False, nginx: bool = False) -> None:
        self.data_path = data_path
        self.limits = limits
        self.lookup = lookup
        self.policy = policy
        self.services = services
        self.open_thumbnails = open_thumbnails  # thumbnails of `readers` items open to all
        self.nginx = nginx  # nginx in front serves the tile trees (store.tile_tree)
        self.tree_roots = {tree: str(tile_tree.root(data_path, tree))
                           for tree in tile_tree.TREES}
        self.tiles = FileStore(data_path / "iiif" / "tiles")
        self.cache = ResponseCache(data_path / "iiif" / "cache", cache_bytes)

    # -- the image and who may see it -------------------------------------------------
    def find(self, image_id: str) -> PageImage:
        """The page image as the store has it now, or 404. Never reused from an earlier
        request: a change of the item's access level holds from the next request on."""
        found = self.lookup(image_id) if ID_PATTERN.fullmatch(image_id) else None
        if found is None:
            raise IIIFError(404, "identifier", "no image has this identifier")
        return found

    def is_open_thumbnail(self, page: PageImage, r: Resolved) -> bool:
        """A thumbnail of a `readers` page, at a size manifests or the portal use, when the
        setting opens those to all."""
        return (self.open_thumbnails and page.access == "readers" and r.full and not r.mirror
                and r.rotation == 0 and r.quality == "default" and r.format == "jpg"
                and (r.width, r.height) in {thumbnail_size(page.width, page.height, box)
                                            for box in THUMBNAIL_BOXES})

    def _open_thumbnail(self, page: PageImage, req: ImageRequest) -> Resolved | None:
        """A request refused by the gate, resolved, when it is an open thumbnail; else None (a
        request that does not resolve is refused like any other, so a 400 tells nothing of a
        closed image)."""
        if not self.open_thumbnails or page.access != "readers":
            return None
        try:
            r = resolve(req, page.width, page.height, self.limits)
        except IIIFError:
            return None
        return r if self.is_open_thumbnail(page, r) else None

    @staticmethod
    def _cache_control(public: bool) -> str:
        """Open images are kept by any cache for a day. Others only by the reader's browser,
        which asks again each time (a 304 when still allowed): after a sign-out, on a shared
        library computer, or once the account ends, nothing is shown from its cache."""
        return f"public, max-age={MAX_AGE}" if public else "private, no-cache"

    # -- info.json --------------------------------------------------------------------
    def info(self, image_id: str, links: Links, requester: access.Asking,
             jsonld: bool) -> Answer:
        """info.json; its `id` is built from `links`, so it equals the URL asked for. Refused,
        it is a 401 whose body is an info.json of the image's size and services only (the auth
        services lead the viewer to sign-in; the size is in the public manifest anyway)."""
        page = self.find(image_id)
        blocks = self.services(links, page) if self.services else None
        if not access.allows(page, requester, self.policy):
            raise access.refusal(image_info.refused_info(
                links.image_service(image_id), page.width, page.height, blocks))
        doc = image_info.info(links.image_service(image_id), page.width, page.height, self.limits,
                              blocks)
        body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
        media = image_info.JSONLD_TYPE if jsonld else "application/json"
        return Answer(media, key_name(page.checksum, media, body.decode()), page.datestamp,
                      {"Cache-Control": self._cache_control(access.is_public(page)),
                       "Vary": "Accept",
                       "Link": f'<{image_info.PROFILE_URI}>;rel="profile"'},
                      lambda: body, {"doc": doc}, access.is_public(page))

    # -- image requests ---------------------------------------------------------------
    def image(self, image_id: str, region: str, size: str, rotation: str, quality_format: str,
              links: Links, requester: access.Asking) -> Answer:
        """An image response; syntax, limits and access are all checked before any decoding."""
        req = parse(region, size, rotation, quality_format)
        page = self.find(image_id)
        public = access.is_public(page)
        if access.allows(page, requester, self.policy):
            r = resolve(req, page.width, page.height, self.limits)
        else:
            thumbnail = self._open_thumbnail(page, req)  # already resolved
            if thumbnail is None:
                raise access.refusal()
            r, public = thumbnail, True
        name = key_name(page.checksum or page.image_path, pyramid.VERSION, RENDER_VERSION,
                        r.render_key)
        canonical = f"{links.image_service(image_id)}/{r.canonical}"
        headers = {"Cache-Control": self._cache_control(public),
                   "Link": f'<{canonical}>;rel="canonical", '
                           f'<{image_info.PROFILE_URI}>;rel="profile"'}
        answer = Answer(r.media_type, name, page.datestamp, headers,
                        lambda: self._produce(page, r, name), {"canonical": canonical}, public)
        if self.nginx and r.quality == "default" and \
                image_info.grid_scale(r, page.width, page.height) is not None:
            if self._open_to_all(page):  # published as made, then nginx answers it directly
                make = answer.produce
                answer.produce = lambda: self._published(page, r, make())
            else:
                tree = tile_tree.READERS if self.for_every_reader(page) else tile_tree.INTERNAL
                answer.accel = lambda: self._internal(page, r, name, tree)
        return answer

    # -- the tile trees nginx serves (store.tile_tree) ---------------------------------
    def _unchanged(self, page: PageImage, tree: str) -> bool:
        """Whether the image is still what its tile was made of (and open, for the direct
        tree); asked under the trees' lock, see store.tile_tree."""
        now = self.lookup(page.image_id)
        return (now is not None and (now.checksum, now.datestamp) == (page.checksum,
                                                                       page.datestamp)
                and (tree == tile_tree.INTERNAL
                     or (tree == tile_tree.READERS and self.for_every_reader(now))
                     or (tree == tile_tree.DIRECT and self._open_to_all(now))))

    def _open_to_all(self, page: PageImage) -> bool:
        """Whether anyone, signed in or not, may have the page's tiles from a shared cache:
        only those go in the direct tree, which nginx serves without asking."""
        return access.is_public(page) and self.policy(page, access.ANONYMOUS)

    def for_every_reader(self, page: PageImage) -> bool:
        """Whether every signed-in reader, and only they, may see the page (`readers` under the
        default policy): only those tiles go in the readers tree, which nginx sends to the
        holder of a reader's pass without asking (store.reader_passes)."""
        return page.access == "readers" and self.policy is access.default_policy

    def _publish(self, page: PageImage, r: Resolved, data: bytes, tree: str) -> bool:
        try:
            return tile_tree.publish(self.data_path, page.image_id, tile_form(r), data,
                                     page.datestamp, lambda: self._unchanged(page, tree), tree)
        except OSError as error:
            cannot_write("tile trees", tile_tree.root(self.data_path, tree), error)
            return False

    def _published(self, page: PageImage, r: Resolved, data: bytes) -> bytes:
        """The tile, published first unless it is there (nginx sends it from then on; the app
        still answers it when asked directly)."""
        path = tile_tree.tile_file(self.tree_roots[tile_tree.DIRECT], page.image_id,
                                   tile_form(r))
        if not os.path.exists(path):
            self._publish(page, r, data, tile_tree.DIRECT)
        return data

    def _internal(self, page: PageImage, r: Resolved, name: str, tree: str) -> str | None:
        """The internal URI of this tile in `tree` (readers or internal), written first if
        need be; None when it cannot be written (the app then sends the bytes)."""
        form = tile_form(r)
        path = tile_tree.tile_file(self.tree_roots[tree], page.image_id, form)
        if not os.path.exists(path) and not self._publish(
                page, r, self._produce(page, r, name), tree):
            return None
        return tile_tree.internal_uri(page.image_id, form, tree)

    def pyramid_of(self, page: PageImage) -> Path | None:
        """The page's pyramid, converted now if this is its first use; None when it cannot be
        written (the scan is then rendered from itself)."""
        checksum = page.checksum or key_name(page.image_path)
        target = pyramid.pyramid_path(self.data_path, checksum,
                                      pyramid.tile_size(page.width, page.height))
        try:
            return pyramid.ensure_pyramid(page.image_path, target)
        except OSError as error:
            cannot_write("pyramids", self.data_path / "iiif", error)
            return None

    def _produce(self, page: PageImage, r: Resolved, name: str) -> bytes:
        scale = image_info.grid_scale(r, page.width, page.height)
        if scale is not None and (r.width, r.height) == (image_info.TILE, image_info.TILE):
            path = self.pyramid_of(page)
            if path is not None and pyramid.levels(path)[0] == (page.width, page.height):
                span = image_info.TILE * scale
                raw = image_tiff.raw_tile(path, scale.bit_length() - 1, r.x // span, r.y // span)
                if raw is not None:
                    return raw
        store = self.tiles if scale is not None else self.cache
        data = store.get(name)
        if data is not None:
            return data
        path = self.pyramid_of(page)
        try:
            if path is None:
                data = image_render.render_scan(page.image_path, page.width, page.height, r)
            else:
                data = image_render.render(path, pyramid.levels(path), page.width, page.height,
                                           r)
        except pyvips.Error as exc:
            raise IIIFError(404, "identifier", "this image cannot be rendered") from exc
        store.put(name, data)
        return data
