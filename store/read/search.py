"""One search over item metadata and page text, on the database's own full-text indexes.

Two indexes, searched apart (store.schema.fulltext): the small item index (title and creator
above subject above the other metadata: description, publisher, place, date), ranked in full;
and the large page index, of which at most PAGE_CANDIDATES matching pages are read, with no
ranking beyond counting each item's matching pages. Items found by their metadata come first,
then items found only by their page text (most matching pages first). Filters (set, years) and
the access rule (page text counts only for items whose text the reader may see) are applied to
the candidates. The first matching page of each item comes with the candidates; its text (for
the snippet) is read only for the items shown, and an item found by its metadata whose pages
were not among the candidates shows a snippet of its metadata.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BindParameter, bindparam, text
from sqlalchemy.orm import Session

from store.read.search_query import Query, parse_query
from store.records import PageTextRecord
from store.schema.fulltext import PAGE_BITS, item_rowids

ITEM_CANDIDATES = 2_000  # item-index matches ranked, at most
PAGE_CANDIDATES = 5_000  # page-index matches read, at most (BENCHMARKS.md: Full text)
CHUNK = 500


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
    by_meta = _item_matches(session, parsed, sqlite)
    by_text = _page_matches(session, parsed, sqlite)
    allowed = _allowed(session, [*by_meta, *by_text], filters)
    ordered = [pk for pk in by_meta if pk in allowed]
    seen = set(ordered)
    ordered += [pk for pk, _found in sorted(by_text.items(), key=lambda kv: (-kv[1][0], kv[0]))
                if pk not in seen and allowed.get(pk, ("", ""))[1] in filters.text_levels]
    shown = ordered[offset:offset + limit]
    pages = _page_texts(session, [(pk, by_text[pk][1]) for pk in shown if pk in by_text
                                  and allowed[pk][1] in filters.text_levels])
    capped = (len(by_meta) >= ITEM_CANDIDATES
              or sum(count for count, _first in by_text.values()) >= PAGE_CANDIDATES)
    return SearchPage([allowed[pk][0] for pk in shown], len(ordered), capped,
                      {allowed[pk][0]: page for pk, page in pages.items()})


def _item_matches(session: Session, query: Query, sqlite: bool) -> list[int]:
    """Item keys whose metadata matches, best first (a small index: ranked in full)."""
    if sqlite:
        sql = ("SELECT rowid FROM item_fts WHERE item_fts MATCH :q ORDER BY rank, rowid "
               "LIMIT :n")
        expr = query.fts5()
    else:
        # weights of D, C, B, A: other metadata, subject, -, title and creator
        sql = ("SELECT item_pk FROM item_search, to_tsquery('simple', :q) q "
               "WHERE document @@ q ORDER BY ts_rank('{0.05, 0.1, 0.3, 1.0}', document, q) "
               "DESC, item_pk LIMIT :n")
        expr = query.tsquery()
    return list(session.execute(text(sql), {"q": expr, "n": ITEM_CANDIDATES}).scalars())


def _page_matches(session: Session, query: Query, sqlite: bool) -> dict[int, tuple[int, int]]:
    """Item keys with matching pages, how many and the first, from the first PAGE_CANDIDATES
    matches."""
    if sqlite:  # the rowid holds the item's key and the page: no need to read `page`
        sql = (f"SELECT rowid >> {PAGE_BITS}, count(*), min(rowid) & {(1 << PAGE_BITS) - 1} "
               "FROM (SELECT rowid FROM page_fts WHERE page_fts MATCH :q LIMIT :n) GROUP BY 1")
        expr = query.fts5()
    else:
        sql = ("SELECT item_pk, count(*), min(seq) FROM (SELECT item_pk, seq FROM page "
               "WHERE document @@ CAST(:q AS tsquery) LIMIT :n) m GROUP BY 1")
        expr = query.page_tsquery()
        # A word on most pages makes the planner scan the table, reading (and decompressing)
        # every page's tsvector; the GIN index answers a match without them.
        session.execute(text("SET LOCAL enable_seqscan = off"))
    rows = session.execute(text(sql), {"q": expr, "n": PAGE_CANDIDATES}).all()
    if not sqlite:
        session.execute(text("SET LOCAL enable_seqscan = on"))
    return {int(pk): (int(count), int(first)) for pk, count, first in rows}


def _allowed(session: Session, pks: Sequence[int], filters: Filters
             ) -> dict[int, tuple[str, str]]:
    """The candidates that pass the filters: item id and access level by key."""
    where = ["i.pk IN :pks", "NOT i.deleted"]
    params: dict[str, Any] = {}
    low, high = filters.years
    if low is not None:
        where.append("s.year >= :low")
        params["low"] = low
    if high is not None:
        where.append("s.year <= :high")
        params["high"] = high
    binds: list[BindParameter[Any]] = []
    if filters.set_pks is not None:
        where.append("i.pk IN (SELECT item_pk FROM item_set WHERE set_pk IN :sets)")
        params["sets"] = list(filters.set_pks)
        binds.append(bindparam("sets", expanding=True))
    unique = sorted(set(pks))
    if session.get_bind().dialect.name == "postgresql":  # one array, one statement
        where[0] = "i.pk = ANY(:pks)"
        chunks = [unique]
    else:
        binds.append(bindparam("pks", expanding=True))
        chunks = [unique[start:start + CHUNK] for start in range(0, len(unique), CHUNK)]
    statement = text("SELECT i.pk, i.item_id, i.access FROM item i JOIN item_search s "
                     f"ON s.item_pk = i.pk WHERE {' AND '.join(where)}").bindparams(*binds)
    found: dict[int, tuple[str, str]] = {}
    for chunk in chunks:
        rows = session.execute(statement, {**params, "pks": chunk})
        found.update({pk: (item_id, access) for pk, item_id, access in rows})
    return found


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
        "SELECT seq FROM page WHERE item_pk = :pk AND document @@ CAST(:q AS tsquery) "
        "ORDER BY seq"), {"q": query.page_tsquery(), "pk": item_pk}).scalars()]
