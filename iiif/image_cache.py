"""Rendered responses kept as files: written atomically (temp file, then rename).

`FileStore` keeps what it is given for good (the advertised tile grid, bounded by the pyramid).
`ResponseCache` is bounded by size: least recently used files go first (use refreshes mtime).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import threading
import time
from pathlib import Path

from iiif.derivatives import cannot_write

TOUCH_AFTER = 60.0  # seconds: refresh a hit's mtime at most this often (LRU order)


def key_name(*parts: str) -> str:
    """A file name for a cache key (sha256 hex)."""
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


class FileStore:
    """Files named by key under `root`, written atomically, never evicted."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, name: str) -> Path:
        return self.root / name[:2] / name

    def get(self, name: str) -> bytes | None:
        try:
            with open(self.path(name), "rb") as fh:
                return fh.read()
        except OSError:
            return None

    def put(self, name: str, data: bytes) -> None:
        """Write then rename, so readers see the whole file or none; errors are ignored."""
        path = self.path(name)
        tmp = path.with_name(f".{name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except OSError as error:
            cannot_write("rendered images", self.root, error)
            with contextlib.suppress(OSError):
                tmp.unlink()


class ResponseCache(FileStore):
    """A FileStore bounded to `max_bytes` (0 turns it off), evicting least recently used."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        super().__init__(root)
        self.max_bytes = max_bytes
        self._written = max_bytes  # sweep on this process's first write
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def get(self, name: str) -> bytes | None:
        if not self.enabled:
            return None
        data = super().get(name)
        if data is not None:
            path = self.path(name)
            with contextlib.suppress(OSError):
                if time.time() - path.stat().st_mtime > TOUCH_AFTER:
                    os.utime(path)
        return data

    def put(self, name: str, data: bytes) -> None:
        if not self.enabled or len(data) > self.max_bytes // 4:
            return
        super().put(name, data)
        with self._lock:
            self._written += len(data)
            due = self._written >= max(self.max_bytes // 20, 1)
            if due:
                self._written = 0
        if due:
            self.sweep()

    def sweep(self) -> int:
        """Delete the oldest files until the total is under 90 % of the bound; bytes kept.
        One process sweeps at a time; the others skip (and all do when the disk refuses)."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            lock = open(self.root / ".sweep.lock", "a")  # noqa: SIM115 - closed below
        except OSError as error:
            cannot_write("rendered images", self.root, error)
            return -1
        with lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return -1
            files = []
            for shard in os.scandir(self.root):
                if not shard.is_dir():
                    continue
                for entry in os.scandir(shard.path):
                    with contextlib.suppress(OSError):
                        st = entry.stat()
                        if entry.name.startswith(".") and time.time() - st.st_mtime > 3600:
                            os.unlink(entry.path)  # a temp file left by a crash
                            continue
                        files.append((st.st_mtime, st.st_size, entry.path))
            total = sum(size for _, size, _ in files)
            if total > self.max_bytes:
                files.sort()
                goal = self.max_bytes * 9 // 10
                for _, size, path in files:
                    if total <= goal:
                        break
                    with contextlib.suppress(OSError):
                        os.unlink(path)
                        total -= size
            return total
