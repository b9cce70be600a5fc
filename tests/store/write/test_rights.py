"""Rights statements on the write path: the item's own, its set's default, and refusals."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from store.read.queries import get_item
from store.records import DCValue, ItemInput
from store.schema.models import Item
from store.write.items import upsert_item
from store.write.rights import set_rights

INC = "http://rightsstatements.org/vocab/InC/1.0/"
PDM = "http://creativecommons.org/publicdomain/mark/1.0/"
NOC_US = "http://rightsstatements.org/vocab/NoC-US/1.0/"


def _item(item_id: str, sets: tuple[str, ...], *rights: str, uri: str | None = None
          ) -> ItemInput:
    values = (DCValue("title", "Truyện Kiều", "vi"), DCValue("language", "vie"),
              DCValue("subject", "Văn học", "vi"), *(DCValue("rights", r) for r in rights))
    return ItemInput(item_id, values, sets=sets, rights_uri=uri)


def _row(store, item_id: str):
    with store.session() as s:
        return s.execute(select(Item.rights_uri, Item.rights_inherited, Item.datestamp,
                                Item.dc_xml, Item.edm_lacks)
                         .where(Item.item_id == item_id)).one()


def test_a_dc_rights_uri_becomes_the_statement_in_canonical_form_and_text_stays(store):
    with store.session() as s:
        upsert_item(s, _item("a", (), "Phạm vi công cộng",
                             "https://creativecommons.org/publicdomain/mark/1.0/legalcode"),
                    store.settings.data_path)
    row = _row(store, "a")
    assert (row.rights_uri, row.rights_inherited, row.edm_lacks) == (PDM, False, "")
    assert f"<dc:rights>{PDM}</dc:rights>" in row.dc_xml
    assert "<dc:rights>Phạm vi công cộng</dc:rights>" in row.dc_xml


def test_a_rights_uri_that_is_no_statement_is_kept_as_dc_rights(store):
    with store.session() as s:
        upsert_item(s, _item("a", (), uri="https://example.org/terms"), store.settings.data_path)
    with store.session() as s:
        item = get_item(s, "a")
    assert item.rights_uri is None
    assert item.values("rights") == ["https://example.org/terms"]


def test_a_claimed_statement_that_names_none_is_refused(store):
    with store.session() as s, pytest.raises(ValueError, match="InC-XYZ"):
        upsert_item(s, _item("a", (), "http://rightsstatements.org/vocab/InC-XYZ/1.0/"),
                    store.settings.data_path)


def test_an_item_without_a_statement_takes_its_deepest_set_s_default(store):
    data = store.settings.data_path
    with store.session() as s:
        upsert_item(s, _item("a", ("sach:co",)), data)
        upsert_item(s, _item("b", ("sach",)), data)
        upsert_item(s, _item("own", ("sach:co",), uri=INC), data)
        upsert_item(s, _item("other", ("bao",)), data)
    before = {i: _row(store, i).datestamp for i in ("a", "b", "own", "other")}
    time.sleep(1.1)
    with store.session() as s:
        assert set_rights(s, "sach", NOC_US) == 2
    with store.session() as s:
        assert set_rights(s, "sach:co", "https://creativecommons.org/publicdomain/mark/1.0/") == 1
    rows = {i: _row(store, i) for i in ("a", "b", "own", "other")}
    assert (rows["a"].rights_uri, rows["a"].rights_inherited) == (PDM, True)
    assert (rows["b"].rights_uri, rows["b"].edm_lacks) == (NOC_US, "refused-statement")
    assert (rows["own"].rights_uri, rows["own"].rights_inherited) == (INC, False)
    assert rows["other"].rights_uri is None
    assert rows["a"].datestamp > before["a"] and rows["b"].datestamp > before["b"]
    assert rows["own"].datestamp == before["own"]
    assert rows["other"].datestamp == before["other"]
    assert f"<dc:rights>{PDM}</dc:rights>" in rows["a"].dc_xml
    with store.session() as s:  # an item written later takes the default too
        upsert_item(s, _item("c", ("sach:co",)), data)
    assert _row(store, "c").rights_uri == PDM
    with store.session() as s:  # removing the default leaves the items without
        assert set_rights(s, "sach:co", None) == 2
    assert _row(store, "a").rights_uri == NOC_US


@pytest.mark.parametrize("spec, uri, message", [
    ("nope", INC, "there is no set 'nope'"),
    ("sach", "https://example.org/x", "is not a rightsstatements.org or Creative Commons URI"),
    ("sach", "http://rightsstatements.org/vocab/Nope/1.0/", "names no rightsstatements.org"),
    ("bad spec", INC, "is not a set spec"),
])
def test_a_set_default_must_be_a_statement_of_an_existing_set(store, spec, uri, message):
    with store.session() as s:
        upsert_item(s, _item("a", ("sach",)), store.settings.data_path)
    with store.session() as s, pytest.raises(ValueError, match=message):
        set_rights(s, spec, uri)
