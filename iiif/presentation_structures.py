"""A table of contents (Ranges) read from page labels.

A page whose label is more than a page number ("Bìa", "Chương 1", "Mục lục") opens a section
that runs to the page before the next such label. Pages before the first section belong to
none. Labels that are only numbers, roman numerals, "tr. 5", "[12]", "f. 3v" open nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from store.records import PageRecord

_PAGE_NUMBER = re.compile(
    r"(?:(?:tr|trang|tờ|p|pp|page|f|fol|folio|s|số)\.?\s*)?\[?\s*(?:\d+[a-z]?|[ivxlcdm]+)\s*\]?"
    r"\s*[rv]?", re.IGNORECASE)


def is_section_label(label: str | None) -> bool:
    """Whether a page label names a part of the book, not just the page's number."""
    if not label or not label.strip():
        return False
    return _PAGE_NUMBER.fullmatch(label.strip()) is None


def sections(pages: Sequence[PageRecord]) -> list[tuple[str, list[int]]]:
    """(label, page numbers) of each section, in page order; empty when there is no ToC."""
    out: list[tuple[str, list[int]]] = []
    for page in pages:
        if is_section_label(page.label):
            out.append(((page.label or "").strip(), [page.seq]))
        elif out:
            out[-1][1].append(page.seq)
    return out
