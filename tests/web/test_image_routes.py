"""The Image API over HTTP (Flask client, both databases): redirects, info.json, headers,
conditional requests, errors, the access gate, and concurrent first requests on a live server."""

from __future__ import annotations

import threading
import urllib.request
from pathlib import Path

import pytest
import pyvips

from store.records import ItemInput, PageInput
from store.write.items import upsert_item
from web.app import create_app
from web.context import Hooks, context_of

DATA = Path(__file__).resolve().parents[1] / "data"
SCAN = DATA / "67352ccc-d1b0-11e1-89ae-279075081939.png"
IMAGE = "/iiif/image/val-test~p0001"


def add_item(app, item_id: str = "val-test", access: str = "open") -> str:
    with context_of(app).store.session() as session:
        upsert_item(session, ItemInput(item_id=item_id, access=access,
                                       pages=(PageInput(str(SCAN), 1000, 1000),)),
                    context_of(app).settings.data_path)
    return f"/iiif/image/{item_id}~p0001"


@pytest.fixture
def image(app) -> str:
    return add_item(app)


def test_base_uri_redirects_to_info_json(client, image):
    response = client.get(image)
    assert response.status_code == 303
    assert response.headers["Location"] == f"http://localhost{image}/info.json"


def test_info_json_id_is_the_url_asked_for(client, image):
    response = client.get(f"{image}/info.json", base_url="http://127.0.0.1:8123")
    doc = response.get_json()
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert doc["id"] == f"http://127.0.0.1:8123{image}"
    assert (doc["width"], doc["height"], doc["type"]) == (1000, 1000, "ImageService3")
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_info_json_id_follows_the_base_url_setting(settings_overrides):
    app = create_app(settings_overrides | {"base_url": "https://lib.example.org/"})
    image = add_item(app)
    client = app.test_client()
    doc = client.get(f"{image}/info.json", base_url="https://lib.example.org").get_json()
    assert doc["id"] == f"https://lib.example.org{image}"
    context_of(app).store.dispose()


def test_info_json_as_json_ld_when_asked(client, image):
    response = client.get(f"{image}/info.json", headers={"Accept": "application/ld+json"})
    assert response.headers["Content-Type"] == (
        'application/ld+json;profile="http://iiif.io/api/image/3/context.json"')


def test_escaped_identifier_works(client, image):
    response = client.get(image.replace("-", "%2D") + "/full/max/0/default.jpg")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"


def test_image_headers_cors_cache_and_canonical_link(client, image):
    response = client.get(f"{image}/pct:0,0,50,50/250,/0/color.jpg")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age=" in response.headers["Cache-Control"]
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    assert f'{image}/0,0,500,500/250,250/0/color.jpg>;rel="canonical"' in \
        response.headers["Link"]
    assert pyvips.Image.new_from_buffer(response.data, "").width == 250


@pytest.mark.parametrize("header", ["If-None-Match", "If-Modified-Since"])
def test_conditional_requests_get_304(client, image, header):
    url = f"{image}/0,0,512,512/512,/0/default.jpg"
    first = client.get(url)
    value = first.headers["ETag" if header == "If-None-Match" else "Last-Modified"]
    again = client.get(url, headers={header: value})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    info = client.get(f"{image}/info.json")
    assert client.get(f"{image}/info.json",
                      headers={"If-None-Match": info.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize("path, status", [
    ("/full/99999,99999/0/default.jpg", 400),
    ("/full/^99999,99999/0/default.jpg", 400),
    ("/0,0,0,0/max/0/default.jpg", 400),
    ("/pct:101,0,1,1/max/0/default.jpg", 400),
    ("/full/max/360/default.jpg", 400),
    ("/full/max/0/sepia.jpg", 400),
    ("/full/max/0/default.exe", 400),
    ("/full/full/0/default.jpg", 400),
    ("/full/max/0/default", 400),
    ("/" + "x" * 5000 + "/max/0/default.jpg", 400),
    ("/full/max/0/default.jpg/extra", 404),
])
def test_bad_requests_get_plain_text_errors(client, image, path, status):
    response = client.get(image + path)
    assert response.status_code == status
    assert response.mimetype == "text/plain"
    assert len(response.data) < 300 and b"Traceback" not in response.data


@pytest.mark.parametrize("path", [
    "/iiif/image/nope~p0001/info.json",
    "/iiif/image/val-test~p0002/full/max/0/default.jpg",
    "/iiif/image/..%2Fval-test~p0001/info.json",
    "/iiif/image/../val-test~p0001/info.json",
    "/iiif/image/val-test%2F~p0001/info.json",
    "/iiif/image/a%2Fb/full/max/0/default.jpg",
    "/iiif/image/%5Bfrob%5D/full/max/0/default.jpg",
    "/iiif/image/" + "a" * 5000 + "~p0001/info.json",
    "/iiif/image/" + "a" * 5000 + "~p0001/full/max/0/default.jpg",
])
def test_unknown_or_malformed_identifiers_get_404(client, image, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"Traceback" not in response.data


@pytest.mark.parametrize("access", ["readers", "restricted"])
def test_images_that_are_not_open_are_refused_with_401(app, client, access):
    """Images are refused in plain text; an info.json as an info.json with the auth services
    (web/test_auth.py looks at those)."""
    image = add_item(app, "closed-item", access)
    for path in ["/info.json", "/full/max/0/default.jpg", "/0,0,512,512/512,/0/default.jpg"]:
        response = client.get(image + path)
        json_doc = path == "/info.json"
        assert response.status_code == 401
        assert response.mimetype == ("application/json" if json_doc else "text/plain")
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_a_reader_identity_opens_readers_images(settings_overrides):
    from iiif.access import Requester

    app = create_app(settings_overrides, Hooks(requester=lambda request: Requester(
        reader="lan" if request.headers.get("X-Test-Reader") else None)))
    client = app.test_client()
    image = add_item(app, "readers-item", "readers")
    for path in ("/info.json", "/full/max/0/default.jpg"):
        assert client.get(image + path).status_code == 401
        ok = client.get(image + path, headers={"X-Test-Reader": "1"})
        assert ok.status_code == 200 and "private" in ok.headers["Cache-Control"]
    context_of(app).store.dispose()


def test_concurrent_first_requests_on_a_live_server(app, live_server, image):
    urls = [f"{live_server.url}{image}/{r}/max/0/default.jpg"
            for r in ("0,0,512,512", "0,0,512,512", "100,100,300,300", "full")] * 3
    bodies: dict[str, set[bytes]] = {}
    statuses: list[int] = []
    barrier = threading.Barrier(len(urls))

    def fetch(url: str) -> None:
        barrier.wait()
        with urllib.request.urlopen(url, timeout=30) as response:
            statuses.append(response.status)
            bodies.setdefault(url, set()).add(response.read())

    threads = [threading.Thread(target=fetch, args=(u,)) for u in urls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert statuses == [200] * len(urls)
    assert all(len(b) == 1 for b in bodies.values())
    tifs = list((context_of(app).settings.data_path / "iiif" / "pyramids").rglob("*.tif"))
    assert len(tifs) == 1
    images = context_of(app).images
    assert images.pyramid_of(images.lookup("val-test~p0001")) == tifs[0]


@pytest.mark.parametrize("path", ["/0,0,512,512/512,/0/default.jpg",
                                  "/512,512,488,488/488,/0/default.jpg",
                                  "/pct:5,5,50,50/!200,200/!90/gray.png"])
def test_fast_path_answers_exactly_like_the_flask_view(app, image, path):
    from werkzeug.test import EnvironBuilder, run_wsgi_app

    from web.fast_paths import FastPaths

    fast = app.wsgi_app
    assert isinstance(fast, FastPaths)
    answers = []
    for wsgi in (fast, fast.wsgi_app):
        environ = EnvironBuilder(path=image + path, base_url="http://localhost:1").get_environ()
        body, status, headers = run_wsgi_app(wsgi, environ, buffered=True)
        answers.append((status, sorted(headers.items()), b"".join(body)))
    assert answers[0] == answers[1]
    assert answers[0][0] == "200 OK"


def test_cors_preflight_allows_get_with_authorization(client, image):
    response = client.options(f"{image}/info.json", headers={
        "Origin": "https://viewer.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "Authorization"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
    assert "GET" in response.headers["Access-Control-Allow-Methods"]


@pytest.mark.parametrize("path", ["/full/max/0/default.jpg", "/0,0,0,0/max/0/default.jpg",
                                  "/full/max/0/default.bmp"])
def test_fast_path_answers_errors_exactly_like_the_flask_view(app, image, path):
    from werkzeug.test import EnvironBuilder, run_wsgi_app

    answers = []
    for wsgi, where in ((app.wsgi_app, image), (app.wsgi_app.wsgi_app, image)):
        for target in (where, "/iiif/image/no-such-image"):
            environ = EnvironBuilder(path=target + path, base_url="http://localhost:1").get_environ()
            body, status, headers = run_wsgi_app(wsgi, environ, buffered=True)
            answers.append((status, sorted(headers.items()), b"".join(body)))
    assert answers[:2] == answers[2:]
    assert answers[1][0] in ("400 BAD REQUEST", "404 NOT FOUND")
    assert ("Cache-Control", "no-store") in answers[1][1]


def _count_calls(app, monkeypatch, fail: Exception | None = None) -> list[str]:
    images = context_of(app).images
    calls: list[str] = []

    def counted(image_id, *args):
        calls.append(image_id)
        if fail is not None:
            raise fail
        return type(images).image(images, image_id, *args)

    monkeypatch.setattr(images, "image", counted)
    return calls


def test_a_failing_image_request_is_computed_once(app, client, image, monkeypatch):
    calls = _count_calls(app, monkeypatch)
    response = client.get(f"{image}/0,0,0,0/max/0/default.jpg")
    assert response.status_code == 400 and response.headers["Cache-Control"] == "no-store"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert calls == ["val-test~p0001"]


def test_a_database_that_does_not_answer_is_a_503_computed_once(app, client, image,
                                                                monkeypatch):
    from sqlalchemy.exc import OperationalError

    from web.http import RETRY_AFTER

    calls = _count_calls(app, monkeypatch, OperationalError("SELECT", {}, Exception("down")))
    response = client.get(f"{image}/full/max/0/default.jpg")
    assert response.status_code == 503 and response.headers["Retry-After"] == str(RETRY_AFTER)
    assert calls == ["val-test~p0001"]


def test_an_unforeseen_fault_is_logged_once_and_answered_503(app, client, image, monkeypatch,
                                                             caplog):
    calls = _count_calls(app, monkeypatch, RuntimeError("surprise"))
    response = client.get(f"{image}/full/max/0/default.jpg")
    assert response.status_code == 503 and response.headers["Cache-Control"] == "no-store"
    assert calls == ["val-test~p0001"]
    assert [r.message for r in caplog.records if r.levelname == "ERROR"] == [
        f"image request failed: {image}/full/max/0/default.jpg"]


def test_an_image_refused_to_anonymous_is_answered_in_the_fast_layer_without_hooks(
        app, client, monkeypatch):
    image = add_item(app, "closed-once", "readers")
    calls = _count_calls(app, monkeypatch)
    assert client.get(f"{image}/full/max/0/default.jpg").status_code == 401
    assert calls == ["closed-once~p0001"]
