"""Every value import accepts serialises, in every format and on both paths (lxml builders and
the list pages' text), into a schema-valid OAI-PMH response (hypothesis: arbitrary Unicode,
the fragments' marker character, arbitrary MARC indicators)."""

from __future__ import annotations

from datetime import datetime

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from oai.envelope import Context
from oai.formats import FORMATS
from oai.fragments import MARK, oai_dc_record_text, record_text
from oai.lists import record_bytes
from oai.ns import OAI, XSI
from store.ingest.entries import ReadContext, Upsert, lang_or_none
from store.ingest.marc import record_entry, record_from_xml
from store.links import Links
from store.records import DC_ELEMENTS, DCValue, ItemInput, MetadataRecord
from store.settings import Settings
from store.write.items import validate
from store.xml_safety import clean_text
from tests.oai.schemas import assert_valid

LINKS = Links("http://localhost", "thuvienso.local")
CTX = Context(None, Settings(), LINKS, datetime.now)  # type: ignore[arg-type]
MARC_NS = "http://www.loc.gov/MARC21/slim"
EXAMPLES = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])

# any text, with the characters that broke a feed before weighted in
texts = st.text(alphabet=st.one_of(st.characters(codec="utf-8"),
                                   st.sampled_from([MARK, "²", "①", "<", "&", "]", ">", " "])),
                max_size=40)


def _envelope(prefix: str, records: bytes) -> bytes:
    return (f'<OAI-PMH xmlns="{OAI}" xmlns:xsi="{XSI}"><responseDate>2024-01-01T00:00:00Z'
            f'</responseDate><request verb="ListRecords" metadataPrefix="{prefix}">'
            f"http://localhost/oai</request><ListRecords>").encode() + records + \
        b"</ListRecords></OAI-PMH>"


def _metadata_record(item: ItemInput) -> MetadataRecord:
    validate(item)
    return MetadataRecord(item.item_id, False, datetime(2024, 1, 1), item.metadata, item.sets,
                          item.rights_uri, 1, item.source_format, item.source_record)


def _assert_every_format_valid(item: MetadataRecord) -> None:
    manifest = LINKS.manifest(item.item_id)
    for fmt in FORMATS.values():
        built = record_bytes(CTX, item, fmt)
        assert_valid(_envelope(fmt.prefix, built))
        if fmt.text is not None:
            text = record_text(LINKS.oai_id_prefix, item, fmt.text(item, manifest))
            assert_valid(_envelope(fmt.prefix, text.encode()))
    fast = oai_dc_record_text(LINKS.oai_id_prefix, item, manifest)
    assert_valid(_envelope("oai_dc", fast.encode()))


@EXAMPLES
@given(st.lists(st.tuples(st.sampled_from(DC_ELEMENTS), texts, st.one_of(st.none(), texts)),
                min_size=1, max_size=6))
@example([("title", f"a{MARK}b", None), ("subject", MARK, "vi")])  # broke ListRecords mods
def test_any_dublin_core_value_import_accepts_is_valid_in_every_format(values):
    metadata = []
    for element, raw, lang in values:  # as the importers clean a value
        text = clean_text(" ".join(raw.split()))[0]
        if text:
            metadata.append(DCValue(element, text, lang_or_none(lang)))
    item = ItemInput("tv-1", tuple(metadata) or (DCValue("title", "x"),))
    _assert_every_format_valid(_metadata_record(item))


def _marcxml(ind1: str, ind2: str, title: str, author: str, year: str) -> etree._Element:
    record = etree.Element(f"{{{MARC_NS}}}record", nsmap={None: MARC_NS})
    etree.SubElement(record, f"{{{MARC_NS}}}leader").text = "00000nam a2200000 a 4500"
    etree.SubElement(record, f"{{{MARC_NS}}}controlfield", tag="001").text = "tv-1"
    etree.SubElement(record, f"{{{MARC_NS}}}controlfield", tag="008").text = \
        f"000000s{year}    vm            000 0 vie d"
    for tag, value in (("100", author), ("245", title), ("650", author)):
        field = etree.SubElement(record, f"{{{MARC_NS}}}datafield", tag=tag, ind1=ind1,
                                 ind2=ind2)
        etree.SubElement(field, f"{{{MARC_NS}}}subfield", code="a").text = value
    return record


xml_chars = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"))
indicators = st.one_of(st.sampled_from("0123456789 ab²①٣"), xml_chars)
xml_texts = st.text(alphabet=st.one_of(xml_chars, st.sampled_from([MARK, "²", " "])),
                    min_size=1, max_size=30)


@EXAMPLES
@given(indicators, indicators, xml_texts, xml_texts,
       st.text(alphabet=st.sampled_from("0123456789²①٣ "), min_size=4, max_size=4))
@example(" ", "²", "Sách", "Trần", "19²4")  # 245 ind2 "²": GetRecord mods was a 500
@example("①", "٣", f"a{MARK}b", MARK, "²²²²")
def test_any_marcxml_record_import_accepts_is_valid_in_every_format(ind1, ind2, title, author,
                                                                     year):
    entry = record_entry(record_from_xml(_marcxml(ind1, ind2, title, author, year)), 1,
                         ReadContext())
    assert isinstance(entry, Upsert)
    _assert_every_format_valid(_metadata_record(entry.item))
