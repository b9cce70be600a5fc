"""One search over item metadata and page text, on the database's own full-text indexes.

Two indexes, searched apart (store.schema.fulltext): the small item index (title and creator
above subject above the other metadata: description, publisher, place, date), ranked in full;
and the large page index, of which at most PAGE_CANDIDATES matching pages are read, with no
ranking beyond counting each item's matching pages. Items found by their metadata come first,
then items found only by their page text (most matching pages first). Filters (set, years) and
the access rule (page text counts only for items whose text the reader may see) are applied to
the candidates in the statement that reads each index (one statement an index, joined to
`item`). On PostgreSQL the page candidates come from `page_matches()` (migration 0006), which
reads them through the GIN index from the narrow `page_search`. The first matching page of each
item comes with the candidates; its text (for the snippet) is read only for the items shown, and
an item found by its metadata whose pages were not among the candidates shows a snippet of its
metadata.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BindParameter, bindparam, text
from sqlalchemy.orm import Session

from store.read.search_query import Query, parse_query
from store.records import PageTextRecord
from store.schema.fulltext import PAGE_BITS, item_rowids

ITEM_CANDIDATES = 2_000  # item-index matches ranked, at most
PAGE_CANDIDATES = 5_000  # page-index matches read, at most (BENCHMARKS.md: Full text)


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of hits: item ids in rank order, the total number of matches (`capped` when it
    is a lower bound), and the page whose text matched, for the items shown that have one."""

    item_ids: list[str]
    total: int
    capped: bool = False
    pages: dict[str, PageTextRecord] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Filters:
    """What narrows a search: sets (store.read.listing.set_pks), a range of years, and the access
    levels whose page text this reader may search."""

    set_pks: tuple[int, ...] | None = None
    years: tuple[int | None, int | None] = (None, None)
    text_levels: tuple[str, ...] = ("open",)


def search_items(session: Session, query: str, limit: int = 20, offset: int = 0,
                 set_pks: tuple[int, ...] | None = None,
                 filters: Filters | None = None) -> SearchPage:
    """Items matching every word (and phrase) of the query, in metadata or page text."""
    filters = filters or Filters(set_pks=set_pks)
    parsed = parse_query(query)
    if not parsed or filters.set_pks == ():
        return SearchPage([], 0)
    sqlite = session.get_bind().dialect.name == "sqlite"
    where = _Where(filters, sqlite)
    by_meta, meta_read = _item_matches(session, parsed, where, sqlite)
    by_text, pages_read = _page_matches(session, parsed, where, sqlite)
    ordered = list(by_meta.items())
    ordered += [(pk, found[2]) for pk, found in sorted(by_text.items(),
                                                       key=lambda kv: (-kv[1][0], kv[0]))
                if pk not in by_meta]
    shown = dict(ordered[offset:offset + limit])
    pages = _page_texts(session, [(pk, by_text[pk][1]) for pk in shown if pk in by_text])
    capped = meta_read >= ITEM_CANDIDATES or pages_read >= PAGE_CANDIDATES
    return SearchPage(list(shown.values()), len(ordered), capped,
                      {shown[pk]: page for pk, page in pages.items()})


class _Where:
    """The filters as SQL conditions on `item i` (and `item_search s`, joined when a year is
    asked), with their parameters: applied in the statement that reads an index."""

    def __init__(self, filters: Filters, sqlite: bool) -> None:
        self.conditions = ["NOT i.deleted"]
        self.params: dict[str, Any] = {}
        self.binds: list[BindParameter[Any]] = []
        low, high = filters.years
        self.join = "" if low is None and high is None else \
            " LEFT JOIN item_search s ON s.item_pk = i.pk"
        if low is not None:
            self.conditions.append("s.year >= :low")
            self.params["low"] = low
        if high is not None:
            self.conditions.append("s.year <= :high")
            self.params["high"] = high
        if filters.set_pks is not None:
            self.conditions.append("i.pk IN (SELECT item_pk FROM item_set WHERE set_pk IN "
                                   ":sets)")
            self.params["sets"] = list(filters.set_pks)
            self.binds.append(bindparam("sets", expanding=True))
        self.text_levels = list(filters.text_levels)

    def sql(self, *more: str) -> str:
        return " AND ".join([*self.conditions, *more])


def _item_matches(session: Session, query: Query, where: _Where, sqlite: bool
                  ) -> tuple[dict[int, str], int]:
    """Items whose metadata matches and that pass the filters, best first (a small index:
    ranked in full), by key; and how many the index gave (ITEM_CANDIDATES at most)."""
    if sqlite:
        sql = ("SELECT f.rowid, i.item_id FROM item_fts f JOIN item i ON i.pk = f.rowid"
               f"{where.join} WHERE item_fts MATCH :q AND {where.sql()} "
               "ORDER BY f.rank, f.rowid LIMIT :n")
        expr = query.fts5()
    else:
        # weights of D, C, B, A: other metadata, subject, -, title and creator
        sql = ("SELECT d.item_pk, i.item_id FROM item_search d JOIN item i ON i.pk = d.item_pk"
               f"{where.join}, to_tsquery('simple', :q) q WHERE d.document @@ q AND "
               f"{where.sql()} ORDER BY ts_rank('{{0.05, 0.1, 0.3, 1.0}}', d.document, q) DESC, "
               "d.item_pk LIMIT :n")
        expr = query.tsquery()
    rows = session.execute(text(sql).bindparams(*where.binds),
                           {**where.params, "q": expr, "n": ITEM_CANDIDATES}).all()
    return {int(pk): item_id for pk, item_id in rows}, len(rows)


def _page_matches(session: Session, query: Query, where: _Where, sqlite: bool
                  ) -> tuple[dict[int, tuple[int, int, str]], int]:
    """Items with matching pages whose text the reader may search and that pass the filters:
    how many pages, the first and the item id, by key, from the first PAGE_CANDIDATES
    matches; and how many matches were read."""
    if sqlite:  # the rowid holds the item's key and the page: `page` is not read
        matches = (f"SELECT rowid >> {PAGE_BITS} AS item_pk, rowid & {(1 << PAGE_BITS) - 1} "
                   "AS seq FROM page_fts WHERE page_fts MATCH :q LIMIT :n")
        expr = query.fts5()
    else:
        matches = "SELECT item_pk, seq FROM page_matches(CAST(:q AS tsquery), :n)"
        expr = query.page_tsquery()
    # counted by item first: one lookup of `item` an item, not a page
    sql = (f"SELECT m.item_pk, m.pages, m.first, i.item_id, "
           f"CASE WHEN {where.sql('i.access IN :levels')} THEN 1 ELSE 0 END "
           f"FROM (SELECT item_pk, count(*) AS pages, min(seq) AS first FROM ({matches}) p "
           f"GROUP BY item_pk) m LEFT JOIN item i ON i.pk = m.item_pk{where.join}")
    rows = session.execute(text(sql).bindparams(*where.binds,
                                                bindparam("levels", expanding=True)),
                           {**where.params, "q": expr, "n": PAGE_CANDIDATES,
                            "levels": where.text_levels}).all()
    return ({int(pk): (int(count), int(first), item_id)
             for pk, count, first, item_id, passes in rows if passes},
            sum(int(count) for _pk, count, *_rest in rows))


_PAGE = "SELECT item_pk, seq, label, width, height, text, boxes FROM page "


def _page_texts(session: Session, wanted: list[tuple[int, int]]) -> dict[int, PageTextRecord]:
    """The text of page `seq` of each item `pk` (the first page found, for the items shown)."""
    if not wanted:
        return {}
    if session.get_bind().dialect.name == "sqlite":  # in process: a lookup costs microseconds
        rows = [session.execute(text(_PAGE + "WHERE item_pk = :pk AND seq = :seq"),
                                {"pk": pk, "seq": seq}).one() for pk, seq in wanted]
    else:
        rows = list(session.execute(text(
            _PAGE + "WHERE (item_pk, seq) IN (SELECT * FROM unnest(CAST(:pks AS integer[]), "
            "CAST(:seqs AS integer[])))"),
            {"pks": [pk for pk, _seq in wanted], "seqs": [seq for _pk, seq in wanted]}))
    return {row[0]: PageTextRecord(*row[1:]) for row in rows}


def matching_pages(session: Session, item_pk: int, query: Query) -> list[int]:
    """The numbers of an item's pages whose text matches the query, in order."""
    if not query:
        return []
    if session.get_bind().dialect.name == "sqlite":
        low, high = item_rowids(item_pk)
        rows = session.execute(text(
            "SELECT rowid FROM page_fts WHERE page_fts MATCH :q AND rowid BETWEEN :lo AND :hi "
            "ORDER BY rowid"), {"q": query.fts5(), "lo": low, "hi": high}).scalars()
        return [int(r) - low for r in rows]
    return [int(s) for s in session.execute(text(
        "SELECT seq FROM page_search WHERE item_pk = :pk AND document @@ CAST(:q AS tsquery) "
        "ORDER BY seq"), {"q": query.page_tsquery(), "pk": item_pk}).scalars()]
