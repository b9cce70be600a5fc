"""Every OAI-PMH error condition, and hostile input, answered with the right error code."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from oai import tokens
from oai.tokens import Position
from tests.oai.helpers import PREFIX, error_codes, fetch, x

LR = "verb=ListRecords&metadataPrefix=oai_dc"
BIG = "a" * 8000


@pytest.mark.parametrize("query, code", [
    ("", "badVerb"),
    ("verb=", "badVerb"),
    ("verb=Nonsense", "badVerb"),
    ("verb=identify", "badVerb"),
    ("verb=Identify&verb=Identify", "badVerb"),
    ("verb=Identify&verb=ListSets", "badVerb"),
    ("metadataPrefix=oai_dc", "badVerb"),
    ("verb=Identify&set=sach", "badArgument"),
    ("verb=Identify&foo=bar", "badArgument"),
    ("verb=ListRecords", "badArgument"),
    ("verb=ListIdentifiers", "badArgument"),
    ("verb=GetRecord&metadataPrefix=oai_dc", "badArgument"),
    (f"verb=GetRecord&identifier={PREFIX}tv-001", "badArgument"),
    (f"verb=GetRecord&identifier={PREFIX}tv-001&metadataPrefix=oai_dc&set=sach", "badArgument"),
    (f"{LR}&metadataPrefix=oai_dc", "badArgument"),
    (f"{LR}&identifier={PREFIX}tv-001", "badArgument"),
    (f"{LR}&from=", "badArgument"),
    (f"{LR}&set=", "badArgument"),
    (f"{LR}&set=..", "noRecordsMatch"),  # OAI-PMH syntax, but no set of ours can be ".."
    (f"{LR}&from=2024-01-01&until=2024-01-02T00:00:00Z", "badArgument"),
    (f"{LR}&from=2024-02-01&until=2024-01-01", "badArgument"),
    (f"{LR}&from=2024-01-01T10:00:01Z&until=2024-01-01T10:00:00Z", "badArgument"),
    (f"{LR}&from=2026-02-30", "badArgument"),
    (f"{LR}&until=2024-13-01", "badArgument"),
    (f"{LR}&from=2024-01-01T24:00:00Z", "badArgument"),
    (f"{LR}&from=99999-01-01", "badArgument"),
    (f"{LR}&from=2024-01-01T00:00:00.5Z", "badArgument"),
    (f"{LR}&from=2024-01-01T00:00:00%2B01:00", "badArgument"),
    (f"{LR}&from=2024-1-1", "badArgument"),
    (f"{LR}&from=yesterday", "badArgument"),
    (f"{LR}&from=0000-01-01", "badArgument"),
    (f"{LR}&until=%D9%A2%D9%A0%D9%A2%D9%A4-01-01", "badArgument"),  # Arabic-Indic digits
    ("verb=ListRecords&resumptionToken=abc&metadataPrefix=oai_dc", "badArgument"),
    ("verb=ListIdentifiers&resumptionToken=abc&set=sach", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=mods", "badArgument"),
    ("verb=ListRecords&metadataPrefix=%00", "badArgument"),
    ("verb=ListRecords&metadataPrefix=%FF%FE", "badArgument"),
    ("verb=ListRecords&metadataPrefix=%C3%28", "badArgument"),
    ("verb=ListRecords&metadataPrefix=bogus", "cannotDisseminateFormat"),
    ("verb=ListRecords&metadataPrefix=oai_dc';DROP TABLE item;--", "cannotDisseminateFormat"),
    (f"verb=ListRecords&metadataPrefix={BIG}", "cannotDisseminateFormat"),
    (f"verb=GetRecord&metadataPrefix=marcxml&identifier={PREFIX}tv-001",
     "cannotDisseminateFormat"),
    ("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:thuvienso.local:nope",
     "idDoesNotExist"),
    ("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:other.org:tv-001", "idDoesNotExist"),
    ("verb=GetRecord&metadataPrefix=oai_dc&identifier=tv-001", "idDoesNotExist"),
    ("verb=GetRecord&metadataPrefix=oai_dc&identifier=1' OR '1'='1", "idDoesNotExist"),
    (f"verb=GetRecord&metadataPrefix=oai_dc&identifier={PREFIX}{BIG}", "idDoesNotExist"),
    ("verb=ListMetadataFormats&identifier=oai:thuvienso.local:nope", "idDoesNotExist"),
    ("verb=ListRecords&metadataPrefix=oai_dc&set=nosuchset", "noRecordsMatch"),
    ("verb=ListRecords&metadataPrefix=oai_dc&set=sach'--", "noRecordsMatch"),
    ("verb=ListRecords&metadataPrefix=oai_dc&set=sa%25", "noRecordsMatch"),
    (f"verb=ListRecords&metadataPrefix=oai_dc&set={BIG}", "noRecordsMatch"),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=2030-01-01", "noRecordsMatch"),
    ("verb=ListIdentifiers&metadataPrefix=oai_dc&until=1999-12-31T23:59:59Z", "noRecordsMatch"),
    ("verb=ListRecords&resumptionToken=abc", "badResumptionToken"),
    ("verb=ListRecords&resumptionToken=' OR 1=1 --", "badResumptionToken"),
    (f"verb=ListRecords&resumptionToken={BIG}", "badResumptionToken"),
    ("verb=ListSets&resumptionToken=abc", "badResumptionToken"),
])
def test_error_matrix(ro_client, ro_cat, query, code):
    for method in ("GET", "POST"):
        root = fetch(ro_client, query.encode(), method=method)
        assert code in error_codes(root), query
        if code in ("badVerb", "badArgument"):
            assert dict(x(root, "o:request")[0].attrib) == {}


def test_non_utf8_bytes_in_argument_names_are_bad_arguments(ro_client, ro_cat):
    root = fetch(ro_client, b"verb=Identify&%E9t%E9=1")
    assert error_codes(root) == ["badArgument"]


def test_get_of_8_kb_is_answered(ro_client, ro_cat):
    root = fetch(ro_client, f"verb=ListIdentifiers&metadataPrefix=oai_dc&set={'s' * 8100}")
    assert error_codes(root) == ["noRecordsMatch"]


def _token(client, verb="ListRecords"):
    root = fetch(client, f"verb={verb}&metadataPrefix=oai_dc")
    return x(root, "//o:resumptionToken/text()")[0]


@pytest.mark.parametrize("damage", [
    lambda t: t[:-1],
    lambda t: t[:len(t) // 2],
    lambda t: t.replace(".", ""),
    lambda t: ("A" if t[5] != "A" else "B").join((t[:5], t[6:])),
    lambda t: t + "x",
    lambda t: t.split(".")[0] + "." + t.split(".")[0][:24],
])
def test_tampered_or_truncated_token_is_bad_resumption_token(shared, ro_client, ro_cat, damage):
    token = damage(_token(ro_client))
    root = fetch(ro_client, f"verb=ListRecords&resumptionToken={quote(token)}")
    assert error_codes(root) == ["badResumptionToken"]


def test_foreign_token_and_other_verbs_token_are_refused(shared, ro_client, ro_cat):
    from datetime import datetime

    position = Position("ListRecords", "oai_dc", "", None, datetime(2030, 1, 1),
                        datetime(2024, 1, 1), "tv-001", 10, 43)
    foreign = tokens.encode(position, "another repository's key")
    root = fetch(ro_client, f"verb=ListRecords&resumptionToken={quote(foreign)}")
    assert error_codes(root) == ["badResumptionToken"]
    ours = _token(ro_client, "ListIdentifiers")
    root = fetch(ro_client, f"verb=ListRecords&resumptionToken={quote(ours)}")
    assert error_codes(root) == ["badResumptionToken"]
    root = fetch(ro_client, f"verb=ListIdentifiers&resumptionToken={quote(ours)}")
    assert error_codes(root) == []


def test_tokens_are_opaque_and_survive_another_worker(shared, ro_client, ro_cat):
    from web.app import create_app
    from web.context import context_of

    token = _token(ro_client)
    assert "tv-" not in token and "oai_dc" not in token
    other = create_app(shared.overrides)  # another worker: no shared memory
    try:
        root = fetch(other.test_client(), f"verb=ListRecords&resumptionToken={token}")
        assert len(x(root, "//o:record")) == 10
    finally:
        context_of(other).store.dispose()


def test_get_record_reports_both_errors_at_once(ro_client, ro_cat):
    root = fetch(ro_client, "verb=GetRecord&metadataPrefix=nope&identifier=oai:x.y:z")
    assert error_codes(root) == ["cannotDisseminateFormat", "idDoesNotExist"]


def test_a_token_for_a_year_before_1000_decodes_to_its_position():
    from datetime import datetime

    position = Position("ListRecords", "oai_dc", "", datetime(999, 1, 1), datetime(2030, 1, 1),
                        datetime(2024, 1, 1), "tv-001", 10, 43)
    assert tokens.decode(tokens.encode(position, "key"), "key", "ListRecords") == position


def test_second_page_of_a_list_from_a_year_before_1000_is_served(shared, ro_client, ro_cat):
    token = x(fetch(ro_client, f"{LR}&from=0999-01-01"), "//o:resumptionToken/text()")[0]
    root = fetch(ro_client, f"verb=ListRecords&resumptionToken={quote(token)}")
    assert error_codes(root) == []
