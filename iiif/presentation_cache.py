"""Built Presentation documents kept on disk, keyed by everything they were built from.

A manifest is built once per item datestamp (and content hash, base URL, settings), written
atomically under {data_dir}/cache/{kind}/{name}/{key}.json and read by any worker after that.
A small bounded in-process LRU sits on top; nothing in it is needed by the next request.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from pathlib import Path

from iiif.derivatives import cannot_write

FORMAT_VERSION = "presentation-3.1"  # change when the builders' output changes
KEEP_PER_NAME = 4  # cached versions kept per item or set (e.g. several base URLs)
_SAFE = str.maketrans({"/": "_", ":": "+", "\\": "_"})


def cache_key(*parts: str) -> str:
    """A stable hex key of the inputs of a document (also its ETag)."""
    return hashlib.sha256("\x1f".join((FORMAT_VERSION, *parts)).encode()).hexdigest()[:40]


class DocumentCache:
    """Files under root/{kind}/{name}/, one per key; an LRU of at most memory_bytes on top."""

    def __init__(self, root: Path, memory_bytes: int = 64 * 1024 * 1024) -> None:
        self.root = root
        self.memory_bytes = memory_bytes
        self._memory: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def _path(self, kind: str, name: str, key: str) -> Path:
        return self.root / kind / name.translate(_SAFE) / f"{key}.json"

    def get(self, kind: str, name: str, key: str) -> bytes | None:
        """The cached document, or None."""
        with self._lock:
            data = self._memory.get(key)
            if data is not None:
                self._memory.move_to_end(key)
                return data
        try:
            data = self._path(kind, name, key).read_bytes()
        except OSError:
            return None
        self._remember(key, data)
        return data

    def put(self, kind: str, name: str, key: str, data: bytes) -> None:
        """Keep a document: written to a temporary file, then renamed into place."""
        path = self._path(kind, name, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{key}.{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
            self._prune(path.parent)
        except OSError as error:  # a read-only or full disk only costs a rebuild next time
            cannot_write("built documents", self.root, error)
        self._remember(key, data)

    def _remember(self, key: str, data: bytes) -> None:
        if len(data) > self.memory_bytes // 4:
            return
        with self._lock:
            if key in self._memory:
                return
            self._memory[key] = data
            self._size += len(data)
            while self._size > self.memory_bytes:
                _, old = self._memory.popitem(last=False)
                self._size -= len(old)

    @staticmethod
    def _prune(folder: Path) -> None:
        files = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[KEEP_PER_NAME:]:
            old.unlink(missing_ok=True)
