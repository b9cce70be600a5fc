"""MARC 21 to Dublin Core after the Library of Congress crosswalk (no database needed)."""

from __future__ import annotations

import pytest
from pymarc import Field, Indicators, Record, Subfield

from store.ingest.crosswalk_marc import marc_to_dc, tidy

B = Indicators(" ", " ")


def _dc(*fields: Field, leader: str = "00000nam a2200000 a 4500") -> dict[str, list]:
    record = Record(force_utf8=True, leader=leader)
    for field in fields:
        record.add_field(field)
    values, _subtitle = marc_to_dc(record)
    out: dict[str, list] = {}
    for v in values:
        out.setdefault(v.element, []).append((v.value, v.lang))
    return out


@pytest.mark.parametrize("field, element, expected", [
    (Field("700", Indicators("1", " "), [Subfield("a", "Lê Văn Hưu,"), Subfield("e", "dịch.")]),
     "contributor", [("Lê Văn Hưu", None)]),
    (Field("700", Indicators("1", " "), [Subfield("a", "Ngô Sĩ Liên,"), Subfield("4", "aut")]),
     "creator", [("Ngô Sĩ Liên", None)]),
    (Field("264", Indicators(" ", "1"), [Subfield("a", "Huế :"), Subfield("b", "Thuận Hóa,"),
                                         Subfield("c", "[1998]")]),
     "publisher", [("Huế : Thuận Hóa", None)]),
    (Field("264", Indicators(" ", "4"), [Subfield("c", "©1998")]), "publisher", None),
    (Field("651", Indicators(" ", "4"), [Subfield("a", "Hải Phòng (Việt Nam)"),
                                         Subfield("x", "Lịch sử")]),
     "coverage", [("Hải Phòng (Việt Nam) -- Lịch sử", None)]),
    (Field("856", Indicators("4", "0"), [Subfield("u", "https://hdl.handle.net/1765/308"),
                                         Subfield("q", "application/pdf")]),
     "identifier", [("https://hdl.handle.net/1765/308", None)]),
    (Field("540", B, [Subfield("a", "Phạm vi công cộng.")]), "rights",
     [("Phạm vi công cộng", None)]),
    (Field("500", B, [Subfield("a", "Bản chép tay.")]), "description",
     [("Bản chép tay", None)]),
    (Field("008", data="240101s1898    vm            000 0 chi d"), "language", [("chi", None)]),
    (Field("008", data="240101s1898    vm            000 0 chi d"), "date", [("1898", None)]),
])
def test_field_maps_to_its_dublin_core_element(field, element, expected):
    assert _dc(field).get(element) == expected


def test_leader_06_gives_the_type_and_008_tags_titles_with_their_language():
    dc = _dc(Field("008", data="240101s1925    vm            000 0 vie d"),
             Field("245", Indicators("0", "0"), [Subfield("a", "Bản đồ Hà Nội.")]),
             leader="00000nem a2200000 a 4500")
    assert dc["type"] == [("Image", None)]
    assert dc["title"] == [("Bản đồ Hà Nội", "vi")]


@pytest.mark.parametrize("raw, clean", [
    ("Truyện Kiều /", "Truyện Kiều"), ("Hà Nội :", "Hà Nội"), ("1925.", "1925"),
    ("Smith, J.", "Smith, J."), ("Văn học,", "Văn học"), ("  a  b ;", "a b"),
])
def test_tidy_drops_isbd_punctuation_at_the_end_only(raw, clean):
    assert tidy(raw) == clean
