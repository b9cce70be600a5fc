"""The fast path (pre-serialised fragments joined as bytes) writes what the lxml builders write."""

from __future__ import annotations

import random
from datetime import datetime

import pytest
from lxml import etree
from sqlalchemy import func, select

from oai.envelope import T
from oai.formats.oai_dc import build as build_dc
from oai.fragments import MARK, cut, oai_dc_record_text
from oai.marcxml import DataField, MarcRecord, record_text
from oai.marcxml import build as build_marc
from oai.ns import OAI, XSI, q
from oai.records import header
from oai.xmlutil import clean
from store.dublin_core import escape_text
from store.records import DCValue, ItemInput, MetadataRecord
from store.schema.models import Item
from store.write.items import upsert_item
from tests.oai.helpers import NS, PREFIX, all_pages, fetch, x

TRICKY = ["a & b < c > d", "]]>", "\"quoted\" 'single'", "tab\there\nnew\r\nline\rcr",
          "ctrl\x01\x08\x0b\x1f\ufffe\uffff end", "emoji 🙂 and 𠀀", "Tiếng Việt đầy đủ dấu",
          "&amp; already", " leading and trailing ", ""]


def _canonical(element: etree._Element) -> bytes:
    return etree.tostring(element, method="c14n")


class _Ctx:
    id_prefix = PREFIX

    @staticmethod
    def oai_identifier(item_id: str) -> str:
        return PREFIX + item_id


def _by_lxml(item: MetadataRecord, manifest: str | None) -> etree._Element:
    root = etree.Element(q(OAI, "OAI-PMH"), nsmap={None: OAI, "xsi": XSI})
    record = etree.SubElement(root, T["record"])
    header(_Ctx, record, item)  # type: ignore[arg-type]
    if not item.deleted:
        build_dc(etree.SubElement(record, T["metadata"]), item, manifest)
    return record


def _by_fragments(item: MetadataRecord, manifest: str | None) -> etree._Element:
    text = oai_dc_record_text(PREFIX, item, manifest)
    doc = (b'<OAI-PMH xmlns="' + OAI.encode() + b'" xmlns:xsi="' + XSI.encode() + b'">'
           + text.encode() + b"</OAI-PMH>")
    return etree.fromstring(doc)[0]


@pytest.mark.parametrize("text", TRICKY)
def test_escaping_matches_lxml(text):
    element = etree.SubElement(etree.Element("r"), "x")
    element.text = clean(text)
    element.tail = "|"
    escaped = escape_text(text).encode()
    assert etree.tostring(element, encoding="utf-8") == b"<x>" + escaped + b"</x>|" \
        or (not clean(text) and escaped == b"")


def test_random_records_are_the_same_both_ways():
    rng = random.Random(7)
    alphabet = "aăâbcdđeêghiklmnoôơpqrstuưvxyÀẢẠ &<>\"'\r\n\t]]>\x01🙂"
    for n in range(300):
        values = tuple(DCValue(rng.choice(["title", "creator", "subject", "rights", "date"]),
                               "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))),
                               rng.choice([None, "vi", "en-US", "bad tag!"]))
                       for _ in range(rng.randint(0, 8)))
        item = MetadataRecord(
            item_id=f"it-{n}", deleted=rng.random() < 0.1,
            datestamp=datetime(2024, 1, 1, 0, 0, n % 60),
            metadata=values, sets=rng.choice([(), ("a",), ("a:b", "c")]),
            rights_uri=rng.choice([None, "http://rightsstatements.org/x?a=1&b=2"]),
            page_count=rng.choice([0, 3]), source_format=None, source_record=None)
        manifest = f"http://h/iiif/{item.item_id}/manifest?a=1&b=<2>" if item.page_count else None
        assert _canonical(_by_fragments(item, manifest)) == _canonical(_by_lxml(item, manifest))


@pytest.mark.parametrize("prefix", ["oai_dc", "marc21"])
def test_listed_records_equal_get_record(ro_client, ro_cat, prefix):
    """Lists write records as text; GetRecord builds them with lxml."""
    for page in all_pages(ro_client, f"verb=ListRecords&metadataPrefix={prefix}"):
        for listed in x(page, "//o:record"):
            identifier = x(listed, "o:header/o:identifier/text()")[0]
            single = fetch(ro_client, f"verb=GetRecord&metadataPrefix={prefix}&identifier="
                                      f"{identifier}")
            assert _canonical(listed) == _canonical(x(single, "//o:record")[0]), identifier
    assert NS


def test_every_written_item_keeps_its_list_columns(store, catalogue):
    """Lists read set_specs and dc_xml as kept by the write path (migration 0002 filled older
    rows), so no item may lack them."""
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Item)) == len(catalogue.ids)
        assert session.scalar(select(func.count()).where(
            Item.dc_xml.is_(None) | Item.set_specs.is_(None))) == 0


def test_the_kept_dublin_core_follows_each_change(store):
    data = store.settings.data_path
    first = ItemInput("hp-1", (DCValue("title", "Cũ", "vi"),), rights_uri="http://r/1")
    second = ItemInput("hp-1", (DCValue("title", "Mới & <hơn>", "vi"),
                                DCValue("rights", "http://r/1")), rights_uri="http://r/1")
    with store.session() as session:
        upsert_item(session, first, data)
    with store.session() as session:
        assert session.scalar(select(Item.dc_xml)) == \
            '<dc:title xml:lang="vi">Cũ</dc:title><dc:rights>http://r/1</dc:rights>'
        upsert_item(session, second, data)
    with store.session() as session:
        assert session.scalar(select(Item.dc_xml)) == \
            '<dc:title xml:lang="vi">Mới &amp; &lt;hơn&gt;</dc:title><dc:rights>http://r/1</dc:rights>'


def test_marc_records_as_text_are_the_bytes_lxml_writes():
    rng = random.Random(11)
    codes = "a0z9!\"#$%&'()*+,-./:;<=>?{}_^`~[]\\" + "é "  # the last two are not codes
    texts = TRICKY + ["Nguyễn Du", "Truyện Kiều & <Đoạn trường>"]
    for _ in range(300):
        record = MarcRecord(
            leader="".join(rng.choice("0123456789 abcnz&é") for _ in range(rng.randint(0, 30))),
            controlfields=[(rng.choice(["001", "005", "008", "00a", "010", "x"]),
                            rng.choice(texts)) for _ in range(rng.randint(0, 3))],
            datafields=[DataField(rng.choice(["245", "100", "650", "0A1", "abc", "99", "00"]),
                                  rng.choice(["0", "1", " ", "x", "#", ""]),
                                  rng.choice(["0", "4", " ", "Z"]),
                                  [(rng.choice(codes), rng.choice(texts))
                                   for _ in range(rng.randint(0, 4))])
                        for _ in range(rng.randint(0, 6))])

        def by_lxml(root: etree._Element, record: MarcRecord = record) -> None:
            build_marc(root, record).tail = MARK

        assert record_text(record).encode() == cut(by_lxml)[0]


def test_a_provenance_block_holding_the_template_marker_is_written_whole():
    from oai.fragments import about_text
    from store.records import Origin

    origin = Origin(f"http://provider.example/oai{MARK}", f"oai:a:{MARK}b", "2020-01-01T00:00:00Z",
                    "http://www.openarchives.org/OAI/2.0/oai_dc/", "2026-11-30T00:00:00Z")
    text = about_text(origin)
    root = etree.fromstring(f'<r xmlns="{OAI}" xmlns:xsi="{XSI}">{text}</r>'.encode())
    values = [e.text for e in root.iter() if e.text and e.text.strip()]
    assert origin.base_url in values and origin.identifier in values
