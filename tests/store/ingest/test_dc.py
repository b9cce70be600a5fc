"""Dublin Core import: OAI-PMH responses with headers, bare oai_dc records, shared identifiers."""

from __future__ import annotations

from store.ingest.importing import run_import
from store.read.queries import get_item
from store.records import DCValue
from tests.store.ingest.helpers import DATA, dc_record, list_records, oai_record


def _get(store, item_id):
    with store.reading() as s:
        return get_item(s, item_id)


def test_listrecords_headers_give_ids_and_deleted_of_unknown_id_is_no_error(store):
    summary = run_import(store, [DATA / "oai-listrecords.xml"])
    assert (summary.imported, summary.deleted, summary.rejected) == (2, 0, 0)
    handle = _get(store, "hdl-1765-308")  # any scheme but oai: gives the whole identifier
    assert handle.metadata[:2] == (DCValue("title", "Trade and ports of Tonkin", "en"),
                                   DCValue("title", "Thương mại và các cảng Bắc Kỳ", "vi"))
    assert handle.values("creator") == ["Phạm, Thị Hằng"]
    assert _get(store, "bao-1925-03").values("publisher") == ["Nhà in Đông Dương"]
    assert _get(store, "sach-never-seen") is None


def test_deleted_header_deletes_an_imported_item(store, tmp_path):
    path = tmp_path / "first.xml"
    path.write_bytes(list_records([oai_record("oai:x.org:hp/1", [("title", "Hà Nội")])]))
    assert run_import(store, [path]).imported == 1
    path.write_bytes(list_records([oai_record("oai:x.org:hp/1", None, deleted=True)]))
    assert run_import(store, [path]).deleted == 1
    assert _get(store, "hp-1").deleted


def test_getrecord_response_is_imported(store, tmp_path):
    path = tmp_path / "get.xml"
    path.write_bytes(list_records([oai_record("oai:x.org:42", [("title", "Huế")])])
                     .replace(b"ListRecords", b"GetRecord"))
    assert run_import(store, [path]).imported == 1
    assert _get(store, "42").title == "Huế"


def test_shared_dc_identifiers_are_not_ids(store):
    summary = run_import(store, [DATA / "dc-shared-identifiers.xml"])
    assert (summary.imported, summary.rejected) == (2, 1)
    assert _get(store, "HP-DC-001").title == "Địa chí Hải Phòng, tập 1"
    assert _get(store, "HP-DC-002").title == "Địa chí Hải Phòng, tập 2"
    assert summary.problems == [f"{DATA / 'dc-shared-identifiers.xml'}: record 3: no identifier:"
                                " neither an OAI-PMH header identifier nor a dc:identifier that"
                                " no other record of the file shares"]


def test_two_headers_with_one_id_reject_the_second(store, tmp_path):
    path = tmp_path / "dup.xml"
    path.write_bytes(list_records([oai_record("oai:a:1", [("title", "Một")]),
                                   oai_record("oai:b:1", [("title", "Hai")])]))
    summary = run_import(store, [path])
    assert (summary.imported, summary.rejected) == (1, 1)
    assert "record 2: id 1 was already given" in summary.problems[0]
    assert _get(store, "1").title == "Một"


def test_a_single_bare_record_and_a_broken_file(store, tmp_path):
    one = tmp_path / "one.xml"
    one.write_text(dc_record([("title", "Nam Định"), ("identifier", "nd-1")]), encoding="utf-8")
    broken = tmp_path / "broken.xml"
    broken.write_bytes(list_records([oai_record("oai:a:ok", [("title", "Được")])])[:-20])
    summary = run_import(store, [one, broken])
    assert (summary.imported, summary.rejected) == (2, 1)
    assert summary.problems[0].startswith(f"{broken}: record 2: the XML is not well-formed")
    assert _get(store, "ok").title == "Được"
