"""Page text read back: an item's pages with their text, the words of a query found in them
(with their boxes), snippets, and the words of an item that begin with a prefix.

A page's text is kept as whitespace-separated words, each with its box at the same place in
`page.boxes`; matching folds each word (store.folding) as the index did.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.folding import words, written_words
from store.read.queries import ITEM_ID
from store.read.search_query import Query
from store.records import Completion, ItemText, PageTextRecord
from store.schema.models import Item, Page

SNIPPET_WORDS = 12  # words shown on each side of a match


def item_text(session: Session, item_id: str, seqs: Iterable[int] | None = None
              ) -> ItemText | None:
    """A live item's pages (only `seqs` when given) with their text; None if unknown."""
    if not ITEM_ID.fullmatch(item_id):
        return None
    item = session.execute(select(Item.pk, Item.access).where(
        Item.item_id == item_id, Item.deleted.is_(False))).first()
    if item is None:
        return None
    return ItemText(item.pk, item_id, item.access, item_pages(session, item.pk, seqs))


def item_pages(session: Session, item_pk: int, seqs: Iterable[int] | None = None
               ) -> tuple[PageTextRecord, ...]:
    """An item's pages (only `seqs` when given) with their text, in order."""
    query = select(Page.seq, Page.label, Page.width, Page.height, Page.text, Page.boxes).where(
        Page.item_pk == item_pk).order_by(Page.seq)
    if seqs is not None:
        query = query.where(Page.seq.in_(list(seqs)))
    return tuple(PageTextRecord(*row) for row in session.execute(query))


@dataclass(frozen=True, slots=True)
class TextHit:
    """Words `first`..`last` (whitespace-separated words of the page text) match the query."""

    seq: int
    first: int
    last: int


@lru_cache(maxsize=65536)  # a text's words repeat: folding each once saves most of the work
def _token_words(token: str) -> tuple[str, ...]:
    return tuple(words(token))


def _folded(tokens: list[str]) -> list[tuple[str, int]]:
    """Each folded word of the tokens with its token's place ("Mác-Lênin," gives two)."""
    return [(w, n) for n, token in enumerate(tokens) for w in _token_words(token)]


def find_hits(page: PageTextRecord, query: Query) -> list[TextHit]:
    """Every place a word or phrase of the query stands on the page, in reading order."""
    tokens = (page.text or "").split()
    folded = _folded(tokens)
    found: set[tuple[int, int]] = set()
    for group in query.groups:
        size = len(group)
        for i in range(len(folded) - size + 1):
            if all(folded[i + k][0] == group[k] for k in range(size)):
                found.add((folded[i][1], folded[i + size - 1][1]))
    return [TextHit(page.seq, first, last) for first, last in sorted(found)]


def box_of(page: PageTextRecord, hit: TextHit) -> tuple[int, int, int, int] | None:
    """The box around a hit's words (x, y, w, h in image pixels), None when not known."""
    boxes = (page.boxes or "").split()
    if hit.last >= len(boxes):
        return None
    parts = [tuple(int(v) for v in b.split(",")) for b in boxes[hit.first:hit.last + 1]]
    left, top = min(p[0] for p in parts), min(p[1] for p in parts)
    right, bottom = max(p[0] + p[2] for p in parts), max(p[1] + p[3] for p in parts)
    return left, top, right - left, bottom - top


@dataclass(frozen=True, slots=True)
class Snippet:
    """Text around a hit: before, the matching words, after (with … where cut)."""

    before: str
    match: str
    after: str


def snippet(page: PageTextRecord, hit: TextHit, span: int = SNIPPET_WORDS) -> Snippet:
    tokens = (page.text or "").split()
    start, end = max(0, hit.first - span), min(len(tokens), hit.last + 1 + span)
    before = ("… " if start else "") + " ".join(tokens[start:hit.first])
    after = " ".join(tokens[hit.last + 1:end]) + (" …" if end < len(tokens) else "")
    return Snippet(before + (" " if hit.first > start else ""),
                   " ".join(tokens[hit.first:hit.last + 1]),
                   (" " if end > hit.last + 1 else "") + after)


Marked = tuple[tuple[str, bool], ...]  # pieces of text, each marked as a match or not


def marked_snippet(page: PageTextRecord, query: Query, span: int = SNIPPET_WORDS
                   ) -> Marked | None:
    """The text around the query's first match on the page, every match in it marked; None
    when nothing matches."""
    hits = find_hits(page, query)
    if not hits:
        return None
    tokens = (page.text or "").split()
    start = max(0, hits[0].first - span)
    end = min(len(tokens), hits[0].last + 1 + 2 * span)
    marked = {n for h in hits if h.first >= start and h.last < end
              for n in range(h.first, h.last + 1)}
    pieces: list[tuple[str, bool]] = [("… ", False)] if start else []
    for n in range(start, end):
        text = tokens[n] + (" " if n + 1 < end else "")
        if n in marked and n + 1 in marked:
            text, tail = tokens[n] + " ", ""
        elif n in marked:
            text, tail = tokens[n], " " if n + 1 < end else ""
        else:
            tail = ""
        if pieces and pieces[-1][1] == (n in marked):
            pieces[-1] = (pieces[-1][0] + text, n in marked)
        else:
            pieces.append((text, n in marked))
        if tail:
            pieces.append((tail, False))
    if end < len(tokens):
        pieces.append((" …", False))
    return tuple(pieces)


def text_snippet(value: str, query: Query, span: int = SNIPPET_WORDS) -> Marked | None:
    """A marked snippet of any text (a description), None when the query is not in it."""
    return marked_snippet(PageTextRecord(0, None, 0, 0, value, None), query, span)


def completions(pages: Iterable[PageTextRecord], prefix: str, limit: int = 10
                ) -> list[Completion]:
    """The folded words of the pages that begin with the prefix's last folded word, most
    frequent first, with their counts and written forms."""
    typed = words(prefix)
    if not typed:
        return []
    start = typed[-1]
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for page in pages:
        for token in (page.text or "").split():
            folded = _token_words(token)
            if not any(w.startswith(start) for w in folded):
                continue
            written = written_words(token)
            for n, w in enumerate(folded):
                if w.startswith(start):
                    counts[w] += 1
                    if len(written) == len(folded):
                        forms.setdefault(w, Counter())[written[n]] += 1
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [Completion(w, n, forms[w].most_common(1)[0][0] if w in forms else w)
            for w, n in top]
