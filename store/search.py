"""Vietnamese catalogue search on the database's own full-text index.

Indexing and querying share one normalisation (fold, words): no tone or vowel marks, đ→d,
lower case, NFC and NFD alike (see the project notes on Vietnamese search). SQLite uses an
FTS5 table whose tokenizer does not fold again; PostgreSQL a weighted tsvector with a GIN index.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

_D = str.maketrans({"đ": "d", "Đ": "D"})
_WORD = re.compile(r"[^\W_]+")
MAX_QUERY_WORDS = 16


def fold(value: str) -> str:
    """Search key of a text: no tone or vowel marks, đ→d, lower case; NFC and NFD alike."""
    decomposed = unicodedata.normalize("NFD", value.translate(_D))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).casefold()


def words(value: str) -> list[str]:
    """The folded words of a text or a query, as the index sees them."""
    return _WORD.findall(fold(value))


def joined_words(values: list[str]) -> str:
    return " ".join(w for v in values for w in words(v))


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of hits: item ids in rank order, and the total number of matches."""

    item_ids: list[str]
    total: int


def index_item(session: Session, item_pk: int, title: list[str], creator: list[str],
               subject: list[str]) -> None:
    """Replace an item's entry in the search index (call in the item's write transaction)."""
    row = {"pk": item_pk, "t": joined_words(title), "c": joined_words(creator),
           "s": joined_words(subject)}
    unindex_item(session, item_pk)
    session.execute(text("INSERT INTO item_search (item_pk, title_words, creator_words, "
                         "subject_words) VALUES (:pk, :t, :c, :s)"), row)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("INSERT INTO item_fts (rowid, title, creator, subject) "
                             "VALUES (:pk, :t, :c, :s)"), row)


def unindex_item(session: Session, item_pk: int) -> None:
    """Remove an item from the search index (deleted items are not found)."""
    session.execute(text("DELETE FROM item_search WHERE item_pk = :pk"), {"pk": item_pk})
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("DELETE FROM item_fts WHERE rowid = :pk"), {"pk": item_pk})


def search_items(session: Session, query: str, limit: int = 20, offset: int = 0) -> SearchPage:
    """Items whose title, subtitle, creators or subjects hold every word of the query.

    Title matches rank first. The reader's text never reaches the query syntax: each folded
    word is quoted (FTS5) or joined with '&' (tsquery), and an empty query finds nothing.
    """
    terms = words(query)[:MAX_QUERY_WORDS]
    if not terms:
        return SearchPage([], 0)
    if session.get_bind().dialect.name == "sqlite":
        expr = " ".join(f'"{w}"' for w in terms)
        total = session.execute(text("SELECT count(*) FROM item_fts WHERE item_fts MATCH :q"),
                                {"q": expr}).scalar_one()
        rows = session.execute(text(
            "SELECT i.item_id FROM item_fts JOIN item i ON i.pk = item_fts.rowid "
            "WHERE item_fts MATCH :q ORDER BY rank, i.item_id LIMIT :l OFFSET :o"),
            {"q": expr, "l": limit, "o": offset}).scalars().all()
    else:
        expr = " & ".join(terms)
        total = session.execute(text(
            "SELECT count(*) FROM item_search WHERE document @@ to_tsquery('simple', :q)"),
            {"q": expr}).scalar_one()
        rows = session.execute(text(
            "SELECT i.item_id FROM item_search s JOIN item i ON i.pk = s.item_pk, "
            "to_tsquery('simple', :q) q WHERE s.document @@ q "
            "ORDER BY ts_rank(s.document, q, 0) DESC, i.item_id LIMIT :l OFFSET :o"),
            {"q": expr, "l": limit, "o": offset}).scalars().all()
    return SearchPage(list(rows), int(total))
