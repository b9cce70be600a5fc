"""What the format readers hand to the import loop: one entry per record of a file."""

from __future__ import annotations

from dataclasses import dataclass, field

from store.records import ItemInput, valid_set_spec

__all__ = ["Delete", "Entry", "ReadContext", "Reject", "Upsert", "valid_set_spec"]

MAX_LANG = 16  # the store's column width for a language tag


@dataclass(frozen=True, slots=True)
class Upsert:
    """Record `number` of its file makes or updates this item."""

    number: int
    item: ItemInput


@dataclass(frozen=True, slots=True)
class Delete:
    """Record `number` deletes this item (a tombstone stays)."""

    number: int
    item_id: str


@dataclass(frozen=True, slots=True)
class Reject:
    """Record `number` cannot be imported, for this reason (one sentence)."""

    number: int
    reason: str


Entry = Upsert | Delete | Reject


@dataclass
class ReadContext:
    """What a reader needs besides the file, and what it tells back."""

    id_prefix: str = ""
    cleaned_chars: int = 0  # characters forbidden in XML, removed
    problems: list[str] = field(default_factory=list)  # `FILE: page N: reason`, item kept


def lang_or_none(value: str | None) -> str | None:
    """A language tag the store can hold, None for a missing or oversized one."""
    value = (value or "").strip()
    return value if value and len(value) <= MAX_LANG else None
