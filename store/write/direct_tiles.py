"""The tile trees and the readers' passes kept true: the images of every item a transaction
changes are withdrawn from the trees, and the passes of every reader it changes are removed,
as the transaction commits (store.tile_tree and store.reader_passes say why that closes the
race with the image service publishing a tile or granting a pass)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from store import reader_passes, tile_tree

_CHANGED = "thuvienso.direct_tiles"
_READERS = "thuvienso.reader_passes"
LOG = logging.getLogger("thuvienso.tile_tree")


def withdraw_at_commit(session: Session, item_ids: Iterable[str]) -> None:
    """Withdraw these items' tiles from the tile trees when this transaction commits."""
    session.info.setdefault(_CHANGED, set()).update(item_ids)


def revoke_at_commit(session: Session, logins: Iterable[str]) -> None:
    """Remove these readers' passes when this transaction commits."""
    session.info.setdefault(_READERS, set()).update(logins)


@event.listens_for(Session, "after_commit")
def _withdraw(session: Session) -> None:
    changed: set[str] = session.info.pop(_CHANGED, set())
    readers: set[str] = session.info.pop(_READERS, set())
    data_path: Path | None = session.info.get(tile_tree.SESSION_KEY)
    if readers and data_path is not None:
        try:
            reader_passes.revoke(data_path, readers)
        except OSError as error:  # committed: the account change stands, nginx must be told
            LOG.error("could not remove the passes of %s from %s (%s): delete that folder, "
                      "nginx may still send them tiles", ", ".join(sorted(readers)),
                      reader_passes.folder(data_path), error)
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
        session.info.pop(_READERS, None)
