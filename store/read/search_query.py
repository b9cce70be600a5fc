"""A reader's search text as the indexes see it: folded words, and phrases in quotes.

The reader's text never reaches a query syntax: it is cut into folded words (store.folding), and
each index gets an expression built from those words alone (quoted for FTS5, `&` and `<->` for a
tsquery). An empty query finds nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from store.folding import words
from store.schema.fulltext import MAX_WORD, pair

MAX_QUERY_WORDS = 16
_QUOTED = re.compile(r"\"([^\"]*)\"")


@dataclass(frozen=True, slots=True)
class Query:
    """Groups of folded words: a group of several words is a phrase, its words in a row."""

    groups: tuple[tuple[str, ...], ...]

    @property
    def terms(self) -> list[str]:
        return [w for group in self.groups for w in group]

    def __bool__(self) -> bool:
        return bool(self.groups)

    def fts5(self) -> str:
        """The FTS5 MATCH expression: each group a quoted string (a phrase when several)."""
        return " ".join('"' + " ".join(group) + '"' for group in self.groups)

    def tsquery(self) -> str:
        """The to_tsquery('simple', …) text: groups joined by &, a phrase's words by <->."""
        return " & ".join("(" + " <-> ".join(group) + ")" for group in self.groups)

    def page_tsquery(self) -> str:
        """The tsquery of the page index (store.schema.fulltext), as a literal. A phrase of two
        words is their pair, which the GIN index answers alone (no page's tsvector is read:
        the pair stands on a page exactly where the two words do in a row); a longer phrase
        needs its pairs (to narrow the pages by the index) and then its words in a row
        (checked on each of those pages' positions)."""
        parts = []
        for group in self.groups:
            words = " <-> ".join(f"'{w}'" for w in group)
            pairs = [f"'{pair(a, b)}'" for a, b in zip(group, group[1:], strict=False)]
            if len(pairs) == 1:
                parts.append(pairs[0])
            else:
                parts.append(f"({' & '.join(pairs)} & ({words}))" if pairs else words)
        return " & ".join(parts)


def parse_query(text: str) -> Query:
    """The query of a reader's text: words in double quotes make a phrase, the rest single
    words; at most MAX_QUERY_WORDS words, none longer than an indexed word can be."""
    groups: list[tuple[str, ...]] = []
    budget = MAX_QUERY_WORDS
    loose = _QUOTED.sub(" ", text)
    for phrase in _QUOTED.findall(text):
        found = tuple(_indexed(phrase)[:budget])
        if found:
            groups.append(found)
            budget -= len(found)
    for word in _indexed(loose.replace('"', " "))[:max(budget, 0)]:
        groups.append((word,))
    return Query(tuple(groups))


def _indexed(value: str) -> list[str]:
    """The folded words of a text that an index can hold (longer ones are never indexed)."""
    return [w for w in words(value) if len(w) <= MAX_WORD]
