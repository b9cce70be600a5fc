"""Readers' passes: how nginx sends a signed-in reader the tiles of `readers` images itself.

A pass is a symbolic link `{data_dir}/iiif/passes/{day}/{name}` to the readers tile tree
(store.tile_tree.READERS). The reader's browser holds `name` in a cookie, and nginx answers a
tile from `passes/{today}/{name}/iiif/image/…`, a path that exists only while both the pass
and the tile do (one lookup, no request to the app). The app grants a pass for the day once it
has checked the reader's session, so the day's first tile of a reader goes to the app.

A pass names its reader (`{login}~{32 hex digits}`): every change of a reader's account
removes the reader's passes as it commits (store.write.direct_tiles), under the trees' lock
held exclusive, while a grant holds it shared and checks the session again first, so a pass is
never granted to a session that has just ended. A pass of another day is never honoured (nginx
looks in today's folder), so an account that ends tonight gets no tile from nginx tomorrow;
earlier days' folders are removed as a new day's first pass is granted.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

from store import tile_tree

PASSES = "passes"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,127}~[0-9a-f]{32}")  # store.write.readers.LOGIN
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
TARGET = f"../../{tile_tree.READERS}"  # from passes/{day}/: the readers tree


def folder(data_path: Path) -> Path:
    """The folder of the days' passes."""
    return data_path / "iiif" / PASSES


def pass_path(data_path: Path, name: str, day: date) -> str:
    """The link a pass is on `day` (nginx's root for the tiles of its holder)."""
    if not NAME.fullmatch(name):
        raise ValueError(f"not a reader's pass: {name!r}")
    return f"{folder(data_path)}/{day.isoformat()}/{name}"


def has_pass(data_path: Path, name: str, day: date) -> bool:
    return os.path.islink(pass_path(data_path, name, day))


def grant(data_path: Path, name: str, day: date, still_valid: Callable[[], bool]) -> bool:
    """Give the pass `name` for `day` if `still_valid()` (the reader's session stands) once the
    lock is taken; True when the pass holds. OSError when it cannot be written."""
    link = pass_path(data_path, name, day)
    if os.path.islink(link):
        return True
    day_folder = Path(link).parent
    with tile_tree.locked(data_path, exclusive=False):
        if not still_valid():
            return False
        if not day_folder.is_dir():
            day_folder.mkdir(mode=0o750, parents=True, exist_ok=True)
            _sweep(data_path, day)
        tmp = f"{day_folder}/.{name}.{os.getpid()}.{threading.get_ident()}.tmp"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        os.symlink(TARGET, tmp)
        os.replace(tmp, link)
        return True


def _sweep(data_path: Path, today: date) -> None:
    """Remove the folders of days before `today` (their passes are never honoured again)."""
    for entry in os.scandir(folder(data_path)):
        if _DAY.fullmatch(entry.name) and entry.name < today.isoformat():
            shutil.rmtree(entry.path, ignore_errors=True)  # removes links, never their targets


def revoke(data_path: Path, logins: Iterable[str]) -> int:
    """Remove every pass of these readers, of any day; how many were removed."""
    wanted = set(logins)
    days = folder(data_path)
    if not wanted or not days.is_dir():
        return 0
    removed = 0
    with tile_tree.locked(data_path, exclusive=True):
        for day in os.scandir(days):
            if not day.is_dir(follow_symlinks=False):
                continue
            for entry in os.scandir(day.path):
                if entry.name.rpartition("~")[0] in wanted:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)
                        removed += 1
    return removed
