"""The data provider by request: every verb, format, set, window and error, schema-checked."""

from __future__ import annotations

import gzip
import re
import zlib
from datetime import timedelta
from urllib.parse import quote

import pytest
from lxml import etree
from sqlalchemy import event

from tests.oai.conftest import N_ITEMS, START
from tests.oai.helpers import NS, PREFIX, all_pages, error_codes, fetch, listed_ids, x
from tests.oai.schemas import assert_valid


def test_identify_describes_the_repository(ro_client, ro_cat):
    root = fetch(ro_client, "verb=Identify")
    ident = x(root, "o:Identify")[0]
    assert x(ident, "o:repositoryName/text()") == ["Thư viện số"]
    assert x(ident, "o:baseURL/text()") == ["http://localhost/oai"]
    assert x(ident, "o:protocolVersion/text()") == ["2.0"]
    assert x(ident, "o:adminEmail/text()") == ["admin@thuvienso.local"]
    assert x(ident, "o:earliestDatestamp/text()") == [START.strftime("%Y-%m-%dT%H:%M:%SZ")]
    assert x(ident, "o:deletedRecord/text()") == ["persistent"]
    assert x(ident, "o:granularity/text()") == ["YYYY-MM-DDThh:mm:ssZ"]
    assert x(ident, "o:compression/text()") == ["gzip", "deflate"]
    assert x(ident, "o:description/id:oai-identifier/id:repositoryIdentifier/text()") == [
        "thuvienso.local"]
    assert x(root, "o:request/@verb") == ["Identify"]


@pytest.mark.parametrize("coding, decode", [("gzip", gzip.decompress),
                                            ("deflate", zlib.decompress)])
def test_responses_are_compressed_when_the_client_accepts_it(ro_client, ro_cat, coding, decode):
    response = ro_client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc",
                          headers={"Accept-Encoding": coding})
    assert response.headers["Content-Encoding"] == coding
    root = assert_valid(decode(response.data))
    assert len(x(root, "//o:record")) == 10


def test_uncompressed_without_accept_encoding(ro_client, ro_cat):
    response = ro_client.get("/oai?verb=Identify")
    assert "Content-Encoding" not in response.headers


def test_list_metadata_formats_names_four_formats_and_an_item_s_own(ro_client, ro_cat):
    """edm only for items that meet Europeana's rules (tv-001's NoC-US it does not accept);
    a deleted item (tv-003) is a header in every format."""
    for query, formats in (("verb=ListMetadataFormats", ["oai_dc", "marc21", "mods", "edm"]),
                           (f"verb=ListMetadataFormats&identifier={PREFIX}tv-001",
                            ["oai_dc", "marc21", "mods"]),
                           (f"verb=ListMetadataFormats&identifier={PREFIX}tv-003",
                            ["oai_dc", "marc21", "mods", "edm"])):
        root = fetch(ro_client, query)
        assert x(root, "//o:metadataPrefix/text()") == formats


def test_list_sets_gives_names_and_dc_descriptions(ro_client, ro_cat):
    root = fetch(ro_client, "verb=ListSets")
    assert x(root, "//o:set/o:setSpec/text()") == ["bao", "bao:nam", "sach", "sach:co"]
    assert x(root, "//o:set[o:setSpec='sach']/o:setName/text()") == ["Sách"]
    assert x(root, "//o:set[o:setSpec='bao:nam']/o:setDescription/oai_dc:dc/dc:description"
                   "/text()") == ["Báo in ở Sài Gòn"]


def test_no_set_hierarchy_without_sets(client):
    assert error_codes(fetch(client, "verb=ListSets")) == ["noSetHierarchy"]
    root = fetch(client, "verb=ListRecords&metadataPrefix=oai_dc&set=sach")
    assert error_codes(root) == ["noSetHierarchy"]


def test_get_record_oai_dc_carries_metadata_and_manifest(ro_client, ro_cat):
    root = fetch(ro_client, f"verb=GetRecord&metadataPrefix=oai_dc&identifier={PREFIX}tv-005")
    dc = x(root, "//oai_dc:dc")[0]
    assert x(dc, "dc:title/text()") == ["Tác phẩm số 5"]
    assert x(dc, "dc:title/@xml:lang") == ["vi"]
    assert "http://localhost/iiif/tv-005/manifest" in x(dc, "dc:identifier/text()")
    assert x(root, "//o:header/o:setSpec/text()") == ["sach"]
    plain = fetch(ro_client, f"verb=GetRecord&metadataPrefix=oai_dc&identifier={PREFIX}tv-004")
    assert not [i for i in x(plain, "//dc:identifier/text()") if "/iiif/" in i]


def test_base_url_setting_drives_links(shared, ro_cat):
    from web.app import create_app
    from web.context import context_of

    app = create_app(shared.overrides | {"base_url": "https://tv.example/"})
    try:
        root = fetch(app.test_client(),
                     f"verb=GetRecord&metadataPrefix=mods&identifier={PREFIX}tv-005",
                     Host="tv.example")
    finally:
        context_of(app).store.dispose()
    assert x(root, "o:request/text()") == ["https://tv.example/oai"]
    assert x(root, "//mods:location/mods:url/text()") == ["https://tv.example/iiif/tv-005/manifest"]


def test_get_record_marc21_of_a_marc_item_is_its_original_record(ro_client, ro_cat):
    root = fetch(ro_client, f"verb=GetRecord&metadataPrefix=marc21&identifier={PREFIX}tv-007")
    record = x(root, "//marc:record")[0]
    assert x(record, "marc:leader/text()")[0][9] == "a"
    assert x(record, "marc:datafield[@tag='100']/marc:subfield[@code='a']/text()") == [
        "Phan, Khôi,"]
    assert x(record, "marc:controlfield[@tag='008']/text()")[0].startswith("240101s1936")


def test_get_record_marc21_of_a_dc_item_is_a_crosswalk(ro_client, ro_cat):
    root = fetch(ro_client, f"verb=GetRecord&metadataPrefix=marc21&identifier={PREFIX}tv-005")
    record = x(root, "//marc:record")[0]
    assert x(record, "marc:leader/text()")[0][6:10] == "am a"
    assert x(record, "marc:datafield[@tag='245']/marc:subfield[@code='a']/text()") == [
        "Tác phẩm số 5"]
    assert "http://localhost/iiif/tv-005/manifest" in x(
        record, "marc:datafield[@tag='856']/marc:subfield[@code='u']/text()")


def test_get_record_mods_from_marc_and_from_dc(ro_client, ro_cat):
    root = fetch(ro_client, f"verb=GetRecord&metadataPrefix=mods&identifier={PREFIX}tv-007")
    mods = x(root, "//mods:mods")[0]
    assert x(mods, "mods:titleInfo/mods:title/text()") == ["Chương Dân thi thoại"]
    assert x(mods, "mods:name[@usage='primary']/mods:namePart[not(@type)]/text()") == [
        "Phan, Khôi"]
    assert x(mods, "mods:originInfo/mods:publisher/text()") == ["Đông Tây"]
    assert x(mods, "mods:typeOfResource/text()") == ["text"]
    root = fetch(ro_client, f"verb=GetRecord&metadataPrefix=mods&identifier={PREFIX}tv-015")
    mods = x(root, "//mods:mods")[0]
    assert x(mods, "mods:titleInfo/mods:title/text()") == ["Tác phẩm số 15"]
    assert x(mods, "mods:location/mods:url[@access='object in context']/text()") == [
        "http://localhost/iiif/tv-015/manifest"]
    assert x(mods, "mods:subject/mods:geographic/text()") == ["Hà Nội"]


@pytest.mark.parametrize("prefix", ["oai_dc", "marc21", "mods", "edm"])
def test_deleted_item_is_a_header_with_status_deleted(ro_client, ro_cat, prefix):
    root = fetch(ro_client, f"verb=GetRecord&metadataPrefix={prefix}&identifier={PREFIX}tv-011")
    assert x(root, "//o:header/@status") == ["deleted"]
    assert x(root, "//o:metadata") == []


@pytest.mark.parametrize("prefix", ["oai_dc", "marc21", "mods"])
def test_list_records_pages_through_everything_in_each_format(ro_client, ro_cat, prefix):
    pages = all_pages(ro_client, f"verb=ListRecords&metadataPrefix={prefix}")
    assert len(pages) == 5
    assert listed_ids(pages) == ro_cat.ids  # datestamp order
    assert sum(len(x(p, "//o:record/o:metadata")) for p in pages) == N_ITEMS - 4
    tokens = [x(p, "//o:resumptionToken")[0] for p in pages[:-1]]
    assert [t.get("cursor") for t in tokens] == ["0", "10", "20", "30"]
    assert {t.get("completeListSize") for t in tokens} == {str(N_ITEMS)}
    last = x(pages[-1], "//o:resumptionToken")[0]
    assert last.text is None and last.get("cursor") == "40"


def test_a_short_list_has_no_resumption_token(ro_client, ro_cat):
    root = fetch(ro_client, "verb=ListIdentifiers&metadataPrefix=oai_dc&set=bao&from=2024-01-06")
    assert x(root, "//o:resumptionToken") == []
    assert set(listed_ids([root])) == {i for i in ro_cat.sets["bao"]
                                       if ro_cat.stamps[i] >= START + timedelta(days=5)}


@pytest.mark.parametrize("spec", ["sach", "sach:co", "bao", "bao:nam"])
def test_selective_harvest_by_set_includes_subsets(ro_client, ro_cat, spec):
    pages = all_pages(ro_client, f"verb=ListIdentifiers&metadataPrefix=oai_dc&set={spec}")
    assert set(listed_ids(pages)) == ro_cat.sets[spec]
    for page in pages:
        for header in x(page, "//o:header"):
            assert spec in x(header, "o:setSpec/text()")


def _window(ro_cat, start, end):
    return [i for i in ro_cat.ids if (start is None or ro_cat.stamps[i] >= start)
            and (end is None or ro_cat.stamps[i] <= end)]


@pytest.mark.parametrize("frm, until, start, end", [
    ("2024-01-03", None, START + timedelta(days=2), None),
    (None, "2024-01-03", None, START + timedelta(days=3) - timedelta(seconds=1)),
    ("2024-01-02", "2024-01-04", START + timedelta(days=1), START + timedelta(days=4, seconds=-1)),
    ("2024-01-02T06:00:00Z", "2024-01-03T18:00:00Z", START + timedelta(hours=30),
     START + timedelta(hours=66)),  # both ends inclusive to the second
    ("2024-01-02T06:00:01Z", "2024-01-03T17:59:59Z", START + timedelta(hours=31),
     START + timedelta(hours=65)),
])
def test_from_until_windows(ro_client, ro_cat, frm, until, start, end):
    args = "".join(f"&{k}={v}" for k, v in (("from", frm), ("until", until)) if v)
    pages = all_pages(ro_client, f"verb=ListIdentifiers&metadataPrefix=oai_dc{args}")
    assert listed_ids(pages) == _window(ro_cat, start, end)


def test_empty_window_is_no_records_match(ro_client, ro_cat):
    root = fetch(ro_client, "verb=ListRecords&metadataPrefix=oai_dc&until=2020-01-01")
    assert error_codes(root) == ["noRecordsMatch"]
    assert x(root, "o:request/@until") == ["2020-01-01"]


def test_post_is_answered_like_get(ro_client, ro_cat):
    get = fetch(ro_client, "verb=ListIdentifiers&metadataPrefix=oai_dc&set=sach")
    post = fetch(ro_client, "verb=ListIdentifiers&metadataPrefix=oai_dc&set=sach", method="POST")
    assert listed_ids([get]) == listed_ids([post])
    token = x(get, "//o:resumptionToken/text()")
    if token:
        nxt = fetch(ro_client, f"verb=ListIdentifiers&resumptionToken={quote(token[0])}",
                    method="POST")
        assert listed_ids([nxt])


@pytest.mark.parametrize("coding", ["identity", "gzip"])
def test_the_get_fast_path_and_the_flask_view_send_the_same(ro_client, ro_cat, coding):
    """GET goes through the fast layer (web.fast_paths), POST through the Flask view."""
    from web.fast_paths import FastPaths

    assert isinstance(ro_client.application.wsgi_app, FastPaths)
    query = "verb=ListRecords&metadataPrefix=oai_dc&set=sach"
    headers = {"Accept-Encoding": coding}
    get = ro_client.get(f"/oai?{query}", headers=headers)
    post = ro_client.post("/oai", data=query, headers=headers,
                          content_type="application/x-www-form-urlencoded")
    for response in (get, post):
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/xml; charset=UTF-8"
        assert response.headers["Vary"] == "Accept-Encoding"
        assert response.headers.get("Content-Encoding", "identity") == coding
    bodies = [gzip.decompress(r.data) if coding == "gzip" else r.data for r in (get, post)]
    moment = re.compile(rb"<responseDate>[^<]+</responseDate>|(?<=cursor=\"0\">)[^<]+")
    assert moment.sub(b"", bodies[0]) == moment.sub(b"", bodies[1])  # the token holds the time
    assert b"<record>" in bodies[0]


def test_lists_page_by_keyset_never_offset(shared, ro_client, ro_cat):
    from web.context import context_of

    store = context_of(shared.app).store
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, *args):
        # SQLAlchemy's SQLite dialect always writes "LIMIT ? OFFSET ?" with an offset of 0
        if "OFFSET" in statement.upper() and parameters and parameters[-1] == 0:
            statement = statement.upper().replace("OFFSET", "")
        statements.append(statement.upper())

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        all_pages(ro_client, "verb=ListRecords&metadataPrefix=oai_dc")
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    assert statements and not [s for s in statements if "OFFSET" in s]


def test_only_a_list_longer_than_a_page_is_counted(shared, ro_client, ro_cat):
    """completeListSize goes with a resumptionToken; a list that fits one page needs neither."""
    from web.context import context_of

    store = context_of(shared.app).store
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, *args):
        statements.append(statement.upper())

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        short = fetch(ro_client, "verb=ListIdentifiers&metadataPrefix=oai_dc&until=2024-01-01")
        counted_short = sum("COUNT(" in s for s in statements)
        statements.clear()
        long = fetch(ro_client, "verb=ListIdentifiers&metadataPrefix=oai_dc")
        counted_long = sum("COUNT(" in s for s in statements)
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    assert 0 < len(x(short, "//o:header")) <= 10 and not x(short, "//o:resumptionToken")
    assert counted_short == 0
    assert x(long, "//o:resumptionToken/@completeListSize") == [str(len(ro_cat.ids))]
    assert counted_long == 1


def test_request_element_repeats_arguments_of_a_valid_request(ro_client, ro_cat):
    root = fetch(ro_client, f"verb=GetRecord&metadataPrefix=oai_dc&identifier={PREFIX}nothing")
    assert error_codes(root) == ["idDoesNotExist"]
    request = x(root, "o:request")[0]
    assert dict(request.attrib) == {"verb": "GetRecord", "metadataPrefix": "oai_dc",
                                    "identifier": f"{PREFIX}nothing"}


def test_xml_is_built_namespaced_and_well_formed(ro_client, ro_cat):
    root = fetch(ro_client, "verb=ListRecords&metadataPrefix=mods&set=sach:co")
    assert etree.QName(root).namespace == NS["o"]
    assert x(root, "//mods:mods/@version") == ["3.7"] * len(x(root, "//mods:mods"))


def test_streamed_lists_give_their_connection_back(shared, ro_client, ro_cat):
    from web.context import context_of

    pool = context_of(shared.app).store.engine.pool
    all_pages(ro_client, "verb=ListRecords&metadataPrefix=oai_dc")
    response = ro_client.get("/oai?verb=ListRecords&metadataPrefix=mods")
    response.close()  # a harvester that hangs up after the first chunk
    assert pool.checkedout() == 0


def test_no_answer_keeps_a_database_connection(shared, ro_client, ro_cat):
    """Read whole, not read at all (HEAD, a client gone at once), cut short, compressed: the
    session ends when the server closes the response, as every WSGI server does."""
    from web.context import context_of

    pool = context_of(shared.app).store.engine.pool
    query = "/oai?verb=ListRecords&metadataPrefix=oai_dc"
    kept = [ro_client.get(query), ro_client.head(query),  # kept: no help from the GC
            ro_client.post("/oai", data="verb=ListIdentifiers&metadataPrefix=oai_dc",
                           content_type="application/x-www-form-urlencoded")]
    assert [(r.status_code, bool(r.data)) for r in kept] == [(200, True), (200, False),
                                                               (200, True)]
    for encoding, chunks_read in (("identity", 0), ("identity", 1), ("gzip", 1)):
        response = ro_client.get(query, buffered=False, headers={"Accept-Encoding": encoding})
        chunks = iter(response.response)
        for _ in range(chunks_read):
            next(chunks)
        kept.append(response)
    for response in kept:
        response.close()
    assert pool.checkedout() == 0
