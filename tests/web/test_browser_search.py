"""A real browser searches the full text: in Mirador's search panel a query without marks lists
the hit and its box is drawn on the page; a portal result opens the viewer at the page found;
a `readers` item's search (its services carrying the auth services) lists nothing before the
reader signs in, without an error, and the hit after.

SQLite only (the browser part does not depend on the database); skipped without Chromium.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import pyvips

from store.records import DCValue, ItemInput, PageInput
from store.write.items import upsert_item
from tests.store.fulltext_sample import BATTLE, boxes_of
from tests.web.accounts_helpers import add
from tests.web.test_browser import CHROMIUM, wait_until_drawn
from tests.web.test_browser_auth import PASSWORD, _fill_sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no /usr/bin/chromium"),
]
GREY = 200


def grey_page(folder: Path, shade: int) -> PageInput:
    """A flat grey page with a dark stripe at the bottom (so that it is not blank): a search
    highlight on it is the only coloured thing."""
    path = folder / f"grey-{shade}.png"
    image = pyvips.Image.black(600, 800).new_from_image([shade] * 3)
    image = image.insert(pyvips.Image.black(600, 100), 0, 700).cast("uchar")
    image.copy(interpretation="srgb").write_to_file(str(path))
    return PageInput(str(path), 600, 800)


def coloured(png: bytes) -> int:
    """How many pixels of a screenshot are far from grey (a search highlight is tinted)."""
    image = pyvips.Image.new_from_buffer(png, "").extract_band(0, n=3).cast("int")
    tint = (image[0] - image[2]).abs() > 40
    return int(tint.avg() / 255 * image.width * image.height)


@pytest.fixture
def battle(store, tmp_path):
    first, second = grey_page(tmp_path, GREY), grey_page(tmp_path, GREY - 10)
    with store.session() as session:
        upsert_item(session, ItemInput(
            "tran-bach-dang", metadata=(DCValue("title", "Trận Bạch Đằng năm 938"),),
            pages=(first, PageInput(second.image_path, 600, 800, None, BATTLE,
                                    boxes=boxes_of(BATTLE)))), store.settings.data_path)
        upsert_item(session, ItemInput(
            "ghi-chep", metadata=(DCValue("title", "Ghi chép"),),
            pages=(first, first, PageInput(second.image_path, 600, 800, None, BATTLE))),
            store.settings.data_path)


def _search(page, query: str) -> None:
    """Type a query in Mirador's search panel (opening it if need be) and send it."""
    if page.locator("#viewer input[id^='search-']").count() == 0:
        page.locator("#viewer button[aria-label='Toggle sidebar']").first.click()
        page.locator("#viewer [role=tab][aria-label='Search']").click()
    field = page.locator("#viewer input[id^='search-']")
    field.fill(query)
    field.press("Enter")


def test_mirador_search_panel_lists_the_hit_and_draws_its_box(live_server, battle,
                                                               browser_page):
    page, tiles, searches = browser_page, [], []
    page.on("response", lambda r: tiles.append(r.status)
            if "/iiif/image/" in r.url and r.url.endswith(".jpg") else None)
    page.on("response", lambda r: searches.append((r.url, r.status))
            if "/search/1?" in r.url else None)
    page.goto(f"{live_server.url}/items/tran-bach-dang?lang=en")
    wait_until_drawn(page, tiles)
    viewer = page.locator(".openseadragon-canvas").first
    assert coloured(viewer.screenshot()) == 0
    _search(page, "ngo quyen")  # no marks: the text says "Ngô Quyền"
    hit = page.locator("#viewer li", has_text="Ngô").first
    hit.wait_for(timeout=30_000)
    assert searches and all(status == 200 for _url, status in searches)
    assert "Quyền" in hit.inner_text()
    for _ in range(50):  # the viewer moves to page 2 and draws the boxes of the hits on it
        shot = viewer.screenshot()
        if coloured(shot) > 100:
            break
        page.wait_for_timeout(200)
    else:
        raise AssertionError("no search highlight drawn on the page")
    size = pyvips.Image.new_from_buffer(shot, "")
    assert coloured(shot) < size.width * size.height // 50  # word boxes, not the whole page


def test_a_portal_result_opens_the_viewer_at_the_page_found(live_server, battle,
                                                            browser_page):
    page, tiles = browser_page, []
    page.on("response", lambda r: tiles.append(r.url)
            if "/iiif/image/" in r.url and r.url.endswith(".jpg") else None)
    page.goto(f"{live_server.url}/search?q=ngo+quyen+thang")
    link = page.locator("main p.snippet a[href='/items/ghi-chep?page=3']")
    assert link.inner_text() == "trang 3"
    link.click()
    page.wait_for_url("**/items/ghi-chep?page=3")
    page.wait_for_selector(".openseadragon-canvas canvas", state="attached", timeout=30_000)
    for _ in range(75):
        if any("ghi-chep~p0003" in url for url in tiles):
            break
        page.wait_for_timeout(200)
    assert any("ghi-chep~p0003" in url for url in tiles), tiles
    assert not any("ghi-chep~p0001/0," in url for url in tiles)  # no tiles of page 1


@pytest.mark.usefixtures("light_argon2")
def test_a_readers_item_is_searched_in_mirador_once_the_reader_signs_in(live_server, app, store,
                                                                         tmp_path, browser_page):
    page, searches, errors = browser_page, [], []
    with store.session() as session:
        upsert_item(session, ItemInput("tran-ban-doc", access="readers", pages=(PageInput(
            grey_page(tmp_path, GREY).image_path, 600, 800, None, BATTLE,
            boxes=boxes_of(BATTLE)),)), store.settings.data_path)
    add(app, "lan", PASSWORD)
    page.on("response", lambda r: searches.append(r.status) if "/search/1?" in r.url else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/items/tran-ban-doc?lang=en")
    page.wait_for_selector("#viewer button[aria-label='Toggle sidebar']", timeout=30_000)
    _search(page, "ngo quyen")
    for _ in range(50):
        if searches:
            break
        page.wait_for_timeout(200)
    page.wait_for_timeout(500)
    assert searches == [401] and page.locator("#viewer li", has_text="Ngô").count() == 0
    page.click("a.sign-in-to-read")  # the portal's sign-in: the cookie opens the text
    _fill_sign_in(page)
    page.wait_for_url("**/items/tran-ban-doc*")
    page.wait_for_selector("#viewer button[aria-label='Toggle sidebar']", timeout=30_000)
    _search(page, "ngo quyen")
    page.locator("#viewer li", has_text="Ngô").first.wait_for(timeout=30_000)
    assert searches[-1] == 200 and errors == [], (searches, errors)
