"""`thuvienso demo`: a deterministic Vietnamese collection with sets, access levels and scans."""

from __future__ import annotations

import unicodedata

import pyvips
from sqlalchemy import select

from store.ingest.demo.collection import _Maker, build_demo
from store.read.queries import get_item, list_sets, stats
from store.schema.models import Item
from web.cli import main

TONES = {"\u0300": "huyền", "\u0301": "sắc", "\u0303": "ngã", "\u0309": "hỏi", "\u0323": "nặng"}


def _items(store):
    with store.reading() as s:
        ids = s.scalars(select(Item.item_id).order_by(Item.item_id)).all()
        return [get_item(s, i, store.settings, with_text=True) for i in ids]


def test_same_seed_gives_the_same_items_and_a_rerun_changes_nothing(store):
    assert _Maker(7, 20).item(3, 4) == _Maker(7, 20).item(3, 4)
    assert _Maker(7, 20).item(3, 4) != _Maker(8, 20).item(3, 4)
    first = build_demo(store, items=20, pages=0, seed=7)
    assert (first.imported, first.rejected) == (20, 0)
    before = [(i.item_id, i.datestamp, i.metadata) for i in _items(store)]
    again = build_demo(store, items=20, pages=0, seed=7)
    assert (again.imported, again.updated, again.unchanged, again.deleted) == (0, 0, 20, 0)
    assert [(i.item_id, i.datestamp, i.metadata) for i in _items(store)] == before


def test_default_collection_has_sets_access_levels_tombstones_and_vietnamese(store):
    summary = build_demo(store, items=36, pages=0, seed=1)
    assert summary.deleted == 2
    items = _items(store)
    live = [i for i in items if not i.deleted]
    assert [i.access for i in live].count("restricted") == 1
    assert {"open", "readers"} <= {i.access for i in live}
    assert {i.item_id.split("-")[0] for i in items} == {"sach", "bao", "hannom"}
    with store.reading() as s:
        sets = {x.spec: x.name for x in list_sets(s)}
        assert stats(s).deleted == 2
    assert sets["sach:lich-su"] == "Lịch sử" and sets["han-nom"] == "Hán Nôm"
    assert any(":" in spec for i in items for spec in i.sets)
    text = " ".join(v.value for i in items for v in i.metadata)
    marks = set(unicodedata.normalize("NFD", text))
    assert set(TONES) <= marks, "every Vietnamese tone mark appears"
    assert {"đ", "Đ", "ư", "ơ"} <= set(text)
    assert "Hải Phòng" in text and "Hà Nội" in text and "Huế" in text
    assert {v.lang for i in items for v in i.metadata} >= {"vi", None}
    assert any(i.viewing_direction == "right-to-left" for i in items)


def test_pages_are_rendered_scans_whose_text_is_stored(store):
    summary = build_demo(store, items=2, pages=2, seed=3)
    assert summary.imported == 2
    item = next(i for i in _items(store) if not i.deleted)
    assert len(item.pages) == 2 and [p.label for p in item.pages] == ["Bìa", "Trang 1"]
    for page in item.pages:
        image = pyvips.Image.new_from_file(page.image_path)
        assert (image.width, image.height, page.width, page.height) == (2000, 3000, 2000, 3000)
        assert page.text.startswith(f"{item.title} — {page.label}")
        assert image.avg() < 240, "the page carries ink"
    assert (store.settings.data_path / "demo-src").is_dir()


def test_demo_command_prints_the_summary(runner):
    result = runner.invoke(main, ["demo", "--items", "5", "--pages", "0", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "5 imported, 0 updated, 0 unchanged, 0 deleted, 0 rejected"


def test_demo_books_carry_a_marc_source_record_that_agrees_with_their_titles():
    import io

    import pymarc

    from store.ingest.crosswalk_marc import marc_to_dc

    books = [d.item for d in (_Maker(1, 30).item(n, 1) for n in range(1, 31))
             if d.item.item_id.startswith("sach-")]
    assert books and all(b.source_format == "marc" for b in books)
    for book in books:
        record = pymarc.parse_xml_to_array(io.BytesIO(book.source_record.encode()))[0]
        values, subtitle = marc_to_dc(record)
        assert record["001"].data == book.item_id and str(record.leader)[9] == "a"
        assert [v.value for v in values if v.element == "title"] == \
            [v.value for v in book.metadata if v.element == "title"]
        assert subtitle == book.subtitle


def test_worker_processes_make_the_same_items_as_one_process(store):
    summary = build_demo(store, items=3, pages=1, seed=4, workers=2)
    assert summary.imported == 3
    stored = {i.item_id: i for i in _items(store)}
    for n in range(1, 4):
        expected = _Maker(4, 3).item(n, 1).item
        assert stored[expected.item_id].metadata == expected.metadata
        assert stored[expected.item_id].pages[0].text.startswith(stored[expected.item_id].title)


def test_every_demo_item_carries_a_statement_public_domain_for_old_works_inc_for_recent():
    maker = _Maker(seed=1, total=200)
    for n in range(1, 200):
        item = maker.item(n, pages=1).item
        dates = [v.value for v in item.metadata if v.element == "date"]
        year = int(dates[0][:4]) if dates and dates[0][:4].isdigit() else None
        if item.item_id.startswith("sach") and year is not None and year >= 1950:
            assert item.rights_uri in ("http://rightsstatements.org/vocab/InC/1.0/",
                                       "http://creativecommons.org/licenses/by/4.0/"), item
        else:
            assert item.rights_uri == "http://creativecommons.org/publicdomain/mark/1.0/", item
        if item.source_record:  # the MARC source says it too (540 $u)
            assert f'<subfield code="u">{item.rights_uri}</subfield>' in item.source_record
