"""`thuvienso demo`: a deterministic synthetic Vietnamese collection.

Books, newspapers and Hán Nôm documents with Vietnamese titles, creators, subjects, publishers,
places and dates; six sets (one nested); access open, readers, and exactly one restricted; a few
deleted. Pages are rendered scans with their ALTO (text and word boxes), read back as page
text; books carry a MARC 21 source record. `pages=0` makes lean metadata-only items (Dublin
Core only), written in large batches (store.write.bulk) for benchmarks.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import select

from store.db import Store
from store.ingest.demo.marc import book_marcxml
from store.ingest.demo.render import PAGE_HEIGHT, PAGE_WIDTH, alto_file, page_file, render_page
from store.ingest.page_text import read_page_text
from store.records import DCValue, ImportSummary, ItemInput, PageInput, SetInput
from store.rights import PUBLIC_DOMAIN_MARK
from store.schema.models import Item
from store.write.bulk import bulk_delete, bulk_upsert
from store.write.items import upsert_set

BATCH_WITH_PAGES, BATCH_METADATA_ONLY = 8, 2000
DELETE_EVERY = 17  # items n with n % 17 == 0 end up deleted (tombstones)


def words() -> dict[str, Any]:
    """The word lists of store/ingest/demo/data/vi.json."""
    text = resources.files("store.ingest.demo").joinpath("data/vi.json").read_text(encoding="utf-8")
    return json.loads(text)


@dataclass(frozen=True, slots=True)
class DemoItem:
    """An item before its pages are rendered: metadata, and one (heading, text) per page."""

    item: ItemInput
    pages: tuple[tuple[str, str], ...]


class _Slots(dict):
    """Template slots drawn only when a template uses them (keeps generation fast)."""

    def __init__(self, maker: _Maker) -> None:
        super().__init__()
        self.maker = maker

    def __missing__(self, key: str) -> str:
        rng, w = self.maker.rng, self.maker.w
        if key in ("subject", "subject_l"):
            subject = rng.choice(w["subjects"])
            return subject if key == "subject" else subject[0].lower() + subject[1:]
        if key == "author":
            return rng.choice(w["authors"])[0]
        if key == "year":
            return str(rng.randint(1890, 1990))
        if key == "volume":
            return rng.choice(("nhất", "hai", "ba", "tư", "năm"))
        return rng.choice(w[{"place": "places", "topic": "topics"}[key]])


class _Maker:
    """Draws items from seeded random generators: item n depends only on (seed, n)."""

    def __init__(self, seed: int, total: int) -> None:
        self.seed, self.w, self.total = seed, words(), total
        self.rng = random.Random(seed)
        self.restricted = min(7, total)

    def person(self) -> str:
        rng = self.rng
        if rng.random() < 0.4:
            name, dates = rng.choice(self.w["authors"])
            return f"{name}, {dates}"
        return " ".join((rng.choice(self.w["family"]), rng.choice(self.w["middle"]),
                         rng.choice(self.w["given"])))

    def fill(self, template: str) -> str:
        return template.format_map(_Slots(self))

    def text(self, sentences: int) -> str:
        return " ".join(self.fill(self.rng.choice(self.w["sentences"]))
                        for _ in range(sentences))

    def page_text(self) -> str:
        """Paragraphs of a page (pango starts a new line at each newline)."""
        return "\n".join(self.text(self.rng.randint(3, 7))
                         for _ in range(self.rng.randint(4, 7)))

    def access(self, n: int) -> str:
        if n == self.restricted:
            return "restricted"
        return "readers" if n % 5 == 3 else "open"

    def item(self, n: int, pages: int | None) -> DemoItem:
        """Item n with this many pages (None: 2 to 12)."""
        self.rng = random.Random(f"{self.seed}:{n}")
        pages = self.rng.randint(2, 12) if pages is None else pages
        kind = self.rng.choices(("sach", "bao", "hannom"), weights=(5, 3, 2))[0]
        values, sets, extra = getattr(self, kind)()
        item_id = f"{kind}-{n:06d}"
        values.append(DCValue("identifier", f"TVHP-{kind.upper()}-{n:06d}"))
        if any("Hải Phòng" in v.value for v in values if v.element in ("title", "coverage")):
            sets.append("tu-lieu-hai-phong")
        if pages:
            values.append(DCValue("format", "image/jpeg"))
        title = next(v.value for v in values if v.element == "title")
        labels = ["Bìa"] + [f"Trang {i}" for i in range(1, pages)]
        texts = tuple((f"{title} — {label}", self.page_text()) for label in labels[:pages])
        item = ItemInput(item_id=item_id, metadata=tuple(values), sets=tuple(sets),
                         access=self.access(n), **extra)
        if kind == "sach" and pages:  # --pages 0 stays lean for large benchmarks
            item = replace(item, source_format="marc", source_record=book_marcxml(item))
        return DemoItem(item, texts)

    def sach(self) -> tuple[list[DCValue], list[str], dict[str, Any]]:
        rng, w = self.rng, self.w
        title = self.fill(rng.choice(w["book_titles"]))
        year = rng.randint(1905, 2022)
        values = [DCValue("title", title, "vi"),
                  *(DCValue("creator", self.person()) for _ in range(rng.randint(1, 2)))]
        if rng.random() < 0.3:
            values.append(DCValue("contributor", f"{self.person()} (dịch)"))
        subjects = rng.sample(w["subjects"], rng.randint(1, 3))
        values += [DCValue("subject", s, "vi") for s in subjects]
        values += [DCValue("description", self.text(2), "vi"),
                   DCValue("publisher", rng.choice(w["publishers"])),
                   DCValue("date", str(year)), DCValue("type", "Text"),
                   DCValue("type", "Sách", "vi"),
                   DCValue("language", "vie")]
        if rng.random() < 0.15:
            values.append(DCValue("language", "fre"))
        if year > 1990:
            values.append(DCValue("identifier", f"ISBN 978-604-{rng.randint(10, 99)}-"
                                                f"{rng.randint(1000, 9999)}-{rng.randint(0, 9)}"))
        place = rng.choice(w["places"])  # drawn before the rights text, as ever
        rights, statement = _book_rights(year, rng.choice(w["rights"]))
        values += [DCValue("coverage", place, "vi"), DCValue("rights", rights, "vi")]
        history = any(s in ("Lịch sử Việt Nam", "Triều Nguyễn", "Khởi nghĩa nông dân")
                      for s in subjects) or title.startswith(("Lịch sử", "Địa chí", "Hồi ký"))
        subtitle = rng.choice(w["subtitles"]) if rng.random() < 0.4 else None
        return values, ["sach:lich-su" if history else "sach:van-hoc"], {
            "behavior": "paged", "subtitle": subtitle, "rights_uri": statement}

    def bao(self) -> tuple[list[DCValue], list[str], dict[str, Any]]:
        rng = self.rng
        name, place, lang, publisher = rng.choice(self.w["newspapers"])
        year, month, day = rng.randint(1913, 1954), rng.randint(1, 12), rng.randint(1, 28)
        number = rng.randint(1, 1200)
        tag = "fr" if lang == "fre" else "vi"
        title = f"{name}, số {number} ({day:02d}-{month:02d}-{year})" if tag == "vi" else \
            f"{name}, n° {number} ({day:02d}-{month:02d}-{year})"
        values = [DCValue("title", title, tag), DCValue("publisher", publisher),
                  DCValue("date", f"{year}-{month:02d}-{day:02d}"),
                  DCValue("subject", "Báo chí", "vi"),
                  DCValue("subject", rng.choice(self.w["subjects"]), "vi"),
                  DCValue("description", self.text(1), "vi"), DCValue("type", "Text"),
                  DCValue("type", "Báo", "vi"), DCValue("language", lang),
                  DCValue("coverage", place, "vi"), DCValue("rights", "Phạm vi công cộng", "vi")]
        return values, ["bao-chi"], {"rights_uri": PUBLIC_DOMAIN_MARK}

    def hannom(self) -> tuple[list[DCValue], list[str], dict[str, Any]]:
        rng = self.rng
        title, han, lang, author = rng.choice(self.w["han_nom"])
        note = rng.choice(self.w["han_nom_notes"])
        values = [DCValue("title", f"{title} ({note})", "vi"),
                  DCValue("title", han, "zh-Hant" if lang == "chi" else "vi-Hani"),
                  DCValue("creator", author), DCValue("subject", "Hán Nôm", "vi"),
                  DCValue("subject", rng.choice(self.w["subjects"]), "vi"),
                  DCValue("description", f"Văn bản {note}, " + self.text(1).lower(), "vi"),
                  DCValue("date", f"Thế kỷ {rng.choice(('XV', 'XVII', 'XVIII', 'XIX'))}", "vi"),
                  DCValue("type", "Text"), DCValue("type", "Văn bản chép tay", "vi"),
                  DCValue("language", lang), DCValue("rights", "Phạm vi công cộng", "vi")]
        return values, ["han-nom"], {"behavior": "paged", "viewing_direction": "right-to-left",
                                     "rights_uri": PUBLIC_DOMAIN_MARK}


def _book_rights(year: int, drawn: str) -> tuple[str, str]:
    """A book's rights text and statement, as a library would give them: the Public Domain
    Mark before 1950, else In Copyright (or the CC BY licence the text names)."""
    if year < 1950:
        return "Phạm vi công cộng", PUBLIC_DOMAIN_MARK
    if "CC BY 4.0" in drawn:
        return drawn, "http://creativecommons.org/licenses/by/4.0/"
    if drawn == "Phạm vi công cộng":
        drawn = "Còn trong thời hạn bảo hộ quyền tác giả"
    return drawn, "http://rightsstatements.org/vocab/InC/1.0/"


def _with_scans(demo: DemoItem, folder: Path) -> ItemInput:
    """The item with its pages drawn, and their text and word boxes read back from the ALTO
    written beside each scan (the importer's own reader)."""
    pages = []
    for seq, (heading, text) in enumerate(demo.pages, start=1):
        target = page_file(folder, demo.item.item_id, seq, heading + text)
        footer = f"— {seq} —"
        if not (target.exists() and alto_file(target).exists()):
            render_page(heading, text, footer, target)
        ocr = read_page_text(alto_file(target), PAGE_WIDTH, PAGE_HEIGHT)
        pages.append(PageInput(str(target), PAGE_WIDTH, PAGE_HEIGHT,
                               heading.rsplit(" — ", 1)[-1], ocr.text, boxes=ocr.boxes))
    return replace(demo.item, pages=tuple(pages))


_WORKER: dict[tuple[int, int], _Maker] = {}


def make_items(seed: int, total: int, numbers: range, pages: int | None,
               folder: Path) -> list[ItemInput]:
    """Items `numbers` of the collection, their scans rendered (runs in a worker process too)."""
    maker = _WORKER.setdefault((seed, total), _Maker(seed, total))
    made = (maker.item(n, pages) for n in numbers)
    return [_with_scans(d, folder) if d.pages else d.item for d in made]


def _write(store: Store, items: list[ItemInput], summary: ImportSummary) -> None:
    doomed = {i.item_id for i in items if int(i.item_id.rsplit("-", 1)[1]) % DELETE_EVERY == 0}
    with store.session() as session:
        gone = set(session.scalars(select(Item.item_id).where(
            Item.item_id.in_(doomed), Item.deleted.is_(True)))) if doomed else set()
        keep = [i for i in items if i.item_id not in gone]
        for outcome in bulk_upsert(session, keep, store.settings.data_path):
            setattr(summary, outcome, getattr(summary, outcome) + 1)
        summary.unchanged += len(gone)
        summary.deleted += sum(bulk_delete(session, sorted(doomed - gone)))


def _batches(seed: int, items: int, pages: int | None, folder: Path,
             workers: int) -> Iterator[list[ItemInput]]:
    """The items in batches, in order; made by `workers` other processes (0: made here)."""
    size = BATCH_WITH_PAGES if pages != 0 else BATCH_METADATA_ONLY
    ranges = [range(a, min(a + size, items + 1)) for a in range(1, items + 1, size)]
    if workers <= 0:
        for numbers in ranges:
            yield make_items(seed, items, numbers, pages, folder)
        return
    context = multiprocessing.get_context("spawn")  # libvips threads do not survive fork
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        window: deque[Future[list[ItemInput]]] = deque()
        for numbers in ranges:
            window.append(pool.submit(make_items, seed, items, numbers, pages, folder))
            if len(window) > 2 * workers:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()


def build_demo(store: Store, items: int = 36, pages: int | None = None, seed: int = 1,
               workers: int | None = None) -> ImportSummary:
    """Add (or bring up to date) the demo collection; the same seed gives the same items.

    Items with pages are made (and their scans drawn) in worker processes; metadata-only items
    here, which is faster than shipping them between processes.
    """
    summary = ImportSummary()
    with store.session() as session:
        for spec, name, description in words()["sets"]:
            upsert_set(session, SetInput(spec, name, description))
    folder = store.settings.data_path / "demo-src"
    if workers is None:  # scans are drawn by as many processes as cores; metadata here
        draw = pages != 0 and items >= 2 * BATCH_WITH_PAGES
        workers = min(2, os.cpu_count() or 1) if draw else 0
    for batch in _batches(seed, items, pages, folder, workers):
        _write(store, batch, summary)
    return summary
