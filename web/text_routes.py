"""The text of an item's pages for readers: one page as HTML (screen readers, previous and next
page) and the whole item as a plain-text download; the same access rule as the images."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from store.read.queries import get_item
from store.records import PageTextRecord
from web.context import current
from web.text_access import Refused, readable_text

text_bp = Blueprint("text", __name__)


def blocks(text: str | None) -> list[list[str]]:
    """Paragraphs (blank-line separated) of lines."""
    return [[line for line in block.split("\n") if line.strip()]
            for block in (text or "").split("\n\n") if block.strip()]


def _refused(status: int, item_id: str) -> tuple[str, int]:
    return render_template("text_refused.html", item_id=item_id, status=status), status


@text_bp.get("/items/<item_id>/pages/<int:seq>/text")
def page_text(item_id: str, seq: int) -> tuple[str, int] | str:
    ctx = current()
    try:
        found = readable_text(ctx, request, item_id)
    except Refused as refused:
        return _refused(refused.status, item_id)
    page = next((p for p in found.pages if p.seq == seq), None) if found else None
    if found is None or page is None:
        return render_template("error.html", title_key="not_found",
                               text_key="not_found_text"), 404
    with ctx.store.reading() as session:
        record = get_item(session, item_id)
    numbers = [p.seq for p in found.pages]
    at = numbers.index(seq)
    return render_template(
        "page_text.html", item=record, page=page, blocks=blocks(page.text),
        prev_seq=numbers[at - 1] if at > 0 else None,
        next_seq=numbers[at + 1] if at + 1 < len(numbers) else None, count=len(numbers))


def plain_text(title: str, pages: tuple[PageTextRecord, ...]) -> str:
    """The whole item's text: its title, then each page under its label."""
    parts = [title]
    for page in pages:
        label = page.label or str(page.seq)
        parts.append(f"--- {page.seq}: {label} ---\n\n{(page.text or '').strip()}")
    return "\n\n".join(parts) + "\n"


@text_bp.get("/items/<item_id>/text.txt")
def item_text(item_id: str) -> Response | tuple[str, int]:
    ctx = current()
    try:
        found = readable_text(ctx, request, item_id)
    except Refused as refused:
        return _refused(refused.status, item_id)
    with ctx.store.reading() as session:
        record = get_item(session, item_id)
    if found is None or record is None:
        return render_template("error.html", title_key="not_found",
                               text_key="not_found_text"), 404
    return Response(plain_text(record.title, found.pages),
                    content_type="text/plain; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{item_id}.txt"',
                             "Cache-Control": "private, no-cache"})
