"""The CONTRACT's id rule, case by case (no database needed)."""

from __future__ import annotations

import pytest

from store.ingest.ids import id_from_header, make_id


@pytest.mark.parametrize("value, prefix, expected", [
    ("  ocm012345  ", "", "ocm012345"),             # 001 padded with spaces
    ("\tvn 0001\n", "", "vn-0001"),                  # inner space replaced
    ("hdl:1765/308", "", "hdl-1765-308"),
    ("__.-abc", "", "abc"),                          # leading - . _ dropped
    ("Đặng-01", "", "ng-01"),                        # non-ASCII replaced, then leading - dropped
    ("x" * 200, "", "x" * 128),                      # cut to 128
    ("0012", "hp-", "hp-0012"),
    ("0012", "a b:", "a-b-0012"),
    ("   ", "", None),
    ("---", "", None),
    (None, "", None),
])
def test_make_id_follows_the_contract(value, prefix, expected):
    assert make_id(value, prefix) == expected


@pytest.mark.parametrize("identifier, expected", [
    ("oai:thuvien.example.org:sach/0042", "sach-0042"),   # oai:NS:LOCAL gives LOCAL
    ("oai:repo:a:b", "a-b"),
    ("hdl:1765/308", "hdl-1765-308"),                     # any other scheme: whole identifier
    ("http://example.org/item/7", "http---example.org-item-7"),
    ("oai:only-two", "oai-only-two"),
])
def test_header_identifier_gives_local_part_or_whole(identifier, expected):
    assert id_from_header(identifier) == expected
