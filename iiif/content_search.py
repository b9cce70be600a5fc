"""IIIF Content Search of one item: 1.0 (what Mirador 4 reads) and 2.0, from the same hits.

Pure: the web layer finds the hits (store.read.fulltext) and passes them in with the item's
links; here they become a Search 1.0 `sc:AnnotationList` or a Search 2.0 `AnnotationPage`,
paged by `page` (1-based) with `within`/`partOf` totals, first, last, next and prev. A hit's box
is `#xywh` on its canvas when the word boxes are known, the whole canvas otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from store.links import Links
from store.records import Completion

PROFILE_1 = "http://iiif.io/api/search/1/search"
AUTOCOMPLETE_1 = "http://iiif.io/api/search/1/autocomplete"
CONTEXT_1 = "http://iiif.io/api/search/1/context.json"
CONTEXT_2 = "http://iiif.io/api/search/2/context.json"
PRESENTATION_2 = "http://iiif.io/api/presentation/2/context.json"
PAGE_SIZE = 100  # annotations per page of results
Blocks = Sequence[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Found:
    """One hit: on page `seq`, the matched words and their context, and its box if known."""

    seq: int
    match: str
    before: str
    after: str
    box: tuple[int, int, int, int] | None


def service_blocks(links: Links, item_id: str, auth_1: Blocks = (), auth_2: Blocks = ()
                   ) -> list[dict[str, Any]]:
    """The manifest's service blocks: Search 2.0, and 1.0 beside it for Mirador 4; the search
    and autocomplete services of each carry the auth services of that version (`auth_1`,
    `auth_2`: iiif.auth.text_services) when the text is not open."""
    def nested(block: dict[str, Any], auth: Blocks) -> dict[str, Any]:
        return block | {"service": [*block.get("service", []), *auth]} if auth else block

    return [
        nested({"id": links.search(item_id, 2), "type": "SearchService2", "service": [nested(
            {"id": links.autocomplete(item_id, 2), "type": "AutoCompleteService2"}, auth_2)]},
            auth_2),
        nested({"id": links.search(item_id, 1), "type": "SearchService1", "profile": PROFILE_1,
                "service": [nested({"id": links.autocomplete(item_id, 1),
                                    "type": "AutoCompleteService1", "profile": AUTOCOMPLETE_1},
                                   auth_1)]}, auth_1),
    ]


def refused(doc: dict[str, Any], auth: Blocks, context: str | None = None) -> dict[str, Any]:
    """An answer with no hits or terms made into the body of a refusal (401 or 403): the same
    document, carrying the auth services that may open the text (Auth 1.0: a refused
    description resource is still one, with its services), and their `context` (Auth 2.0's)
    before its own, which stays last (Content Search 2.0, Auth 2.0: 2.1)."""
    if not auth:
        return doc
    return doc | {"service": list(auth)} | (
        {"@context": [context, doc["@context"]]} if context else {})


def last_page(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def _url(base: str, query: str, page: int | None = None) -> str:
    args = {"q": query} | ({"page": str(page)} if page and page > 1 else {})
    return f"{base}?{urlencode(args)}"


def _target(links: Links, item_id: str, hit: Found) -> str:
    canvas = links.canvas(item_id, hit.seq)
    return canvas + ("#xywh=" + ",".join(map(str, hit.box)) if hit.box else "")


@dataclass(frozen=True, slots=True)
class _Window:
    """One page of the results: where it starts, its hits and their annotation ids."""

    start: int
    shown: Sequence[Found]
    ids: list[str]
    last: int


def _window(links: Links, item_id: str, version: int, hits: Sequence[Found], page: int
            ) -> _Window:
    start = (page - 1) * PAGE_SIZE
    shown = hits[start:start + PAGE_SIZE]
    return _Window(start, shown, [links.search_hit(item_id, version, h.seq, start + n)
                                  for n, h in enumerate(shown, 1)], last_page(len(hits)))


IGNORED = ("date", "user")  # parameters of the specs this server does not support
MOTIVATIONS = frozenset({"painting", "sc:painting"})  # the matched annotations' (2.0, 1.0)


def motivated(motivation: str | None) -> bool:
    """Whether the matched annotations (all painting: the page's words) answer a `motivation`
    parameter (space-separated, any one matches; none given: all match)."""
    given = (motivation or "").split()
    return not given or not MOTIVATIONS.isdisjoint(given)


def search_1(links: Links, item_id: str, query: str, hits: Sequence[Found], page: int,
             ignored: Sequence[str] = ()) -> dict[str, Any]:
    """A Search 1.0 answer (an sc:AnnotationList with hits), page `page` of the results;
    `ignored` names the parameters given but not supported (`within.ignored`)."""
    base = links.search(item_id, 1)
    w = _window(links, item_id, 1, hits, page)
    start, shown, ids, last = w.start, w.shown, w.ids, w.last
    doc: dict[str, Any] = {
        "@context": [PRESENTATION_2, CONTEXT_1], "@id": _url(base, query, page),
        "@type": "sc:AnnotationList",
        "within": {"@type": "sc:Layer", "total": len(hits), "first": _url(base, query, 1),
                   "last": _url(base, query, last)},
        "startIndex": start,
        "resources": [{"@id": i, "@type": "oa:Annotation", "motivation": "sc:painting",
                       "resource": {"@type": "cnt:ContentAsText", "chars": h.match},
                       "on": _target(links, item_id, h)} for i, h in zip(ids, shown, strict=True)],
        "hits": [{"@type": "search:Hit", "annotations": [i], "match": h.match,
                  "before": h.before, "after": h.after} for i, h in zip(ids, shown, strict=True)],
    }
    if ignored:
        doc["within"]["ignored"] = list(ignored)
    if page < last:
        doc["next"] = _url(base, query, page + 1)
    if page > 1:
        doc["prev"] = _url(base, query, page - 1)
    return doc


def _quote(hit: Found) -> dict[str, str]:
    """A TextQuoteSelector of a hit: the matched words with the text around them (an empty
    prefix or suffix, at the start or end of a page, is left out, as in the spec's examples)."""
    return {"type": "TextQuoteSelector"} | ({"prefix": hit.before} if hit.before else {}) | {
        "exact": hit.match} | ({"suffix": hit.after} if hit.after else {})


def search_2(links: Links, item_id: str, query: str, hits: Sequence[Found], page: int,
             ignored: Sequence[str] = ()) -> dict[str, Any]:
    """A Search 2.0 answer, page `page` of the results: an AnnotationPage of painting
    annotations, each the matched words (a TextualBody) on their box, and in `annotations`
    one `contextualizing` annotation a hit quoting the text around it (Content Search 2.0,
    4.3.1: the context lies outside the matched annotation's body, so not `highlighting`);
    `ignored` names the parameters given but not supported."""
    base = links.search(item_id, 2)
    w = _window(links, item_id, 2, hits, page)
    start, shown, ids, last = w.start, w.shown, w.ids, w.last
    doc: dict[str, Any] = {
        "@context": CONTEXT_2, "id": _url(base, query, page), "type": "AnnotationPage",
        "partOf": {"id": _url(base, query), "type": "AnnotationCollection",
                   "total": len(hits),
                   "first": {"id": _url(base, query, 1), "type": "AnnotationPage"},
                   "last": {"id": _url(base, query, last), "type": "AnnotationPage"}},
        "startIndex": start,
    }
    if ignored:
        doc["ignored"] = list(ignored)
    if page < last:
        doc["next"] = {"id": _url(base, query, page + 1), "type": "AnnotationPage"}
    if page > 1:
        doc["prev"] = {"id": _url(base, query, page - 1), "type": "AnnotationPage"}
    doc["items"] = [{"id": i, "type": "Annotation", "motivation": "painting",
                     "body": {"type": "TextualBody", "value": h.match, "format": "text/plain"},
                     "target": _target(links, item_id, h)}
                    for i, h in zip(ids, shown, strict=True)]
    if shown:
        doc["annotations"] = [{"type": "AnnotationPage", "items": [
            {"id": f"{i}/context", "type": "Annotation", "motivation": "contextualizing",
             "target": {"type": "SpecificResource", "source": i, "selector": [_quote(h)]}}
            for i, h in zip(ids, shown, strict=True)]}]
    return doc


def autocomplete_1(links: Links, item_id: str, prefix: str, terms: Sequence[Completion],
                   ignored: Sequence[str] = ()) -> dict[str, Any]:
    """A Search 1.0 autocomplete answer (search:TermList): each folded word as `match` and, when
    written otherwise, its written form as `label`; `ignored` as in search_1."""
    doc = {"@context": CONTEXT_1, "@id": _url(links.autocomplete(item_id, 1), prefix),
           "@type": "search:TermList",
           "terms": [{"match": t.term, "url": _url(links.search(item_id, 1), t.term),
                      "count": t.count} | ({"label": t.written} if t.written != t.term else {})
                     for t in terms]}
    return doc | ({"ignored": list(ignored)} if ignored else {})


def autocomplete_2(links: Links, item_id: str, prefix: str, terms: Sequence[Completion],
                   ignored: Sequence[str] = ()) -> dict[str, Any]:
    """A Search 2.0 autocomplete answer: a TermPage of Terms with `value` (the folded word, a
    usable `q`: so no `service`, and no `type`, as 5.3 advises), `total` and, when written
    otherwise, `label` (the written form, "to be displayed instead of the value")."""
    doc: dict[str, Any] = {"@context": CONTEXT_2,
                           "id": _url(links.autocomplete(item_id, 2), prefix), "type": "TermPage"}
    if ignored:
        doc["ignored"] = list(ignored)
    doc["items"] = [{"value": t.term, "total": t.count}
                    | ({"label": {"none": [t.written]}} if t.written != t.term else {})
                    for t in terms]
    return doc
