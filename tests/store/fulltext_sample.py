"""A small collection with page text for the full-text tests: words placed on purpose.

- `dia-chi-hai-phong` (open): "Hải Phòng" in the title; page 2 says "trận Bạch Đằng năm 938" with
  word boxes; page 3 carries the text in NFD; a description names "Đồ Sơn".
- `ky-su-do-son` (open): "Đồ Sơn" only in its description; pages without text.
- `nhat-ky-ba-lan` (open): "Hải Phòng" only in its page text (page 1).
- `sach-ban-doc` (readers) and `sach-han-che` (restricted): the word "bímật" only in page text.
- `so-tay-1890` (open, date 1890) and `so-tay-1990` (open, date 1990): "sổ tay" in the title,
  sets `a` and `b`.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from store.db import Store
from store.records import DCValue, ItemInput, PageInput
from store.write.items import upsert_item
from tests.iiif.presentation_sample import make_image

WIDTH, HEIGHT = 600, 800
BATTLE = "Lịch sử ghi trận Bạch Đằng năm 938 , Ngô Quyền thắng quân Nam Hán ."


def boxes_of(text: str) -> str:
    """One box per word, left to right, 40 pixels a word, 20 lines down the page."""
    return " ".join(f"{10 + (n % 12) * 45},{20 + (n // 12) * 30},40,24"
                    for n, _word in enumerate(text.split()))


def page(folder: Path, text: str | None, boxes: bool = False, hue: int = 0) -> PageInput:
    return PageInput(make_image(folder, WIDTH, HEIGHT, hue), WIDTH, HEIGHT, None, text,
                     boxes=boxes_of(text) if boxes and text else None)


def items(folder: Path) -> list[ItemInput]:
    v = DCValue
    nfd = unicodedata.normalize("NFD", "Truyện Kiều của Nguyễn Du được chép lại ở đây.")
    return [
        ItemInput("dia-chi-hai-phong", metadata=(
            v("title", "Địa chí Hải Phòng"), v("creator", "Trần Văn Giáp"),
            v("description", "Khảo cứu về bãi biển Đồ Sơn và cảng."), v("date", "1925")),
            sets=("a",), pages=(page(folder, "Bìa sách"), page(folder, BATTLE, True, 1),
                                page(folder, nfd, True, 2))),
        ItemInput("ky-su-do-son", metadata=(
            v("title", "Ký sự miền biển"), v("description", "Những ngày ở Đồ Sơn."),
            v("date", "1931")), sets=("b",), pages=(page(folder, None),)),
        ItemInput("nhat-ky-ba-lan", metadata=(v("title", "Nhật ký bà Lan"), v("date", "1950")),
                  pages=(page(folder, "Chuyến tàu về Hải Phòng lúc sáng sớm.", True),)),
        ItemInput("sach-ban-doc", metadata=(v("title", "Sách cho bạn đọc"),), access="readers",
                  pages=(page(folder, "Một điều bímật của làng.", True),)),
        ItemInput("sach-han-che", metadata=(v("title", "Sách hạn chế"),), access="restricted",
                  pages=(page(folder, "Một điều bímật khác.", True),)),
        ItemInput("so-tay-1890", metadata=(v("title", "Sổ tay người đọc"), v("date", "1890")),
                  sets=("a",)),
        ItemInput("so-tay-1990", metadata=(v("title", "Sổ tay người viết"),
                                           v("date", "1990-05-01")), sets=("b",)),
    ]


def populate(store: Store, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with store.session() as session:
        for item in items(folder):
            upsert_item(session, item, store.settings.data_path)
