"""The direct tile tree kept true: the images of every item a transaction changes are withdrawn
from it as the transaction commits (store.tile_tree says why that closes the race with the
image service publishing a tile)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from store import tile_tree

_CHANGED = "thuvienso.direct_tiles"
LOG = logging.getLogger("thuvienso.tile_tree")


def withdraw_at_commit(session: Session, item_ids: Iterable[str]) -> None:
    """Withdraw these items' tiles from the direct tree when this transaction commits."""
    session.info.setdefault(_CHANGED, set()).update(item_ids)


@event.listens_for(Session, "after_commit")
def _withdraw(session: Session) -> None:
    changed: set[str] = session.info.pop(_CHANGED, set())
    data_path: Path | None = session.info.get(tile_tree.SESSION_KEY)
    if changed and data_path is not None:
        try:
            tile_tree.withdraw(data_path, changed)
        except OSError as error:  # committed: the change stands, and nginx must be told
            LOG.error("could not withdraw the tiles of %s from %s (%s): delete that folder, "
                      "nginx may still send them", ", ".join(sorted(changed)),
                      tile_tree.root(data_path).parent, error)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    if not session.in_transaction():
        session.info.pop(_CHANGED, None)
