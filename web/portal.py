"""The reader portal: search, browsing by set, item pages with Mirador; Vietnamese first."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Response, abort, render_template, request, send_file

from iiif.access import may_read_text, text_levels
from iiif.collection import member_label, sets_by_parent
from iiif.manifest import PORTAL_THUMBNAIL_BOX, thumbnail_size
from iiif.presentation_labels import ELEMENT_LABELS, SUBTITLE_LABEL, LanguageMap
from iiif.presentation_links import OAI_FORMATS
from store.read.fulltext import Marked, marked_snippet, text_snippet
from store.read.listing import set_pks
from store.read.presentation import Member, members, set_counts
from store.read.queries import browse_set, get_item, list_sets
from store.read.search import Filters, SearchPage, search_items
from store.read.search_query import Query, parse_query
from store.records import PageTextRecord, SetRecord, set_lineage, whole_number
from store.rights import statement
from web.context import current
from web.portal_text import DEFAULT_LANGUAGE, LANGUAGES, translate
from web.search_engines import item_json_ld
from web.text_access import query_text

portal_bp = Blueprint("portal", __name__)
PAGE_SIZE = 20
MAX_PAGE = 10_000
WEB = Path(__file__).resolve().parent
MIRADOR_FILES = (WEB / "static" / "vendor" / "mirador" / "mirador.min.js",
                 WEB.parent / "node_modules" / "mirador" / "dist" / "mirador.min.js")


def language() -> str:
    """?lang= (remembered in a cookie), else the cookie, else Vietnamese."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    cookie = request.cookies.get("lang")
    return cookie if cookie in LANGUAGES else DEFAULT_LANGUAGE


def pick(value: LanguageMap, lang: str) -> str:
    """One text of a language map: the reader's language, else untagged, else any."""
    for key in (lang, "none", "vi", "en"):
        if value.get(key):
            return value[key][0]
    return next(iter(value.values()))[0]


@portal_bp.app_context_processor
def helpers() -> dict[str, object]:
    """What every page's template uses: words, languages, settings, the signed-in reader."""
    lang = language()
    ctx = current()

    def t(key: str, **values: object) -> str:
        return translate(key, lang, **values)

    def switch_url(to: str) -> str:
        args = request.args.to_dict()
        args["lang"] = to
        return f"{request.path}?{urlencode(args)}"

    def signed_in() -> str | None:
        return ctx.requester(request).reader

    return {"t": t, "lang": lang, "switch_url": switch_url, "pick": pick,
            "settings": ctx.settings, "signed_in": signed_in}


def content_security_policy() -> str:
    """The policy Mirador 4 works under (mirador.md): inline styles, no inline scripts."""
    extra = ""
    base = current().settings.base_url
    if base:
        parts = urlsplit(base)
        extra = f" {parts.scheme}://{parts.netloc}"
    return ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            f"img-src 'self'{extra}; connect-src 'self'{extra}; frame-src 'self'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


@portal_bp.after_request
def security_headers(response: Response) -> Response:
    if response.mimetype == "text/html":
        # a page with a policy of its own (the IIIF token page, framed by ours) keeps it
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        response.headers["Content-Language"] = language()
        response.headers["Vary"] = "Cookie"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.args.get("lang") in LANGUAGES:
        response.set_cookie("lang", request.args["lang"], max_age=365 * 86400, samesite="Lax")
    return response


@dataclass(frozen=True, slots=True)
class Hit:
    """One result row as the templates show it."""

    item_id: str
    title: str
    creators: tuple[str, ...]
    dates: tuple[str, ...]
    thumb: str | None
    thumb_size: tuple[int, int]
    access: str
    page_count: int
    snippet: Marked | None = None
    page: int | None = None  # the page whose text matched


def hit(member: Member, lang: str, part: Marked | None = None, page: int | None = None
        ) -> Hit:
    thumb, size = None, (0, 0)
    shown = member.access == "open" or (member.access == "readers"
                                        and current().settings.open_thumbnails)
    if member.first_page is not None and shown:
        size = thumbnail_size(member.first_page.width, member.first_page.height,
                              PORTAL_THUMBNAIL_BOX)
        thumb = f"/iiif/image/{member.first_page.image_id}/full/{size[0]},{size[1]}/0/default.jpg"
    return Hit(member.item_id, pick(member_label(member), lang), member.creators, member.dates,
               thumb, size, member.access, member.page_count, part, page)


@portal_bp.get("/")
def home() -> str:
    with current().store.reading() as session:
        sets = tuple(list_sets(session))
        direct = tuple(sorted(set_counts(session).items()))
    return render_template("home.html", set_list=set_list(sets, direct, language()))


@functools.lru_cache(maxsize=4)  # a function of its arguments alone: nothing in it goes stale
def set_list(sets: tuple[SetRecord, ...], direct: tuple[tuple[str, int], ...], lang: str
             ) -> str | None:
    """The home page's list of sets and their counts (with subsets), as HTML; rendering
    10 000 sets costs more than reading them, so a worker keeps the last few lists."""
    if not sets:
        return None
    children = sets_by_parent(sets)
    tree = [(top, children.get(top.spec, [])) for top in children.get(None, [])]
    totals = with_subsets(dict(direct))
    return render_template("set_list.html", tree=tree,
                           totals={s.spec: totals.get(s.spec, 0) for s in sets})


def with_subsets(direct: dict[str, int]) -> dict[str, int]:
    """Each set's count plus its subsets' counts, from the counts of items filed directly in
    each set: one pass over the counts (O(sets × depth))."""
    totals: dict[str, int] = {}
    for spec, count in direct.items():
        for above in set_lineage(spec):
            totals[above] = totals.get(above, 0) + count
    return totals


def _page_number() -> int:
    number = whole_number(request.args.get("page", "1"))
    if number is None or not 1 <= number <= MAX_PAGE:
        abort(400, "page must be a whole number from 1 to 10000")
    return number


def _year(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    year = whole_number(value)
    if year is None or year > 9999:
        abort(400, f"{name} must be a year (a whole number up to 9999)")
    return year


@portal_bp.get("/search")
def search() -> str:
    ctx = current()
    query = query_text(request)
    spec = request.args.get("set", "").strip()
    years = (_year("from"), _year("to"))
    page, lang = _page_number(), language()
    offset = (page - 1) * PAGE_SIZE
    result = SearchPage([], 0)
    subset = None
    requester = ctx.requester(request)
    with ctx.store.reading() as session:
        pks = None
        if spec:
            subset = next((s for s in list_sets(session) if s.spec == spec), None)
            if subset is None:
                abort(404, f"there is no collection {spec!r}")
            pks = set_pks(session, spec)
        if query:
            result = search_items(session, query, PAGE_SIZE, offset, filters=Filters(
                set_pks=pks, years=years, text_levels=text_levels(requester)))
        elif pks is not None:
            result = browse_set(session, pks, PAGE_SIZE, offset)
        rows = members(session, result.item_ids)
    parsed = parse_query(query)
    found = result.pages
    hits = [hit(rows[i], lang, _snippet(rows[i], found.get(i), parsed),
                found[i].seq if i in found else None)
            for i in result.item_ids if i in rows]
    more = offset + PAGE_SIZE < result.total

    def page_url(number: int) -> str:
        args = {k: v for k, v in (("q", query), ("set", spec),
                                  ("from", request.args.get("from", "").strip()),
                                  ("to", request.args.get("to", "").strip())) if v}
        return f"/search?{urlencode({**args, 'page': number})}"

    return render_template("search.html", query=query, subset=subset, hits=hits,
                           total=result.total, capped=result.capped, years=years,
                           first=offset + 1, last=offset + len(hits), page=page,
                           next_url=page_url(page + 1) if more else None,
                           prev_url=page_url(page - 1) if page > 1 and result.total else None)


def _snippet(member: Member, found: PageTextRecord | None, query: Query) -> Marked | None:
    """Where the query matched: on the page found (its text was allowed), else in a
    description."""
    if found and (part := marked_snippet(found, query)):
        return part
    for value in member.descriptions:
        if part := text_snippet(value, query):
            return part
    return None


@portal_bp.get("/items/<item_id>")
def item(item_id: str) -> tuple[str, int] | str:
    ctx, lang = current(), language()
    url = ctx.links(request.environ)
    with ctx.store.reading() as session:
        record = get_item(session, item_id, ctx.settings)
        set_names = {s.spec: s.name for s in list_sets(session)} if record else {}
    if record is None:
        return render_template("error.html", title_key="not_found", text_key="not_found_text"), 404
    if record.deleted:
        return render_template("error.html", title_key="gone", text_key="gone_text"), 410
    fields = []
    for element, labels in ELEMENT_LABELS.items():
        values = record.values(element)
        if values:
            fields.append((labels[1] if lang == "en" else labels[0], values))
        if element == "title" and record.subtitle:
            fields.append((SUBTITLE_LABEL[1] if lang == "en" else SUBTITLE_LABEL[0],
                           [record.subtitle]))
    manifest = url.manifest(record.item_id) if record.pages else None
    seq = whole_number(request.args.get("page", ""))
    canvas = url.canvas(record.item_id, seq) if seq and 1 <= seq <= len(record.pages) else None
    has_text = record.has_text and may_read_text(record.access, ctx.requester(request))
    return render_template(
        "item.html", item=record, fields=fields, manifest=manifest, canvas=canvas,
        text_page=(seq if canvas else 1) if has_text else None,
        rights=statement(record.rights_uri), json_ld=item_json_ld(record, url),
        records=[(name, url.oai_record(record.item_id, prefix))
                 for prefix, (_, name) in OAI_FORMATS.items()],
        sets=[(spec, set_names.get(spec, spec)) for spec in record.sets],
        viewer_language="en" if lang == "en" else "vi")


@portal_bp.get("/vendor/mirador/mirador.min.js")
def mirador() -> Response:
    """Mirador 4 from the npm package (copied by `make`, else straight from node_modules)."""
    for path in MIRADOR_FILES:
        if path.is_file():
            return send_file(path, mimetype="text/javascript", max_age=86400)
    abort(404, "Mirador is not installed: run `make install` (npm ci)")
