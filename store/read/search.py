"""Vietnamese catalogue search on the database's own full-text index.

Indexing and querying share one normalisation (fold, words): no tone or vowel marks, đ→d,
lower case, NFC and NFD alike (see the project notes on Vietnamese search). SQLite uses an
FTS5 table whose tokenizer does not fold again; PostgreSQL a weighted tsvector with a GIN index.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from store.folding import words

MAX_QUERY_WORDS = 16


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of hits: item ids in rank order, and the total number of matches."""

    item_ids: list[str]
    total: int


def search_items(session: Session, query: str, limit: int = 20, offset: int = 0,
                 set_pks: tuple[int, ...] | None = None) -> SearchPage:
    """Items whose title, subtitle, creators or subjects hold every word of the query.

    Title matches rank first; `set_pks` (from store.read.listing.set_pks) narrows the search to a
    set and its subsets. The reader's text never reaches the query syntax: each folded word is
    quoted (FTS5) or joined with '&' (tsquery), and an empty query finds nothing.
    """
    terms = words(query)[:MAX_QUERY_WORDS]
    if not terms or set_pks == ():
        return SearchPage([], 0)
    if session.get_bind().dialect.name == "sqlite":
        expr = " ".join(f'"{w}"' for w in terms)
        source = ("FROM item_fts JOIN item i ON i.pk = item_fts.rowid WHERE item_fts MATCH :q")
        order = "rank, i.item_id"
    else:
        expr = " & ".join(terms)
        source = ("FROM item_search s JOIN item i ON i.pk = s.item_pk, "
                  "to_tsquery('simple', :q) q WHERE s.document @@ q")
        order = "ts_rank(s.document, q, 0) DESC, i.item_id"
    params: dict[str, object] = {"q": expr, "l": limit, "o": offset}
    if set_pks is not None:
        source += " AND i.pk IN (SELECT item_pk FROM item_set WHERE set_pk IN :sets)"
        params["sets"] = list(set_pks)

    def run(sql: str):  # type: ignore[no-untyped-def]
        statement = text(sql)
        if set_pks is not None:
            statement = statement.bindparams(bindparam("sets", expanding=True))
        return session.execute(statement, params)

    total = run(f"SELECT count(*) {source}").scalar_one()
    rows = run(f"SELECT i.item_id {source} ORDER BY {order} LIMIT :l OFFSET :o").scalars().all()
    return SearchPage(list(rows), int(total))
