"""How page text sits in the full-text indexes, shared by the writes, the reads and migrations.

SQLite: `page_fts`, a contentless FTS5 table (the text itself stays in `page.text`) whose rowid
packs the item's key and the page number, so that a search finds its items without reading
`page` and a search within one item is a rowid range. PostgreSQL: `page_search(item_pk, seq,
document)`, a narrow table of the pages with text (migration 0006): a tsvector with a GIN
index, written as a literal whose positions are the words' places in the page.
"""

from __future__ import annotations

import re

PAGE_BITS = 20  # pages per item, at most 2**20 - 1
MAX_POSITIONS = 255  # positions kept per word and page (PostgreSQL keeps 256 at most)
MAX_POSITION = 16383  # PostgreSQL's largest tsvector position
MAX_WORD = 200  # characters of a word indexed, at most (PostgreSQL refuses lexemes over 2 KB)
# metadata searched and ranked below title and creator (coverage: the place)
OTHER_ELEMENTS = ("description", "publisher", "coverage", "date")
_YEAR = re.compile(r"(?<![0-9])([0-9]{4})(?![0-9])")
# SQLite's FTS5 tables as migration 0005 made them (the words are folded already), for
# `thuvienso reindex` to make them again
_FTS = "tokenize='unicode61 remove_diacritics 0'"
ITEM_FTS = "CREATE VIRTUAL TABLE {name} USING fts5(title, creator, subject, other, " + _FTS + ")"
ITEM_FTS_RANK = "bm25(10.0, 10.0, 2.0, 1.0)"  # title and creator above subject above the rest
PAGE_FTS = "CREATE VIRTUAL TABLE {name} USING fts5(body, content='', " + _FTS + ")"


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


def pair(first: str, second: str) -> str:
    """The lexeme of two words in a row (`_` is never inside a folded word)."""
    return f"{first}_{second}"


def tsvector_literal(words: list[str]) -> str:
    """The tsvector of folded words (store.folding.words) with their positions, and every pair
    of words in a row as one more lexeme without position, as text PostgreSQL reads (COPY or a
    ::tsvector cast); the words hold no quote or backslash.

    The pairs let the GIN index narrow a phrase to the pages holding its pairs, so that only
    those are read to check the words' positions (a phrase of common words otherwise makes
    PostgreSQL read the positions of every page holding all its words).
    """
    positions: dict[str, list[str]] = {}
    words = [w for w in words if len(w) <= MAX_WORD]  # as PostgreSQL's own parser, skip them
    for n, word in enumerate(words, start=1):
        kept = positions.setdefault(word, [])
        if len(kept) < MAX_POSITIONS and n <= MAX_POSITION:
            kept.append(str(n))
    pairs = dict.fromkeys(pair(a, b) for a, b in zip(words, words[1:], strict=False))
    return " ".join([*(f"'{w}':{','.join(p)}" if p else f"'{w}'"
                       for w, p in positions.items()), *(f"'{p}'" for p in pairs)])
