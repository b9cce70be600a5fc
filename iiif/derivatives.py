"""Derivative files (pyramids, rendered images, built documents) that cannot be written.

A read-only or full disk under the data dir costs speed, never an answer: callers go on
without keeping the file (a scan without a pyramid is rendered from the scan itself). This
logs one warning per kind of derivative and process, not one per request.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

LOG = logging.getLogger("thuvienso.derivatives")
_warned: set[str] = set()
_lock = threading.Lock()


def cannot_write(kind: str, where: Path, error: OSError) -> None:
    """Note that derivatives of `kind` cannot be kept under `where`; warns the first time."""
    with _lock:
        if kind in _warned:
            return
        _warned.add(kind)
    LOG.warning("cannot write %s under %s (%s): serving them without keeping them", kind,
                where, error.strerror or error)
