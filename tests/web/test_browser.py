"""A real browser (Debian's Chromium through Playwright) reads an item in Mirador and searches.

Runs on SQLite only (the browser part does not depend on the database). Never downloads a
browser: without /usr/bin/chromium the test is skipped.
"""

from __future__ import annotations

import pytest
import pyvips

from tests.iiif.presentation_sample import populate

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def drawn(png: bytes) -> bool:
    """A blank viewer is one flat grey; a drawn page image is not."""
    return pyvips.Image.new_from_buffer(png, "").extract_band(0, n=3).deviate() > 10


def wait_until_drawn(page, tiles: list[int]) -> None:
    """OpenSeadragon made its canvas, tiles came back 200, and the canvas is not blank."""
    page.wait_for_selector(".openseadragon-canvas canvas", state="attached", timeout=30_000)
    viewer = page.locator(".openseadragon-canvas").first
    for _ in range(75):
        if 200 in tiles and drawn(viewer.screenshot(timeout=5_000)):
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"no canvas drawn at {page.viewport_size}; tile statuses {tiles}")


def test_mirador_draws_the_first_page_and_a_search_without_marks_finds_the_item(
        live_server, store, tmp_path_factory, browser_page):
    populate(store, tmp_path_factory.getbasetemp() / "sample-images")
    page = browser_page
    errors: list[str] = []
    refused: list[str] = []
    tiles: list[int] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: refused.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    page.on("response", lambda r: tiles.append(r.status)
            if "/iiif/image/" in r.url and r.url.endswith(".jpg") else None)

    for width, height in ((1100, 800), (390, 800)):  # desktop, then a phone
        tiles.clear()
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/items/thu-vien-ha-noi")
        wait_until_drawn(page, tiles)
    assert errors == [], errors
    assert refused == [], refused

    page.goto(f"{live_server.url}/")
    page.fill("input[name=q]", "thu vien ha noi")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/search?q=*")
    link = page.locator("main a[href='/items/thu-vien-ha-noi']")
    assert link.count() == 1
    link.click()
    page.wait_for_url("**/items/thu-vien-ha-noi")
    assert errors == [], errors
