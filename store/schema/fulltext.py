"""How page text sits in the full-text indexes, shared by the writes, the reads and migrations.

SQLite: `page_fts`, a contentless FTS5 table (the text itself stays in `page.text`) whose rowid
packs the item's key and the page number, so that a search finds its items without reading
`page` and a search within one item is a rowid range. PostgreSQL: `page.document`, a tsvector
with a GIN index, written as a literal whose positions are the words' places in the page.
"""

from __future__ import annotations

import re

PAGE_BITS = 20  # pages per item, at most 2**20 - 1
MAX_POSITIONS = 255  # positions kept per word and page (PostgreSQL keeps 256 at most)
MAX_POSITION = 16383  # PostgreSQL's largest tsvector position
# metadata searched and ranked below title and creator (coverage: the place)
OTHER_ELEMENTS = ("description", "publisher", "coverage", "date")
_YEAR = re.compile(r"(?<![0-9])([0-9]{4})(?![0-9])")


def first_year(dates: list[str]) -> int | None:
    """The first four-digit year in an item's dates (`1923-05-12` gives 1923), if any: what
    the date-range filter compares."""
    for value in dates:
        if match := _YEAR.search(value):
            return int(match[1])
    return None


def page_rowid(item_pk: int, seq: int) -> int:
    """The page_fts rowid of page `seq` of an item."""
    return (item_pk << PAGE_BITS) | seq


def item_rowids(item_pk: int) -> tuple[int, int]:
    """The first and last page_fts rowid an item's pages can have."""
    return item_pk << PAGE_BITS, ((item_pk + 1) << PAGE_BITS) - 1


def tsvector_literal(words: list[str]) -> str:
    """The tsvector of folded words (store.folding.words) with their positions, as text
    PostgreSQL reads (COPY or a ::tsvector cast); the words hold no quote or backslash."""
    positions: dict[str, list[str]] = {}
    for n, word in enumerate(words, start=1):
        kept = positions.setdefault(word, [])
        if len(kept) < MAX_POSITIONS and n <= MAX_POSITION:
            kept.append(str(n))
    return " ".join(f"'{w}':{','.join(p)}" if p else f"'{w}'" for w, p in positions.items())
