"""Pure parts of the manifest builder: table of contents from page labels, rights, sizes, seams."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from iiif.manifest import Services, build_manifest, rights_uri, thumbnail_size, to_json_bytes
from iiif.presentation_structures import is_section_label, sections
from store.links import Links
from store.records import DCValue, ItemRecord, PageRecord
from tests.iiif.presentation_sample import schema_errors

LINKS = Links.make("https://lib.example.org/", "thuvienso.local", "Thư viện số")


@pytest.mark.parametrize("label, is_section", [
    ("Bìa", True), ("Chương 1", True), ("Mục lục", True), ("Phụ lục A", True),
    ("1", False), ("12", False), ("xiv", False), ("tr. 5", False), ("Trang 5", False),
    ("[12]", False), ("f. 3v", False), ("12a", False), ("", False), (None, False), ("  ", False),
])
def test_only_labels_that_name_a_part_open_a_section(label, is_section):
    assert is_section_label(label) is is_section


def page(seq, label=None, width=1000, height=1500):
    return PageRecord(image_id=f"x~p{seq:04d}", seq=seq, label=label, width=width,
                      height=height, image_path="", checksum="")


def test_sections_run_to_the_next_section_and_skip_leading_numbered_pages():
    pages = [page(1, "1"), page(2, "Lời nói đầu"), page(3, "3"), page(4, "Chương 1"), page(5)]
    assert sections(pages) == [("Lời nói đầu", [2, 3]), ("Chương 1", [4, 5])]
    assert sections([page(1, "1"), page(2, "2")]) == []


@pytest.mark.parametrize("given, expected", [
    ("https://creativecommons.org/licenses/by/4.0/", "http://creativecommons.org/licenses/by/4.0/"),
    ("http://rightsstatements.org/vocab/InC/1.0/", "http://rightsstatements.org/vocab/InC/1.0/"),
    ("https://www.creativecommons.org/publicdomain/zero/1.0/",
     "http://creativecommons.org/publicdomain/zero/1.0/"),
    ("https://example.org/licence", None), ("", None), (None, None),
])
def test_rights_are_given_in_the_form_presentation_3_accepts(given, expected):
    assert rights_uri(given) == expected


@pytest.mark.parametrize("size, box, expected", [
    ((1000, 1500), 200, (133, 200)), ((3000, 1000), 200, (200, 67)), ((100, 50), 200, (100, 50)),
    ((1, 10000), 200, (1, 200)),
])
def test_thumbnails_fit_the_box_and_never_upscale(size, box, expected):
    assert thumbnail_size(*size, box) == expected


def item(**kw):
    base = dict(item_id="x", access="readers", deleted=False, created=datetime(2024, 1, 1),
                datestamp=datetime(2024, 1, 1), metadata=(DCValue("title", "Sách", "vi"),),
                pages=(page(1), page(2)))
    return ItemRecord(**(base | kw))


def test_auth_and_search_seams_put_their_services_where_viewers_look():
    login = {"id": "https://lib.example.org/login", "type": "AuthCookieService1",
             "profile": "http://iiif.io/api/auth/1/login"}
    search = {"id": "https://lib.example.org/iiif/x/search", "type": "SearchService1",
              "profile": "http://iiif.io/api/search/1/search"}
    hooks = Services(image=lambda links, it, pg: [login] if it.access != "open" else [],
                     manifest=lambda it, links: [search], version="test")
    doc = json.loads(to_json_bytes(build_manifest(item(), {}, LINKS, hooks)))
    assert schema_errors(doc) == []
    assert doc["service"] == [search]
    body = doc["items"][0]["items"][0]["items"][0]["body"]
    assert body["service"][0]["service"] == [login]
    assert doc["thumbnail"][0]["service"][0]["service"] == [login]


def test_items_without_pages_or_deleted_have_no_manifest():
    with pytest.raises(ValueError):
        build_manifest(item(pages=()), {}, LINKS)
    with pytest.raises(ValueError):
        build_manifest(item(deleted=True), {}, LINKS)
