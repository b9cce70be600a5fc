"""Rights and access in every OAI-PMH format: the statement, the library's default, and how
the full text is read; schema-valid, and the same on GetRecord and list pages."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from store.ingest.marc import record_to_marcxml
from store.records import DCValue, ItemInput
from store.write.items import upsert_item
from tests.oai.schemas import assert_valid
from tests.store.ingest.helpers import marc_record, write_marcxml
from web.app import create_app
from web.context import context_of

NS = {"o": "http://www.openarchives.org/OAI/2.0/", "dc": "http://purl.org/dc/elements/1.1/",
      "m": "http://www.loc.gov/mods/v3", "marc": "http://www.loc.gov/MARC21/slim",
      "xlink": "http://www.w3.org/1999/xlink"}
INC = "http://rightsstatements.org/vocab/InC/1.0/"
PDM = "http://creativecommons.org/publicdomain/mark/1.0/"
ID = "oai:thuvienso.local:"


def _fill(store) -> None:
    marc = record_to_marcxml(marc_record("marc-1"))
    with store.session() as s:
        for item in (
            ItemInput("open-1", (DCValue("title", "Một"),), rights_uri=INC),
            ItemInput("readers-1", (DCValue("title", "Hai"),), access="readers"),
            ItemInput("marc-1", (DCValue("title", "Ba"),), access="restricted",
                      source_format="marc", source_record=marc, rights_uri=PDM)):
            upsert_item(s, item, store.settings.data_path)


@pytest.fixture
def default_client(settings_overrides) -> FlaskClient:
    app = create_app({**settings_overrides, "rights_default":
                      "https://creativecommons.org/publicdomain/mark/1.0/"})
    _fill(context_of(app).store)
    yield app.test_client()
    context_of(app).store.dispose()


def _get(client, prefix: str, item_id: str):
    body = client.get(f"/oai?verb=GetRecord&metadataPrefix={prefix}&identifier={ID}{item_id}")
    return assert_valid(body.data)


def _rights(root, item_id: str) -> list[str]:
    record = root.xpath(f"//o:record[o:header/o:identifier='{ID}{item_id}']", namespaces=NS)[0]
    return record.xpath(".//dc:rights/text()", namespaces=NS)


def test_oai_dc_says_the_statement_and_how_the_full_text_is_read(client, store):
    _fill(store)
    assert _rights(_get(client, "oai_dc", "open-1"), "open-1") == [
        INC, "Toàn văn: mở cho mọi người, trực tuyến", "Full text: open to everyone online"]
    assert _rights(_get(client, "oai_dc", "readers-1"), "readers-1") == [
        "Toàn văn: dành cho bạn đọc đã đăng nhập", "Full text: for signed-in readers"]


def test_the_library_default_fills_items_without_a_statement_in_lists_and_getrecord(
        default_client):
    listed = assert_valid(default_client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc").data)
    single = _get(default_client, "oai_dc", "readers-1")
    assert _rights(listed, "readers-1") == _rights(single, "readers-1") == [
        PDM, "Toàn văn: dành cho bạn đọc đã đăng nhập", "Full text: for signed-in readers"]
    assert _rights(listed, "open-1")[0] == INC  # its own statement wins


def test_mods_links_the_statement_and_states_the_access_restriction(client, store):
    _fill(store)
    for item_id, uri, name in (("open-1", INC, "In Copyright"),
                               ("marc-1", PDM, "Public Domain Mark 1.0")):
        root = _get(client, "mods", item_id)
        use = root.xpath("//m:accessCondition[@type='use and reproduction']", namespaces=NS)
        assert [(e.get(f"{{{NS['xlink']}}}href"), e.text) for e in use] == [(uri, name)]
    restriction = root.xpath("//m:accessCondition[@type='restriction on access']/text()",
                             namespaces=NS)
    assert restriction == ["Toàn văn: không có trực tuyến", "Full text: not online"]


def test_marcxml_carries_the_statement_in_540_u_even_when_the_original_lacks_it(client, store):
    _fill(store)
    for item_id, uri in (("marc-1", PDM), ("open-1", INC)):
        root = _get(client, "marc21", item_id)
        assert root.xpath("//marc:datafield[@tag='540']/marc:subfield[@code='u']/text()",
                          namespaces=NS) == [uri]
    listed = assert_valid(client.get("/oai?verb=ListRecords&metadataPrefix=marc21").data)
    assert len(listed.xpath("//marc:datafield[@tag='540']/marc:subfield[@code='u']",
                            namespaces=NS)) == 2


def test_a_statement_that_names_none_is_rejected_at_import_with_file_and_record(runner,
                                                                                 tmp_path):
    from pymarc import Field, Indicators, Subfield

    from web.cli import main

    bad = Field("540", Indicators(" ", " "),
                [Subfield("u", "http://rightsstatements.org/vocab/InC-XYZ/1.0/")])
    path = write_marcxml(tmp_path / "c.xml", [marc_record("ok-1"), marc_record("bad-1",
                                                                               extra=[bad])])
    result = runner.invoke(main, ["import", str(path)])
    assert result.exit_code == 1
    assert (f"{path}: record 2: 'http://rightsstatements.org/vocab/InC-XYZ/1.0/' names no "
            "rightsstatements.org statement or Creative Commons licence") in result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("1 imported")
