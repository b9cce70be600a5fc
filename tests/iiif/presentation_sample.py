"""A small collection with real page images (made by pyvips) for Presentation and portal tests.

Also the schema check of ../shared/peers/iiif-validator.md, on the copy in tests/data.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pyvips
from jsonschema import Draft7Validator

from store.db import Store
from store.records import DCValue, ItemInput, PageInput, SetInput
from store.write.items import delete_item, upsert_item, upsert_set

SCHEMA = json.loads((Path(__file__).parent.parent / "data" / "presentation" / "iiif_3_0.json")
                    .read_text())
VALIDATOR = Draft7Validator(SCHEMA)
PAGED_ITEMS = 23  # more than one portal result page (20)


def schema_errors(doc: dict) -> list[str]:
    """Empty when doc is a valid Presentation 3.0 Manifest or Collection."""
    if VALIDATOR.is_valid(doc):
        return []
    cls = {"Manifest": "manifest", "Collection": "collection"}[doc["type"]]
    narrow = Draft7Validator({k: v for k, v in SCHEMA.items() if k != "oneOf"}
                             | {"allOf": [{"$ref": f"#/classes/{cls}"}]})
    return [f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in narrow.iter_errors(doc)]


def make_image(folder: Path, width: int, height: int, hue: int = 0) -> str:
    """A PNG with gradients (not one flat colour, so that a drawn viewer is not blank)."""
    path = folder / f"page-{width}x{height}-{hue}.png"
    if not path.exists():
        xy = pyvips.Image.xyz(width, height)
        x, y = xy[0], xy[1]
        rgb = (x * (255 / width)).bandjoin([y * (255 / height), ((x + y + hue) % 256)])
        rgb.cast("uchar").write_to_file(str(path))
    return str(path)


def _pages(folder: Path, labels: list[str | None], size: tuple[int, int] = (600, 800)
           ) -> tuple[PageInput, ...]:
    return tuple(PageInput(image_path=make_image(folder, *size, hue=n * 40), width=size[0],
                           height=size[1], label=label) for n, label in enumerate(labels))


def sample_items(folder: Path) -> list[ItemInput]:
    """The items of the sample collection (see the module docstring of each test)."""
    v = DCValue
    items = [
        ItemInput("thu-vien-ha-noi", metadata=(
            v("title", "Thư viện Hà Nội xưa", "vie"), v("title", "Old Hanoi libraries", "eng"),
            v("creator", "Đặng Thai Mai"), v("subject", "Lịch sử", "vie"),
            v("description", "Ảnh chụp các thư viện cũ.", "vie"), v("date", "1938")),
            sets=("sach:lichsu",), pages=_pages(folder, ["Bìa", "1", "2", "Chương 1", "4"]),
            rights_uri="https://creativecommons.org/publicdomain/mark/1.0/", behavior="paged",
            subtitle="ký sự"),
        ItemInput("dia-chi-viet-nam", metadata=(v("title", "Dia chi Viet Nam"),),
                  sets=("bando",), pages=_pages(folder, [None], (900, 600))),
        ItemInput("truyen-kieu", metadata=(
            v("title", unicodedata.normalize("NFD", "Truyện Kiều")), v("creator", "Nguyễn Du")),
            sets=("sach",), pages=_pages(folder, ["1", "2"]),
            viewing_direction="right-to-left", behavior="paged"),
        ItemInput("han-nom-han-che", metadata=(v("title", "Sách Hán Nôm hạn chế"),),
                  sets=("sach",), access="readers", pages=_pages(folder, ["1"])),
        ItemInput("muc-luc-khong-anh", metadata=(v("title", "Mục lục không có ảnh"),),
                  sets=("sach",)),
        ItemInput("da-xoa", metadata=(v("title", "Tài liệu đã xoá"),), sets=("sach",),
                  pages=_pages(folder, ["1"])),
    ]
    items += [ItemInput(f"bao-tieng-dan-{n:02d}",
                        metadata=(v("title", f"Báo Tiếng Dân số {n}", "vie"),),
                        sets=("bao",), pages=_pages(folder, ["1"], (300, 400)))
              for n in range(1, PAGED_ITEMS + 1)]
    return items


SETS = (SetInput("sach", "Sách", "Sách in và sách chép tay"), SetInput("sach:lichsu", "Lịch sử"),
        SetInput("bando", "Bản đồ"), SetInput("bao", "Báo chí"))


def populate(store: Store, image_root: Path) -> list[str]:
    """Fill the store with the sample collection; returns the ids of the live items."""
    folder = Path(image_root)
    folder.mkdir(parents=True, exist_ok=True)
    items = sample_items(folder)
    with store.session() as session:
        for subset in SETS:
            upsert_set(session, subset)
        for item in items:
            upsert_item(session, item, store.settings.data_path)
        delete_item(session, "da-xoa")
    return [i.item_id for i in items if i.item_id != "da-xoa"]
