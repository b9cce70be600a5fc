"""Safe XML: no entity is ever expanded or fetched; characters XML forbids are removed."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from store.ingest.importing import run_import
from store.read.queries import get_item
from store.schema.models import MetadataValue
from tests.store.ingest.helpers import DATA, marc_record, write_mrc

SECRET = "tuyet-mat-7f3a9c"


def _all_values(store) -> list[str]:
    with store.reading() as s:
        return list(s.scalars(select(MetadataValue.value)))


def _xxe(kind: str, target: str) -> bytes:
    if kind == "dc":
        root = ('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
                'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>&s;</dc:title>'
                '<dc:identifier>xxe-1</dc:identifier></oai_dc:dc>')
    else:
        root = ('<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00000nam a2200000 a 4500'
                '</leader><controlfield tag="001">xxe-1</controlfield><datafield tag="245" '
                'ind1="0" ind2="0"><subfield code="a">&s;</subfield></datafield></record>')
    return (f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY s SYSTEM "{target}">]>{root}').encode()


def test_external_entity_files_are_refused_and_the_secret_never_stored(store, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    files = []
    for kind in ("dc", "marcxml"):
        path = tmp_path / f"xxe-{kind}.xml"
        path.write_bytes(_xxe(kind, secret.as_uri()))
        files.append(path)
    files.append(DATA / "xxe-passwd.xml")
    summary = run_import(store, files)
    assert (summary.imported, summary.rejected) == (0, 3)
    assert all("refused: a document type declaration" in p for p in summary.problems)
    assert not any(SECRET in v or "root:" in v for v in _all_values(store))
    with store.reading() as s:
        assert get_item(s, "xxe-1") is None


def test_entity_expansion_bomb_is_refused_quickly(store, tmp_path):
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    path = tmp_path / "bomb.xml"
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY l0 "lol">{lol}]>'
                    '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
                    'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>&l9;</dc:title>'
                    '<dc:identifier>bomb</dc:identifier></oai_dc:dc>')
    started = time.monotonic()
    summary = run_import(store, [path], fmt="dc")
    assert summary.rejected == 1 and time.monotonic() - started < 5
    assert _all_values(store) == []


def test_forbidden_xml_characters_are_removed_and_counted(store, tmp_path):
    summary = run_import(store, [DATA / "forbidden-chars.xml"])
    assert (summary.imported, summary.cleaned_chars) == (1, 4)
    assert "4 characters forbidden in XML removed" in summary.line()
    with store.reading() as s:
        assert get_item(s, "ctrl-1").title == "Thư viện Hải Phòng"


def test_forbidden_characters_in_iso2709_are_removed_from_values_and_source(store, tmp_path):
    from pymarc import Field, Indicators, Subfield

    record = marc_record("ctrl-2", title="Đồ\x07 Sơn\x0c", extra=[
        Field("500", Indicators(" ", " "), [Subfield("a", "Ghi\x1b chú")])])
    summary = run_import(store, [write_mrc(tmp_path / "c.mrc", [record])])
    assert (summary.imported, summary.cleaned_chars) == (1, 3)
    with store.reading() as s:
        item = get_item(s, "ctrl-2")
    assert item.title == "Đồ Sơn" and item.values("description") == ["Ghi chú"]
    assert "\x07" not in item.source_record and "\x1b" not in item.source_record


def test_streamed_cleaning_matches_whole_file_cleaning_at_every_chunk_boundary():
    import io
    import random

    from store.xml_safety import CleanStream, clean_xml_bytes

    rng = random.Random(1)
    pieces = ["x", "ệ", "\x01", "&#x1F;", "&#9;", "&amp;", "&#65535;", "\ufffe", "\x0b", "Đ"]
    doc = ("<a>" + "".join(rng.choice(pieces) for _ in range(3000)) + "</a>").encode()
    expected, removed = clean_xml_bytes(doc)
    assert 0 < removed < 3000
    for chunk in (1, 2, 3, 5, 11, 64):
        stream = CleanStream(io.BytesIO(b""), chunk=chunk)
        stream.fh, stream._pending = io.BytesIO(doc), b""  # tiny chunks from the first byte
        out = b"".join(iter(lambda s=stream: s.read(7), b""))
        assert (out, stream.removed) == (expected, removed), chunk


@pytest.mark.parametrize("declaration", [b"<!DOCTYPE r [<!ENTITY x 'y'>]>", b"<!entity x 'y'>",
                                         b"<!DOC\x01TYPE r>"])
def test_a_declaration_across_a_chunk_boundary_is_refused_at_every_boundary(declaration):
    import io

    from store.xml_safety import CleanStream, UnsafeXML

    doc = b"<?xml version='1.0'?>" + b" " * 7 + declaration + b"<r>&x;</r>"
    for chunk in range(1, 40):
        stream = CleanStream(io.BytesIO(b""), chunk=chunk)
        stream.fh, stream._pending = io.BytesIO(doc), b""  # tiny chunks from the first byte
        with pytest.raises(UnsafeXML):
            stream.read()


def test_a_declaration_split_by_a_forbidden_character_is_refused_in_a_whole_document():
    from store.xml_safety import UnsafeXML, clean_xml_bytes

    with pytest.raises(UnsafeXML):
        clean_xml_bytes(b"<?xml version='1.0'?><!DOC\x01TYPE r [<!EN\x02TITY x 'y'>]><r/>")
