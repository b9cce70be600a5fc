"""What is indexed with an item (see store.read.search for the queries).

Item metadata goes to `item_search` (and `item_fts` on SQLite) in four ranked parts; page text
to the page index of store.schema.fulltext. Every word passes through store.folding.
"""

from __future__ import annotations

from store.folding import joined_words, words
from store.records import ItemInput
from store.schema.fulltext import OTHER_ELEMENTS, first_year, page_rowid, tsvector_literal


def index_words(item: ItemInput) -> tuple[str, str, str, str, int | None]:
    """An item's indexed words: title with subtitle (245 $b), creators, subjects, the other
    searched metadata (description, publisher, place, date); and its year."""
    meta = item.metadata

    def of(*elements: str) -> list[str]:
        return [v.value for v in meta if v.element in elements]

    return (joined_words(of("title") + [item.subtitle or ""]),
            joined_words(of("creator", "contributor")),
            joined_words(of("subject")),
            joined_words(of(*OTHER_ELEMENTS)),
            first_year(of("date")))


def page_fts_row(item_pk: int, seq: int, text: str) -> tuple[int, str]:
    """The SQLite page_fts row of a page's text (also what deletes it again)."""
    return page_rowid(item_pk, seq), " ".join(words(text))


def page_document(text: str | None) -> str | None:
    """The PostgreSQL tsvector of a page's text, as a literal."""
    return tsvector_literal(words(text)) if text else None
