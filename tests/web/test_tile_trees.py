"""The tile trees nginx serves (THUVIENSO_NGINX, both databases): open tiles published at their
URL paths as they are made, other images' tiles sent through X-Accel-Redirect once access is
checked, and an item's tiles withdrawn at once when it changes."""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from iiif import access
from store import tile_tree
from store.write.items import delete_item, set_access
from tests.web.accounts_helpers import add, sign_in
from tests.web.test_image_routes import add_item
from web.app import create_app
from web.context import Hooks, context_of

pytestmark = pytest.mark.usefixtures("light_argon2")
TILES = ("0,0,512,512/512,512/0/default.jpg", "512,512,488,488/488,488/0/default.jpg",
         "full/500,500/0/default.jpg")
NOT_TILES = ("10,10,100,100/50,50/0/default.jpg", "full/max/0/default.png",
             "0,0,512,512/512,512/0/gray.jpg", "0,0,512,512/512,/0/default.jpg")


@pytest.fixture
def behind(settings_overrides):
    """The app as it runs behind nginx."""
    app = create_app(settings_overrides | {"nginx": True})
    yield app
    context_of(app).store.dispose()


def data(app) -> Path:
    return context_of(app).settings.data_path


def direct(app, image: str, request: str) -> Path:
    return tile_tree.root(data(app)) / image.lstrip("/") / request


def test_open_tiles_are_published_at_their_url_paths_dated_as_the_app_dates_them(behind):
    image = add_item(behind, "sach", "open")
    client = behind.test_client()
    for request in TILES:
        response = client.get(f"{image}/{request}")
        assert response.status_code == 200 and "X-Accel-Redirect" not in response.headers
        published = direct(behind, image, request)
        assert published.read_bytes() == response.data
        assert published.stat().st_mode & 0o007 == 0  # nothing world-readable
        assert published.stat().st_mtime == parsedate_to_datetime(
            response.headers["Last-Modified"]).timestamp()
    for request in NOT_TILES:  # other requests and other forms stay with the app
        assert client.get(f"{image}/{request}").status_code == 200
        assert not direct(behind, image, request).exists()


def test_without_nginx_nothing_is_published_and_nothing_redirected(app, client):
    open_image, closed = add_item(app, "sach", "open"), add_item(app, "doc", "readers")
    add(app)
    sign_in(client)
    for image in (open_image, closed):
        response = client.get(f"{image}/{TILES[0]}")
        assert response.status_code == 200 and response.data[:2] == b"\xff\xd8"
        assert "X-Accel-Redirect" not in response.headers
    assert not tile_tree.root(data(app)).exists()
    assert not tile_tree.root(data(app), tile_tree.INTERNAL).exists()


@pytest.mark.parametrize("tree", [tile_tree.READERS, tile_tree.INTERNAL])
def test_a_readers_tile_is_checked_by_the_app_then_sent_by_nginx_from_an_internal_tree(
        settings_overrides, tree):
    """Under the default policy a `readers` tile goes in the readers tree (nginx sends it to a
    pass's holder, web.reader_passes); under another policy in the internal tree."""
    policy = access.default_policy if tree == tile_tree.READERS else (
        lambda page, requester: access.default_policy(page, requester))
    behind = create_app(settings_overrides | {"nginx": True}, Hooks(image_policy=policy))
    image = add_item(behind, "doc", "readers")
    add(behind)
    client = behind.test_client()
    refused = client.get(f"{image}/{TILES[0]}")
    assert refused.status_code == 401 and "X-Accel-Redirect" not in refused.headers
    sign_in(client)
    response = client.get(f"{image}/{TILES[0]}")
    assert response.status_code == 200 and response.data == b""
    uri = response.headers["X-Accel-Redirect"]
    prefix = tile_tree.READERS_PREFIX if tree == tile_tree.READERS else tile_tree.INTERNAL_PREFIX
    assert uri == f"{prefix}{image}/{TILES[0]}"
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert ("thuvienso_pass=" in response.headers.get("Set-Cookie", "")) == (
        tree == tile_tree.READERS)
    internal = tile_tree.root(data(behind), tree) / uri.removeprefix(prefix + "/")
    alone = create_app(context_of(behind).settings.__dict__ | {"nginx": False}).test_client()
    alone.set_cookie("session", client.get_cookie("session").value)
    assert internal.read_bytes() == alone.get(f"{image}/{TILES[0]}").data
    assert not direct(behind, image, TILES[0]).exists()  # never in the direct tree
    again = client.get(f"{image}/{TILES[0]}",
                       headers={"If-Modified-Since": response.headers["Last-Modified"]})
    assert again.status_code == 304 and "X-Accel-Redirect" not in again.headers
    context_of(behind).store.dispose()


@pytest.mark.parametrize("change", ["access", "delete", "reimport"])
def test_a_change_of_an_item_withdraws_its_tiles_from_every_tree_at_once(behind, change):
    image = add_item(behind, "sach", "open")
    other = add_item(behind, "sach2", "open")
    client = behind.test_client()
    for target in (image, other):
        client.get(f"{target}/{TILES[0]}")
    assert direct(behind, image, TILES[0]).exists()
    store = context_of(behind).store
    with store.session() as session:
        if change == "access":
            set_access(session, "sach", "readers")
        elif change == "delete":
            delete_item(session, "sach")
        assert direct(behind, image, TILES[0]).exists()  # until the change is committed
    if change == "reimport":
        add_item(behind, "sach", "restricted")
    assert not (tile_tree.root(data(behind)) / image.lstrip("/")).exists()
    assert direct(behind, other, TILES[0]).exists()  # other items keep theirs
    assert client.get(f"{image}/{TILES[0]}").status_code in (401, 404)
    assert not direct(behind, image, TILES[0]).exists()


def test_deleting_the_trees_is_safe_they_are_made_again_on_demand(behind):
    import shutil

    image = add_item(behind, "sach", "open")
    client = behind.test_client()
    first = client.get(f"{image}/{TILES[0]}").data
    shutil.rmtree(tile_tree.root(data(behind)))
    assert client.get(f"{image}/{TILES[0]}").data == first
    assert direct(behind, image, TILES[0]).read_bytes() == first


def test_a_tile_is_not_published_when_its_image_changed_meanwhile(tmp_path):
    from datetime import datetime

    moment = datetime(2026, 1, 2, 3, 4, 5)
    assert not tile_tree.publish(tmp_path, "a~p0001", TILES[0], b"x", moment, lambda: False)
    assert not tile_tree.tile_path(tmp_path, "a~p0001", TILES[0]).exists()
    assert tile_tree.publish(tmp_path, "a~p0001", TILES[0], b"x", moment, lambda: True)
    assert tile_tree.withdraw(tmp_path, ["a"]) == 1
    with pytest.raises(ValueError):
        tile_tree.tile_path(tmp_path, "a~p0001", "../../x/0/default.jpg")


@pytest.mark.parametrize("change", ["disable", "password", "extend", "group"])
def test_a_readers_pass_comes_with_a_checked_tile_and_ends_with_any_change_of_the_account(
        behind, change):
    from datetime import date

    from store import reader_passes
    from store.write.readers import disable_reader, extend_group, extend_reader, set_password
    from web.reader_passes import COOKIE

    image = add_item(behind, "doc", "readers")
    add(behind, group="hoi-sach")
    add(behind, "minh", group="khac")
    client, other = behind.test_client(), behind.test_client()
    sign_in(client)
    sign_in(other, "minh")
    assert client.get_cookie(COOKIE, path="/iiif/image/") is None
    first = client.get(f"{image}/{TILES[0]}")
    name = client.get_cookie(COOKIE, path="/iiif/image/").value
    assert "HttpOnly" in first.headers["Set-Cookie"] and "Path=/iiif/image/" in first.headers[
        "Set-Cookie"] and "SameSite=Lax" in first.headers["Set-Cookie"]
    assert "Set-Cookie" not in client.get(f"{image}/{TILES[0]}").headers  # has it already
    other.get(f"{image}/{TILES[0]}")
    kept = other.get_cookie(COOKIE, path="/iiif/image/").value
    with context_of(behind).store.session() as session:
        {"disable": lambda: disable_reader(session, "lan"),
         "password": lambda: set_password(session, "lan", "một mật khẩu mới dài"),
         "extend": lambda: extend_reader(session, "lan", date(2027, 1, 1)),
         "group": lambda: extend_group(session, "hoi-sach", date(2027, 1, 1))}[change]()
        assert reader_passes.has_pass(data(behind), name, date.today())  # until it commits
    assert not reader_passes.has_pass(data(behind), name, date.today())
    assert reader_passes.has_pass(data(behind), kept, date.today())  # another reader's stays
    # another reader signing in on this browser drops the pass it held
    assert sign_in(client, "minh").status_code == 303
    assert client.get_cookie(COOKIE, path="/iiif/image/") is None
