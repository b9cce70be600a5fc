"""The store's write path: idempotent upsert and deletion of items, sets.

An item's datestamp changes exactly when what it exports changes: the upsert compares a hash
of the exported content and leaves an unchanged item as it was. Each call runs inside the
caller's transaction, so an import killed halfway leaves no half-written item.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.records import (
    ACCESS_LEVELS,
    DC_ELEMENTS,
    ItemInput,
    SetInput,
    set_lineage,
    utc_now,
    valid_set_spec,
)
from store.rights import own_statement
from store.schema.models import Item, OAISet
from store.write.direct_tiles import withdraw_at_commit

Outcome = Literal["imported", "updated", "unchanged"]
IMAGE_DIR = "images"


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def file_checksum(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def store_image(source: str | Path, checksum: str, data_path: Path) -> str:
    """Copy a scan into the content-addressed image folder; returns its path in the data dir."""
    suffix = Path(source).suffix.lower() or ".img"
    relative = f"{IMAGE_DIR}/{checksum[:2]}/{checksum}{suffix}"
    target = data_path / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    return relative


def content_hash(item: ItemInput, checksums: list[str]) -> str:
    exported = {
        "access": item.access,
        "metadata": [[v.element, nfc(v.value), v.lang] for v in item.metadata],
        "sets": sorted(set(item.sets)),
        # boxes only when given, so that the hashes of items without them stay as they were
        "pages": [[p.label, p.width, p.height, c, p.text, *([p.boxes] if p.boxes else [])]
                  for p, c in zip(item.pages, checksums, strict=True)],
        "source": item.source_record,
        "rights": item.rights_uri,
        "direction": item.viewing_direction,
        "behavior": item.behavior,
        "subtitle": item.subtitle,
    }
    if item.origin is not None:  # not the harvest date: an unchanged record stays unchanged
        origin = item.origin
        exported["origin"] = [origin.base_url, origin.identifier, origin.datestamp,
                              origin.metadata_namespace]
    return hashlib.sha256(json.dumps(exported, ensure_ascii=False).encode()).hexdigest()


def ensure_sets(session: Session, specs: list[str] | tuple[str, ...]) -> dict[str, OAISet]:
    """The OAISet rows of these specs, created (with their parents) where missing."""
    wanted = {above for spec in specs for above in set_lineage(spec)}
    found = {s.spec: s for s in session.scalars(select(OAISet).where(OAISet.spec.in_(wanted)))}
    for spec in sorted(wanted - found.keys()):
        found[spec] = OAISet(spec=spec, name=spec.rsplit(":", 1)[-1])
        session.add(found[spec])
    if wanted - found.keys() or any(s.pk is None for s in found.values()):
        session.flush()
    return found


def upsert_set(session: Session, new: SetInput) -> None:
    """Create a set or update its name and description (its parents are created too)."""
    if not valid_set_spec(new.spec):
        raise ValueError(f"{new.spec!r} is not a set spec")
    row = ensure_sets(session, [new.spec])[new.spec]
    row.name = nfc(new.name)
    row.description = nfc(new.description) if new.description else None


def validate(item: ItemInput) -> None:
    """Raise ValueError for an item the store cannot hold."""
    if item.access not in ACCESS_LEVELS:
        raise ValueError(f"access must be one of {', '.join(ACCESS_LEVELS)}, not {item.access!r}")
    for value in item.metadata:
        if value.element not in DC_ELEMENTS:
            raise ValueError(f"{value.element!r} is not a Dublin Core element")
    own_statement(item.rights_uri, [v.value for v in item.metadata if v.element == "rights"])
    for spec in item.sets:
        if not valid_set_spec(spec):
            raise ValueError(f"{spec!r} is not a set spec (parts of letters, digits and "
                             "-_.!~*'() joined by colons)")


def set_defaults(session: Session, specs: Iterable[str]) -> dict[str, str]:
    """The default statements of these sets and the sets above them (those that have one)."""
    wanted = {above for spec in specs for above in set_lineage(spec)}
    if not wanted:
        return {}
    rows = session.execute(select(OAISet.spec, OAISet.rights_uri).where(
        OAISet.spec.in_(wanted), OAISet.rights_uri.is_not(None)))
    return {spec: uri for spec, uri in rows if uri}


def inherited_statement(sets: Iterable[str], defaults: dict[str, str]) -> str | None:
    """The statement an item takes from its sets: the deepest set's default, then by spec."""
    found = [(-spec.count(":"), spec) for own in sets for spec in set_lineage(own)
             if spec in defaults]
    return defaults[min(found)[1]] if found else None


def upsert_item(session: Session, item: ItemInput, data_path: Path) -> Outcome:
    """Insert or update one item by its local id; an unchanged one keeps its datestamp."""
    from store.write.bulk import bulk_upsert  # the one write path; it builds on this module

    return bulk_upsert(session, [item], data_path)[0]


def delete_item(session: Session, item_id: str) -> bool:
    """Turn an item into a tombstone; False when there was nothing to delete."""
    from store.write.bulk import bulk_delete

    return bulk_delete(session, [item_id])[0]


def set_access(session: Session, item_id: str, level: str) -> bool:
    """Set a live item's access level (a new datestamp, so manifests are rebuilt); False when
    it already had that level. Raises LookupError for an unknown or deleted item."""
    if level not in ACCESS_LEVELS:
        raise ValueError(f"access must be one of {', '.join(ACCESS_LEVELS)}, not {level!r}")
    row = session.scalar(select(Item).where(Item.item_id == item_id, Item.deleted.is_(False)))
    if row is None:
        raise LookupError(f"there is no item {item_id!r}")
    if row.access == level:
        return False
    row.access = level
    # The hash of the exported content stands for the item's input; the new level is folded
    # in, so a later import of the same record sees a change and restores the source's level.
    row.content_hash = hashlib.sha256(f"{row.content_hash}\naccess={level}".encode()).hexdigest()
    row.datestamp = max(utc_now(), row.datestamp)
    withdraw_at_commit(session, [item_id])  # nginx stops serving its tiles at once
    return True
