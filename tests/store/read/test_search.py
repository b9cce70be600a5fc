"""One search over metadata and page text (both databases): Vietnamese folding both ways,
phrases, ranking, filters, the access rule for page text, and hostile queries."""

from __future__ import annotations

import unicodedata

import pytest

from store.read.listing import set_pks
from store.read.search import Filters, search_items
from tests.store.fulltext_sample import populate

READERS = ("open", "readers")


@pytest.fixture
def sample(store, tmp_path_factory):
    populate(store, tmp_path_factory.getbasetemp() / "fulltext-images")
    return store


def found(store, query, **filters):
    with store.reading() as session:
        return search_items(session, query, filters=Filters(**filters)).item_ids


@pytest.mark.parametrize("query, expected", [
    ("hai phong", {"dia-chi-hai-phong", "nhat-ky-ba-lan"}),
    ("HẢI PHÒNG", {"dia-chi-hai-phong", "nhat-ky-ba-lan"}),
    (unicodedata.normalize("NFD", "Hải Phòng"), {"dia-chi-hai-phong", "nhat-ky-ba-lan"}),
    ("bach dang", {"dia-chi-hai-phong"}),  # page text only
    ("BẠCH ĐẰNG", {"dia-chi-hai-phong"}),
    ("Bach Đang", {"dia-chi-hai-phong"}),  # a wrong tone, đ given
    ("do son", {"dia-chi-hai-phong", "ky-su-do-son"}),  # descriptions only
    ("truyện kiều", {"dia-chi-hai-phong"}),  # stored in NFD, asked in NFC
    ('"ngo quyen thang"', {"dia-chi-hai-phong"}),  # a phrase
    ('"quyen ngo"', set()),  # its words, not in this order
    ('"hai phong" tau', {"nhat-ky-ba-lan"}),  # a phrase and a word
    ("so tay", {"so-tay-1890", "so-tay-1990"}),
    ("dang thai mai", set()),
])
def test_vietnamese_queries_find_metadata_and_page_text(sample, query, expected):
    assert set(found(sample, query)) == expected


def test_title_and_creator_rank_above_page_text(sample):
    assert found(sample, "hai phong") == ["dia-chi-hai-phong", "nhat-ky-ba-lan"]
    assert found(sample, "tran van giap") == ["dia-chi-hai-phong"]


def test_the_page_found_is_named_for_the_items_shown(sample):
    with sample.reading() as session:
        page = search_items(session, "bach dang")
        assert {i: p.seq for i, p in page.pages.items()} == {"dia-chi-hai-phong": 2}
        assert page.total == 1 and "Bạch Đằng" in page.pages["dia-chi-hai-phong"].text
        shown = search_items(session, "truyen kieu").pages
        assert {i: p.seq for i, p in shown.items()} == {"dia-chi-hai-phong": 3}


def test_filters_by_set_and_by_years(sample):
    with sample.reading() as session:
        a = set_pks(session, "a")
    assert found(sample, "so tay", set_pks=a) == ["so-tay-1890"]
    assert found(sample, "so tay", years=(1900, None)) == ["so-tay-1990"]
    assert found(sample, "so tay", years=(None, 1900)) == ["so-tay-1890"]
    assert found(sample, "so tay", years=(1800, 2000), set_pks=()) == []


def test_page_text_of_non_open_items_counts_only_for_readers_and_never_restricted(sample):
    assert found(sample, "bimat") == []
    assert found(sample, "bimat", text_levels=READERS) == ["sach-ban-doc"]
    # metadata stays open to everyone
    assert found(sample, "han che") == ["sach-han-che"]


@pytest.mark.parametrize("query", [
    '"', '""', "*", "a*", "NEAR(a b)", "thu OR vien", "AND", "' OR 1=1 --", "thu-vien",
    "title:hai", "(", ")", "^", "\x00", "😀", "x" * 5000, "hai " * 3000, "-", ":", "{a b}",
])
def test_hostile_queries_answer_without_error(sample, query):
    with sample.reading() as session:
        result = search_items(session, query)
    assert result.total >= 0


def test_a_word_too_long_for_an_index_neither_breaks_the_import_nor_the_search(store, tmp_path):
    from store.records import ItemInput
    from store.write.items import upsert_item
    from tests.store.fulltext_sample import page

    with store.session() as session:
        upsert_item(session, ItemInput("dai", pages=(page(tmp_path, "x" * 3000 + " làng"),)),
                    store.settings.data_path)
    assert found(store, "lang") == ["dai"]
    assert found(store, "x" * 3000) == []


def test_the_page_index_answers_a_two_word_phrase_by_its_pair_alone():
    from store.read.search_query import parse_query

    assert parse_query('"Hải Phòng" tàu').page_tsquery() == "'hai_phong' & 'tau'"
    assert parse_query('"ngô quyền thắng"').page_tsquery() == \
        "('ngo_quyen' & 'quyen_thang' & ('ngo' <-> 'quyen' <-> 'thang'))"
