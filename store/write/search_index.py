"""An item's indexed words, written with the item (see store.read.search for the queries)."""

from __future__ import annotations

from store.folding import joined_words
from store.records import ItemInput


def index_words(item: ItemInput) -> tuple[str, str, str]:
    """An item's indexed words: title with subtitle (245 $b), creators, subjects."""
    meta = item.metadata
    return (joined_words([v.value for v in meta if v.element == "title"]
                         + [item.subtitle or ""]),
            joined_words([v.value for v in meta if v.element in ("creator", "contributor")]),
            joined_words([v.value for v in meta if v.element == "subject"]))
