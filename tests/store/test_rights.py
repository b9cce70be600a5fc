"""Rights statements: the canonical URI of each way of writing one, and what is no statement."""

from __future__ import annotations

import pytest

from store.rights import canonical, europeana_accepts, own_statement, statement

INC = "http://rightsstatements.org/vocab/InC/1.0/"
BY = "http://creativecommons.org/licenses/by/4.0/"


@pytest.mark.parametrize("given, expected", [
    (INC, INC),
    ("https://rightsstatements.org/vocab/InC/1.0/", INC),
    ("http://rightsstatements.org/vocab/InC/1.0", INC),
    ("https://rightsstatements.org/page/InC/1.0/?language=en", INC),
    ("https://creativecommons.org/licenses/by/4.0/legalcode", BY),
    ("https://creativecommons.org/licenses/by/4.0/legalcode.vi", BY),
    ("http://www.creativecommons.org/licenses/by/4.0/deed.vi", BY),
    ("https://creativecommons.org/licenses/by-nc-sa/3.0/vn/",
     "http://creativecommons.org/licenses/by-nc-sa/3.0/vn/"),
    ("https://creativecommons.org/publicdomain/zero/1.0/legalcode",
     "http://creativecommons.org/publicdomain/zero/1.0/"),
    ("  http://creativecommons.org/publicdomain/mark/1.0/ ",
     "http://creativecommons.org/publicdomain/mark/1.0/"),
    ("Phạm vi công cộng", None),
    ("https://example.org/licence", None),
])
def test_each_way_of_writing_a_statement_gives_its_canonical_uri(given, expected):
    assert canonical(given) == expected


@pytest.mark.parametrize("given", [
    "http://rightsstatements.org/vocab/InC-XYZ/1.0/",
    "http://rightsstatements.org/vocab/InC/2.0/",
    "https://creativecommons.org/licenses/by-xyz/4.0/",
    "https://creativecommons.org/licenses/by/4.0/vn/",  # 4.0 licences have no ports
    "https://creativecommons.org/",
])
def test_an_address_of_those_sites_that_names_no_statement_is_an_error(given):
    with pytest.raises(ValueError, match="names no rightsstatements.org statement"):
        canonical(given)


def test_an_item_s_own_statement_is_its_rights_uri_else_its_first_dc_rights_that_is_one():
    assert own_statement(None, ["Phạm vi công cộng", "https://creativecommons.org/licenses/by/"
                                                      "4.0/legalcode"]) == BY
    assert own_statement("https://rightsstatements.org/vocab/InC/1.0/", [BY]) == INC
    assert own_statement("https://example.org/x", ["free text"]) is None
    with pytest.raises(ValueError):
        own_statement(None, ["http://rightsstatements.org/vocab/InC-XYZ/1.0/"])


def test_europeana_accepts_only_the_statements_of_its_schema():
    assert europeana_accepts(INC)
    assert europeana_accepts("http://creativecommons.org/publicdomain/mark/1.0/")
    assert europeana_accepts("http://creativecommons.org/licenses/by-nc-sa/3.0/vn/")
    assert not europeana_accepts("http://rightsstatements.org/vocab/NoC-US/1.0/")
    assert not europeana_accepts("http://rightsstatements.org/vocab/UND/1.0/")
    assert not europeana_accepts(None)


def test_a_statement_has_a_name_and_a_local_icon():
    found = statement("https://rightsstatements.org/vocab/InC-EDU/1.0/")
    assert found is not None
    assert (found.uri, found.name, found.icon) == (
        "http://rightsstatements.org/vocab/InC-EDU/1.0/",
        "In Copyright - Educational Use Permitted", "rights/InC.svg")
    assert statement("free text") is None
    assert statement("http://rightsstatements.org/vocab/bad/1.0/") is None
