"""IIIF Authorization (both databases): the services in info.json and manifests, the token
services, the probe, the sign-in and sign-out windows, and hostile token requests."""

from __future__ import annotations

import json

import pytest
from lxml import html

from iiif.auth import LOGIN1, LOGOUT1, TOKEN1
from iiif.auth_tokens import normal_origin
from tests.iiif.presentation_sample import schema_errors
from tests.web.accounts_helpers import add, sign_in
from tests.web.test_image_routes import add_item

pytestmark = pytest.mark.usefixtures("light_argon2")
OWN = "http://localhost"
AUTH2 = "http://iiif.io/api/auth/2/context.json"


def _services(doc: dict) -> dict[str, dict]:
    return {s.get("type") or s.get("@type"): s for s in doc.get("service", [])}


def test_a_refused_info_json_is_an_info_json_with_the_auth_services(app, client):
    image = add_item(app, "sach-doc", "readers")
    response = client.get(image + "/info.json")
    doc = response.get_json()
    assert response.status_code == 401 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert doc["id"] == f"{OWN}{image}" and doc["type"] == "ImageService3"
    assert (doc["width"], doc["height"]) == (1000, 1000) and "tiles" not in doc
    login = _services(doc)["AuthCookieService1"]
    assert login["profile"] == LOGIN1 and login["@id"] == f"{OWN}/auth/sign-in"
    assert login["label"] and login["header"] and login["confirmLabel"]
    assert {s["profile"]: s["@id"] for s in login["service"]} == {
        TOKEN1: f"{OWN}/auth/1/token", LOGOUT1: f"{OWN}/auth/sign-out"}
    probe = _services(doc)["AuthProbeService2"]
    assert probe["id"] == f"{OWN}/auth/2/probe/sach-doc~p0001"
    access = probe["service"][0]
    assert (access["type"], access["profile"], access["id"]) == (
        "AuthAccessService2", "active", f"{OWN}/auth/sign-in")
    assert {s["type"] for s in access["service"]} == {"AuthAccessTokenService2",
                                                       "AuthLogoutService2"}
    jsonld = client.get(image + "/info.json", headers={"Accept": "application/ld+json"})
    assert jsonld.status_code == 401 and jsonld.mimetype == "application/ld+json"
    sign_in(add(app) or client)
    allowed = client.get(image + "/info.json").get_json()
    assert _services(allowed).keys() == {
        "AuthCookieService1", "AuthProbeService2"}  # the same services once allowed
    # Auth 2.0, 2.1: its context comes first in a document that embeds its services
    assert doc["@context"] == allowed["@context"] == [AUTH2, "http://iiif.io/api/image/3/context.json"]


def test_restricted_images_offer_no_sign_in_and_open_ones_no_services(app, client):
    closed = client.get(add_item(app, "mat", "restricted") + "/info.json").get_json()
    assert _services(closed).keys() == {"AuthProbeService2"}
    assert closed["@context"][0] == AUTH2
    opened = client.get(add_item(app, "mo", "open") + "/info.json").get_json()
    assert "service" not in opened
    assert opened["@context"] == "http://iiif.io/api/image/3/context.json"


def test_manifests_carry_the_services_and_are_the_same_public_document_for_everyone(
        app, client):
    add_item(app, "sach-doc", "readers")
    add_item(app, "sach-mo", "open")
    add(app)
    anonymous = client.get("/iiif/sach-doc/manifest")
    doc = anonymous.get_json()
    assert schema_errors(doc) == []
    assert doc["@context"] == [AUTH2, "http://iiif.io/api/presentation/3/context.json"]
    assert anonymous.headers["Cache-Control"].startswith("public")
    body = doc["items"][0]["items"][0]["items"][0]["body"]
    assert _services(body["service"][0]).keys() == {"AuthCookieService1", "AuthProbeService2"}
    sign_in(client)
    assert client.get("/iiif/sach-doc/manifest").data == anonymous.data
    opened = client.get("/iiif/sach-mo/manifest").get_json()
    open_body = opened["items"][0]["items"][0]
    assert "service" not in open_body["items"][0]["body"]["service"][0]
    assert AUTH2 not in opened["@context"]


def _token_page(client, version: int, origin: str, message_id: str = "m-1"):
    response = client.get(f"/auth/{version}/token",
                          query_string={"origin": origin, "messageId": message_id})
    body = html.fromstring(response.data).xpath("//body")[0]
    return response, body.get("data-origin"), json.loads(body.get("data-message"))


@pytest.mark.parametrize("version", [1, 2])
def test_the_token_page_posts_a_token_to_our_own_origin_only(app, client, version):
    add_item(app, "sach-doc", "readers")
    add(app)
    response, origin, message = _token_page(client, version, OWN)
    assert "accessToken" not in message and message["messageId"] == "m-1"
    assert message.get("error") == "missingCredentials" or message["profile"] == "missingAspect"
    sign_in(client)
    response, origin, message = _token_page(client, version, OWN)
    assert origin == OWN and message["messageId"] == "m-1" and message["expiresIn"] == 900
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy and "'unsafe-inline'" not in policy
    assert response.headers["Cache-Control"] == "no-store"
    if version == 2:
        assert message["type"] == "AuthAccessToken2"
    token = message["accessToken"]
    info = client.get("/iiif/image/sach-doc~p0001/info.json")
    assert info.status_code == 200  # by the cookie
    stranger = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    assert stranger.get("/iiif/image/sach-doc~p0001/info.json", headers=bearer).status_code == 200
    for sent in ("https://evil.example", "null", OWN + ":8080"):
        assert stranger.get("/iiif/image/sach-doc~p0001/info.json",
                            headers=bearer | {"Origin": sent}).status_code == 401
    _, origin, message = _token_page(client, version, "https://evil.example")
    assert origin == "https://evil.example" and "accessToken" not in message
    assert message.get("error", message.get("profile")) == "invalidOrigin"


@pytest.mark.parametrize("query", [
    {"origin": "*", "messageId": "1"}, {"origin": "null", "messageId": "1"},
    {"origin": "javascript:alert(1)", "messageId": "1"}, {"messageId": "1"},
    {"origin": OWN + "/path", "messageId": "1"}, {"origin": OWN, "messageId": "x" * 257},
    {"origin": OWN, "messageId": "a\nb"}, {"origin": OWN, "messageId": ""},
    {"origin": OWN + ":99999", "messageId": "1"}])
def test_token_requests_without_a_proper_origin_or_message_id_are_400_with_no_page(
        app, client, query):
    add(app)
    sign_in(client)
    for version in (1, 2):
        response = client.get(f"/auth/{version}/token", query_string=query)
        assert response.status_code == 400 and response.mimetype == "text/plain"
        assert b"accessToken" not in response.data


def test_the_json_token_flow_needs_a_session_cookie(app, client):
    add(app)
    refused = client.get("/auth/1/token")
    assert refused.status_code == 401 and refused.get_json()["error"] == "missingCredentials"
    assert "Access-Control-Allow-Origin" not in refused.headers
    sign_in(client)
    granted = client.get("/auth/1/token")
    assert granted.status_code == 200 and set(granted.get_json()) == {"accessToken",
                                                                     "expiresIn"}
    assert client.get("/auth/2/token").status_code == 400  # 2.0 has no JSON flow


@pytest.mark.parametrize("lang, heading", [("vi", "Đăng nhập để đọc"), ("en", "Sign in to read")])
def test_the_probe_tells_the_status_in_the_readers_language(app, client, lang, heading):
    add_item(app, "sach-doc", "readers")
    add_item(app, "mat", "restricted")
    add(app)
    doc = client.get(f"/auth/2/probe/sach-doc~p0001?lang={lang}").get_json()
    assert (doc["type"], doc["status"], doc["heading"]) == ("AuthProbeResult2", 401,
                                                            {lang: [heading]})
    assert client.get("/auth/2/probe/mat~p0001").get_json()["status"] == 403
    sign_in(client)
    assert client.get("/auth/2/probe/sach-doc~p0001").get_json() == {
        "@context": "http://iiif.io/api/auth/2/context.json", "type": "AuthProbeResult2",
        "status": 200}
    assert client.get("/auth/2/probe/mat~p0001").get_json()["status"] == 403
    for unknown in ("khong-co~p0001", "..%2F..", "a" * 300):
        assert client.get(f"/auth/2/probe/{unknown}").status_code == 404
    preflight = client.options("/auth/2/probe/sach-doc~p0001")
    assert preflight.status_code == 204
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]


def test_the_sign_in_window_leads_to_sign_in_then_closes_itself(app, client):
    add(app)
    first = client.get(f"/auth/sign-in?origin={OWN}")
    assert first.status_code == 303 and first.headers["Location"] == "/login?next=/auth/signed-in"
    signed = sign_in(client, next_="/auth/signed-in")
    assert signed.headers["Location"] == "/auth/signed-in"
    page = html.fromstring(client.get("/auth/signed-in").data)
    assert page.xpath("//*[@id='auth-state']/@data-done") == ["1"]
    assert page.xpath("//script/@src") == ["/static/auth-window.js"]
    assert client.get("/auth/sign-in").headers["Location"] == "/auth/signed-in"


def test_the_sign_out_window_signs_out_by_a_form_with_its_csrf_token(app, client):
    add(app)
    sign_in(client)
    page = html.fromstring(client.get("/auth/sign-out").data)
    assert client.get("/iiif/image/x/info.json").status_code == 404  # still signed in: GET only
    form = page.xpath("//main//form[@action='/logout']")[0]
    data = {i.get("name"): i.get("value") for i in form.xpath(".//input")}
    assert client.post("/logout", data=data).headers["Location"] == "/auth/sign-out"
    after = html.fromstring(client.get("/auth/sign-out").data)
    assert after.xpath("//*[@id='auth-state']/@data-done") == ["1"]
    assert client.get("/auth/1/token").status_code == 401


@pytest.mark.parametrize("text, origin", [
    ("https://Lib.Example.org", "https://lib.example.org"),
    ("https://lib.example.org:443", "https://lib.example.org"),
    ("http://127.0.0.1:5000", "http://127.0.0.1:5000"), ("http://[::1]:8080", "http://[::1]:8080"),
    ("*", None), ("null", None), ("https://a.example/", None), ("ftp://a.example", None),
    ("https://a.example:65536", None), ("https://a.example@b.example", None), ("", None)])
def test_origins_are_read_strictly(text, origin):
    assert normal_origin(text) == origin
