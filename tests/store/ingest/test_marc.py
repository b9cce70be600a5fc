"""MARC 21 import: ISO 2709 (UTF-8 and MARC-8) and MARCXML, ids, deletions, bad records."""

from __future__ import annotations

import time
import unicodedata

from lxml import etree
from pymarc import Field, Indicators, Subfield

from store.ingest.importing import run_import
from store.read.queries import get_item, stats
from tests.store.ingest.helpers import DATA, marc_record, write_marcxml, write_mrc

MARC = "{http://www.loc.gov/MARC21/slim}"


def _get(store, item_id):
    with store.reading() as s:
        return get_item(s, item_id)


def test_marcxml_record_is_crosswalked_to_dublin_core_and_keeps_its_marcxml(store, tmp_path):
    path = write_marcxml(tmp_path / "a.xml", [marc_record("  hp-0001  ", extra=[
        Field("020", Indicators(" ", " "), [Subfield("a", "9786041234567")]),
        Field("520", Indicators(" ", " "), [Subfield("a", "Kiệt tác của văn học Việt Nam.")]),
        Field("041", Indicators("0", " "), [Subfield("a", "vie"), Subfield("a", "fre")])])])
    summary = run_import(store, [path])
    assert (summary.imported, summary.rejected) == (1, 0)
    item = _get(store, "hp-0001")
    assert item.values("title") == ["Truyện Kiều"]
    assert item.subtitle == "đoạn trường tân thanh"
    assert item.values("creator") == ["Nguyễn Du, 1765-1820"]
    assert item.values("subject") == ["Văn học Việt Nam -- Thế kỷ 19"]
    assert item.values("publisher") == ["Hà Nội : Văn học"]
    assert item.values("date") == ["1925"]
    assert item.values("identifier") == ["ISBN 9786041234567"]
    assert item.values("language") == ["vie", "fre"]
    assert item.values("description") == ["Kiệt tác của văn học Việt Nam"]
    langs = {v.element: v.lang for v in item.metadata}
    assert langs["title"] == "vi" and langs["subject"] == "vi"
    assert item.behavior == "paged" and item.source_format == "marc"
    source = etree.fromstring(item.source_record.encode())
    assert source.findtext(f"{MARC}leader")[9] == "a"
    assert source.findtext(f"{MARC}controlfield[@tag='001']") == "  hp-0001  "


def test_marc8_record_is_decoded_to_unicode(store):
    summary = run_import(store, [DATA / "marc8-vietnamese.mrc"])
    assert summary.imported == 1
    item = _get(store, "hp-marc8-01")  # 001 "  hp-marc8-01  " trimmed
    assert item.values("title") == ["Truyện Kiều"]
    assert item.subtitle == "Đoạn trường tân thanh"
    assert item.values("creator") == ["Nguyễn Du"]
    assert item.values("publisher") == ["Hải Phòng : Nhà in Đông Dương"]
    assert item.values("subject") == ["Thơ ca"]
    source = etree.fromstring(item.source_record.encode())
    assert source.findtext(f"{MARC}leader")[9] == "a"
    title = source.findtext(f"{MARC}datafield[@tag='245']/{MARC}subfield[@code='a']")
    assert unicodedata.normalize("NFC", title) == "Truyện Kiều :"


def test_iso2709_utf8_records_import_and_reimport_unchanged_keeps_datestamp(store, tmp_path):
    path = write_mrc(tmp_path / "b.mrc", [marc_record(f"vn{i}") for i in range(3)])
    assert run_import(store, [path]).imported == 3
    before = _get(store, "vn1").datestamp
    time.sleep(1.1)
    again = run_import(store, [path])
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 3)
    assert _get(store, "vn1").datestamp == before
    write_mrc(path, [marc_record("vn1", title="Truyện Kiều mới")])
    assert run_import(store, [path]).updated == 1
    assert _get(store, "vn1").datestamp > before


def test_deletion_of_never_imported_record_is_no_error_and_leaves_no_tombstone(store, tmp_path):
    path = write_marcxml(tmp_path / "d.xml", [marc_record("ghost", status="d")])
    summary = run_import(store, [path])
    assert (summary.deleted, summary.rejected, summary.problems) == (0, 0, [])
    assert _get(store, "ghost") is None


def test_leader_05_d_deletes_and_leaves_a_tombstone(store, tmp_path):
    run_import(store, [write_marcxml(tmp_path / "a.xml", [marc_record("vn7")])])
    summary = run_import(store, [write_marcxml(tmp_path / "d.xml",
                                               [marc_record("vn7", status="d")])])
    assert summary.deleted == 1
    item = _get(store, "vn7")
    assert item.deleted
    with store.reading() as s:
        assert stats(s).deleted == 1


def test_two_records_with_one_id_reject_the_second(store, tmp_path):
    path = write_marcxml(tmp_path / "dup.xml", [marc_record(" vn9", "Thứ nhất"),
                                                marc_record("vn9 ", "Thứ hai")])
    summary = run_import(store, [path])
    assert (summary.imported, summary.rejected) == (1, 1)
    assert summary.problems == [f"{path}: record 2: id vn9 was already given by {path} "
                                "record 1 of this import"]
    assert _get(store, "vn9").values("title") == ["Thứ nhất"]


def test_bad_records_are_reported_skipped_and_the_rest_imported(store, tmp_path):
    good = [marc_record("ok1").as_marc(), marc_record("ok2").as_marc()]
    body = b"nam a2200049 a 4500garbage-without-directory\x1e\x1d"
    broken = b"%05d" % (len(body) + 5) + body  # right length, no readable directory
    no_control = marc_record(None).as_marc()
    path = tmp_path / "mixed.mrc"
    path.write_bytes(good[0] + broken + no_control + good[1])
    summary = run_import(store, [path])
    assert (summary.imported, summary.rejected) == (2, 2)
    assert summary.problems[0].startswith(f"{path}: record 2: not a readable MARC record")
    assert summary.problems[1] == (f"{path}: record 3: "
                                   "no 001 control number to take the item id from")
    assert _get(store, "ok2") is not None


def test_id_prefix_and_set_apply_to_every_record(store, tmp_path):
    path = write_marcxml(tmp_path / "a.xml", [marc_record("0001"), marc_record("0002")])
    summary = run_import(store, [path], set_spec="sach:lich-su", id_prefix="hp-")
    assert summary.imported == 2
    assert _get(store, "hp-0001").sets == ("sach:lich-su",)
    assert _get(store, "0001") is None


def test_marcxml_inside_an_oai_response_uses_headers_for_deletions(store, tmp_path):
    run_import(store, [write_marcxml(tmp_path / "a.xml", [marc_record("vn5")])])
    record = etree.tostring(etree.fromstring(
        write_marcxml(tmp_path / "b.xml", [marc_record("vn6")]).read_bytes())[0]).decode()
    oai = ('<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>'
           '<record><header status="deleted"><identifier>oai:x.org:vn5</identifier>'
           '<datestamp>2024-01-01</datestamp></header></record>'
           '<record><header><identifier>oai:x.org:other</identifier>'
           f'<datestamp>2024-01-01</datestamp></header><metadata>{record}</metadata></record>'
           '</ListRecords></OAI-PMH>')
    path = tmp_path / "oai.xml"
    path.write_text(oai, encoding="utf-8")
    summary = run_import(store, [path])
    assert (summary.imported, summary.deleted) == (1, 1)
    assert _get(store, "vn5").deleted
    assert _get(store, "vn6") is not None  # the 001 wins over the header
