"""The tile trees nginx serves: tiles as files at their URL paths.

`{data_dir}/iiif/direct/iiif/image/{image_id}/{region}/{size}/0/default.jpg` mirrors the
canonical Image API URL of an open image's tile (the nginx site's `root` for image requests is
`{data_dir}/iiif/direct`). Two more trees are laid out the same: `readers/` for the tiles of
`readers` images, which nginx sends a signed-in reader itself through the reader's pass
(store.reader_passes), and `internal/` for the tiles of other images. nginx serves both from
internal locations too, when the app, having checked access, answers with `X-Accel-Redirect`
(`internal_uri`). The image service publishes a tile once it made it (`publish`); every write
that changes an item withdraws the item's images from every tree at once (`withdraw`, called
by the write path as it commits).

The race between the two is closed by one lock: a publisher holds it shared while it checks
that the image is still what it made the tile of and renames the file in, a withdrawal holds it
exclusive after the change is committed. So a tile of an image that stopped being open is
either never published or removed once the change is visible. Deleting the whole tree is always
safe: tiles are published again as they are asked for.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

IMAGES = ("iiif", "image")  # the URL path of the Image API, below the site's root
SESSION_KEY = "thuvienso.data_path"  # a write session's data dir (Session.info)


DIRECT, READERS, INTERNAL = "direct", "readers", "internal"
TREES = (DIRECT, READERS, INTERNAL)
INTERNAL_PREFIX = "/_thuvienso_internal"  # nginx's internal location for the internal tree
READERS_PREFIX = "/_thuvienso_readers"  # and for the readers tree


def root(data_path: Path, tree: str = DIRECT) -> Path:
    """The folder nginx serves a tree from (its `root`, or the internal location's `alias`)."""
    return data_path / "iiif" / tree


def image_folder(data_path: Path, image_id: str, tree: str = DIRECT) -> Path:
    """Where the files of one image live: its service URL's path, as nginx decodes it."""
    return root(data_path, tree).joinpath(*IMAGES, quote(image_id, safe="~"))


def internal_uri(image_id: str, form: str, tree: str = INTERNAL) -> str:
    """The X-Accel-Redirect target of a tile in the internal (or the readers) tree."""
    return tile_file(READERS_PREFIX if tree == READERS else INTERNAL_PREFIX, image_id, form)


@contextlib.contextmanager
def locked(data_path: Path, exclusive: bool) -> Iterator[None]:
    """The trees' lock (and the readers' passes'): shared to add, exclusive to remove."""
    folder = data_path / "iiif"
    folder.mkdir(mode=0o750, parents=True, exist_ok=True)
    with open(folder / ".tree.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def tile_path(data_path: Path, image_id: str, form: str, tree: str = DIRECT) -> Path:
    """The file of a tile, at its request's path (`form`: region/size/rotation/quality)."""
    return Path(tile_file(str(root(data_path, tree)), image_id, form))


def tile_file(tree_root: str, image_id: str, form: str) -> str:
    """`tile_path` as a string, below a tree's root (asked on every image request behind
    nginx: strings cost a tenth of pathlib here)."""
    if form.startswith("/") or "/../" in f"/{form}/" or "/./" in f"/{form}/":
        raise ValueError(f"not an image request's path: {form!r}")
    return f"{tree_root}/{IMAGES[0]}/{IMAGES[1]}/{quote(image_id, safe='~')}/{form}"


def publish(data_path: Path, image_id: str, form: str, data: bytes,
            last_modified: datetime, still_valid: Callable[[], bool], tree: str = DIRECT
            ) -> bool:
    """Put `data` at the tile's path in `tree`, dated `last_modified` (nginx's Last-Modified),
    if `still_valid()` holds once the lock is taken; True when it was published. OSError when
    the tree cannot be written."""
    target = tile_path(data_path, image_id, form, tree)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with locked(data_path, exclusive=False):
            if not still_valid():
                return False
            target.parent.mkdir(mode=0o750, parents=True, exist_ok=True)
            with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640), "wb") as fh:
                fh.write(data)
            stamp = stamp_of(last_modified)
            os.utime(tmp, (stamp, stamp))
            os.replace(tmp, target)
            return True
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def stamp_of(moment: datetime) -> float:
    """A file time for a store datestamp (naive datestamps are UTC)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def withdraw(data_path: Path, item_ids: Iterable[str]) -> int:
    """Remove every image of these items from every tree; the number of images removed."""
    folders = [f for f in (root(data_path, t).joinpath(*IMAGES) for t in TREES)
               if f.is_dir()]
    wanted = {quote(item_id, safe="~") for item_id in item_ids}
    if not wanted or not folders:
        return 0
    removed = 0
    with locked(data_path, exclusive=True):
        for folder in folders:
            for entry in os.scandir(folder):
                if entry.name.partition("~")[0] in wanted:
                    shutil.rmtree(entry.path, ignore_errors=True)
                    removed += 1
    return removed

