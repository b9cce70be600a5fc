"""Readers images end to end (both databases): refused to anonymous, served to a signed-in
reader as private, never from a cache to anyone else; access changes and open thumbnails."""

from __future__ import annotations

import pytest
from lxml import html

from iiif.manifest import PORTAL_THUMBNAIL_BOX, THUMBNAIL_BOX, thumbnail_size
from store.write.items import set_access
from store.write.readers import disable_reader
from tests.web.accounts_helpers import add, sign_in
from tests.web.test_image_routes import add_item
from web import sessions
from web.app import create_app
from web.context import context_of

pytestmark = pytest.mark.usefixtures("light_argon2")
REQUESTS = ("/info.json", "/full/max/0/default.jpg", "/0,0,512,512/512,/0/default.jpg",
            "/full/200,200/0/default.jpg")


def test_a_readers_image_anonymous_then_signed_in_then_anonymous_again(app, client):
    image = add_item(app, "sach-doc", "readers")
    add(app)
    for path in REQUESTS:
        assert client.get(image + path).status_code == 401
    sign_in(client)
    for path in REQUESTS:
        response = client.get(image + path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "private, no-cache"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        again = client.get(image + path, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304
    stranger = app.test_client()
    for path in REQUESTS:  # everything is cached on disk now: none of it is served to them
        refused = stranger.get(image + path)
        assert refused.status_code == 401 and refused.headers["Cache-Control"] == "no-store"
        etag = client.get(image + path).headers["ETag"]
        assert stranger.get(image + path, headers={"If-None-Match": etag}).status_code == 401


def test_a_disabled_reader_is_refused_the_next_tile_on_another_worker(app, client,
                                                                     settings_overrides):
    image = add_item(app, "sach-doc", "readers")
    add(app)
    sign_in(client)
    worker = create_app(settings_overrides).test_client()
    worker.set_cookie("session", client.get_cookie("session").value)
    tile = image + "/0,0,512,512/512,/0/default.jpg"
    assert worker.get(tile).status_code == 200
    with context_of(app).store.session() as s:
        disable_reader(s, "lan")
    assert worker.get(tile).status_code == 401
    assert client.get(tile).status_code == 401


@pytest.mark.parametrize("cookie", ["", "forged", "eyJyZWFkZXIiOlsibGFuIiwxXX0.Zz.abc"])
def test_a_forged_session_cookie_is_anonymous_to_the_image_api(app, client, cookie):
    image = add_item(app, "sach-doc", "readers")
    add(app)
    client.set_cookie("session", cookie)
    assert client.get(image + "/full/max/0/default.jpg").status_code == 401


def test_restricted_images_stay_closed_to_signed_in_readers(app, client):
    image = add_item(app, "mat", "restricted")
    add(app)
    sign_in(client)
    assert client.get(image + "/full/max/0/default.jpg").status_code == 401
    assert client.get(image + "/info.json").status_code == 401


def test_a_change_of_access_level_reaches_the_next_image_request(app, client):
    image = add_item(app, "doi-muc", "open")
    tile = image + "/full/max/0/default.jpg"
    assert client.get(tile).status_code == 200
    with context_of(app).store.session() as s:
        assert set_access(s, "doi-muc", "readers")
    assert client.get(tile).status_code == 401
    with context_of(app).store.session() as s:
        set_access(s, "doi-muc", "open")
    assert client.get(tile).status_code == 200


@pytest.mark.parametrize("opened", [False, True])
def test_thumbnails_of_readers_items_open_only_with_the_setting(settings_overrides, opened):
    app = create_app(settings_overrides | {"open_thumbnails": opened})
    client = app.test_client()
    image = add_item(app, "sach-anh", "readers")
    for box in (THUMBNAIL_BOX, PORTAL_THUMBNAIL_BOX):
        w, h = thumbnail_size(1000, 1000, box)
        response = client.get(f"{image}/full/{w},{h}/0/default.jpg")
        assert response.status_code == (200 if opened else 401)
        if opened:
            assert response.headers["Cache-Control"].startswith("public")
    for other in ("/full/201,201/0/default.jpg", "/full/200,200/90/default.jpg",
                  "/0,0,500,500/200,200/0/default.jpg", "/full/200,200/0/default.png",
                  "/full/max/0/default.jpg", "/info.json", "/full/99999,1/0/default.jpg"):
        assert client.get(image + other).status_code == 401, other
    restricted = add_item(app, "mat", "restricted")
    assert client.get(f"{restricted}/full/200,200/0/default.jpg").status_code == 401
    context_of(app).store.dispose()


def test_the_item_page_of_a_readers_item_offers_sign_in_to_read(app, client):
    add_item(app, "sach-doc", "readers")
    add(app)
    page = client.get("/items/sach-doc").get_data(as_text=True)
    assert 'href="/login?next=/items/sach-doc"' in page and "Đăng nhập để đọc" in page
    sign_in(client)
    assert "Đăng nhập để đọc" not in client.get("/items/sach-doc").get_data(as_text=True)
    add_item(app, "sach-mo", "open")
    assert "Đăng nhập để đọc" not in app.test_client().get("/items/sach-mo").get_data(
        as_text=True)


def test_a_readers_tile_costs_one_page_lookup_and_one_session_check_open_tiles_none(
        app, client, monkeypatch):
    readers_image = add_item(app, "sach-doc", "readers")
    open_image = add_item(app, "sach-mo", "open")
    add(app)
    sign_in(client)
    images = context_of(app).images
    lookups: list[str] = []
    real_lookup = images.lookup
    monkeypatch.setattr(images, "lookup", lambda image_id: lookups.append(image_id)
                        or real_lookup(image_id))
    checks: list[str] = []
    real_check = sessions.session_is_valid
    monkeypatch.setattr(sessions, "session_is_valid", lambda s, login, *rest: checks.append(
        login) or real_check(s, login, *rest))
    tile = "/0,0,512,512/512,/0/default.jpg"
    assert client.get(open_image + tile).status_code == 200
    assert (lookups, checks) == (["sach-mo~p0001"], [])
    assert client.get(readers_image + tile).status_code == 200
    assert (lookups[1:], checks) == (["sach-doc~p0001"], ["lan"])


@pytest.mark.parametrize("opened", [False, True])
def test_result_lists_show_thumbnails_of_readers_items_only_when_opened(
        settings_overrides, tmp_path, opened):
    from tests.iiif.presentation_sample import populate

    app = create_app(settings_overrides | {"open_thumbnails": opened})
    client = app.test_client()
    populate(context_of(app).store, tmp_path / "images")
    doc = html.fromstring(client.get("/search?set=sach").data)
    thumbs = doc.xpath("//main//li[.//a[@href='/items/han-nom-han-che']]//img/@src")
    served = [src for src in thumbs if src.startswith("/iiif/image/")]
    assert bool(served) is opened
    for src in served:  # the very URL the list shows is open to anonymous readers
        assert client.get(src).status_code == 200
    context_of(app).store.dispose()


def test_trusted_proxies_fix_the_environ_the_fast_image_path_sees(settings_overrides):
    forwarded = {"X-Forwarded-Host": "thuvien.example.vn", "X-Forwarded-Proto": "https"}
    for hops, base in ((0, "http://localhost"), (1, "https://thuvien.example.vn")):
        app = create_app(settings_overrides | {"trusted_proxies": hops,
                                               "trusted_hosts": "localhost,thuvien.example.vn"})
        image = add_item(app, "sach-mo", "open")
        response = app.test_client().get(f"{image}/full/max/0/default.jpg", headers=forwarded)
        assert response.status_code == 200
        assert response.headers["Link"].startswith(f"<{base}{image}/full/")
        context_of(app).store.dispose()
