"""A real browser (Debian's Chromium through Playwright) signs a reader in through Mirador 4's
own IIIF Auth 1.0 prompt, and through the portal, and reads a `readers` item.

SQLite only, like test_browser.py (the browser part does not depend on the database).
"""

from __future__ import annotations

import pytest

from iiif.auth import both
from store.write.readers import disable_reader
from tests.iiif.presentation_sample import populate
from tests.web.accounts_helpers import add
from tests.web.test_browser import wait_until_drawn

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
    pytest.mark.usefixtures("light_argon2"),
]
ITEM = "han-nom-han-che"  # a `readers` item of the sample collection
PASSWORD = "mật khẩu dài"


def _watch(page) -> tuple[list[int], list[str]]:
    """The statuses of tile responses, and the page's uncaught errors."""
    tiles: list[int] = []
    errors: list[str] = []
    page.on("response", lambda r: tiles.append(r.status)
            if "/iiif/image/" in r.url and r.url.endswith(".jpg") else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return tiles, errors


def _status(page, url: str, token: str | None = None) -> int:
    """The status of a fetch made by the page: with its cookies, as a tile load sends them,
    or with a bearer token and no cookie, as a viewer of the token flow asks."""
    return page.evaluate("""([url, token]) => fetch(url, token ? {credentials: "omit",
        headers: {Authorization: "Bearer " + token}} : {}).then(r => r.status)""", [url, token])


def _fill_sign_in(page) -> None:
    """Sign in as the test reader on the portal's sign-in form shown in `page`."""
    page.fill("input[name=login]", "lan")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.account button[type=submit]")


def _open_item(live_server, store, app, tmp_path_factory, page):
    """The sample items and the reader `lan`; the page watching its tiles opens the item."""
    populate(store, tmp_path_factory.getbasetemp() / "sample-images")
    add(app, "lan", PASSWORD)
    tiles, errors = _watch(page)
    page.goto(f"{live_server.url}/items/{ITEM}")
    return page, tiles, errors


def _tile(live_server) -> str:
    return f"{live_server.url}/iiif/image/{ITEM}~p0001/0,0,512,512/512,/0/default.jpg"


def test_mirador_prompts_the_reader_signs_in_through_it_and_the_page_draws_until_disabled(
        live_server, store, app, tmp_path_factory, browser_page):
    page, tiles, errors = _open_item(live_server, store, app, tmp_path_factory, browser_page)

    bar = page.get_by_text(both("label"))  # Mirador's own sign-in prompt, from the info.json
    bar.wait_for(timeout=30_000)
    assert page.get_by_text("SyntaxError").count() == 0
    assert page.get_by_role("dialog").count() == 0  # no error dialog
    assert 200 not in tiles
    bar.click()
    with page.expect_popup() as opened:
        page.get_by_role("button", name=both("confirm")).click()
    window = opened.value
    window.wait_for_selector("input[name=login]")
    assert window.url.startswith(f"{live_server.url}/login?next=/auth/signed-in")
    _fill_sign_in(window)
    window.wait_for_event("close", timeout=15_000)  # the window closes itself

    wait_until_drawn(page, tiles)  # drawn with no reload by hand
    assert _status(page, _tile(live_server)) == 200
    token = _framed_token(page, live_server.url)  # the 1.0 token service under the page's CSP
    info = f"{live_server.url}/iiif/image/{ITEM}~p0001/info.json"
    assert _status(page, info, token) == 200
    with store.session() as s:
        disable_reader(s, "lan")
    assert _status(page, _tile(live_server)) == 401
    assert _status(page, info, token) == 401  # the token ended with the session
    assert errors == [], errors


def _framed_token(page, origin: str) -> str:
    """A token from the Auth 1.0 token service in an iframe of the item page, as Mirador asks."""
    message = page.evaluate("""src => new Promise(resolve => {
        window.addEventListener("message", e => resolve({origin: e.origin, data: e.data}));
        const frame = document.createElement("iframe");
        frame.src = src;
        document.body.appendChild(frame);
    })""", f"{origin}/auth/1/token?origin={origin}&messageId=m-1")
    assert message["origin"] == origin and message["data"]["messageId"] == "m-1"
    assert message["data"]["expiresIn"] > 0
    return message["data"]["accessToken"]


def test_a_reader_signed_in_on_the_portal_opens_the_item_and_it_draws(
        live_server, store, app, tmp_path_factory, browser_page):
    page, tiles, errors = _open_item(live_server, store, app, tmp_path_factory, browser_page)
    page.click("a.sign-in-to-read")
    _fill_sign_in(page)
    page.wait_for_url(f"**/items/{ITEM}")
    wait_until_drawn(page, tiles)
    assert page.get_by_role("button", name=both("confirm")).count() == 0  # no prompt
    assert errors == [], errors
