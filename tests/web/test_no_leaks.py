"""Nothing of a non-open item leaks (both databases): every route family × every access level ×
every kind of requester, each asserting exactly what that requester gets. The page text too:
Content Search 1.0 and 2.0 and their autocomplete give a refused requester no hit, count or term
(the same empty answer whatever the query), with the auth services that may open the text.

Before each requester asks, a valid reader has asked everything once, so every derivative,
response and document cache is warm: what is refused is refused from a warm cache too.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import date

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from lxml import html

from iiif import auth_tokens
from iiif.auth_tokens import TokenSigner
from oai.formats import FORMATS
from store.records import DCValue, ItemInput, PageInput, SetInput
from store.write.items import upsert_item, upsert_set
from store.write.readers import disable_reader, extend_reader, set_password
from tests.web.accounts_helpers import add, sign_in
from tests.web.test_image_routes import SCAN
from web.app import create_app
from web.context import context_of

pytestmark = pytest.mark.usefixtures("light_argon2")
ITEM = "sach-thu"
IMAGE = f"/iiif/image/{ITEM}~p0001"
IMAGES = {"info": f"{IMAGE}/info.json", "full": f"{IMAGE}/full/max/0/default.jpg",
          "tile": f"{IMAGE}/0,0,512,512/512,/0/default.jpg",
          "thumbnail": f"{IMAGE}/full/200,200/0/default.jpg",
          "portal thumbnail": f"{IMAGE}/full/120,120/0/default.jpg"}
SAME_FOR_ALL = {"manifest": f"/iiif/{ITEM}/manifest", "collection": "/iiif/collection/sach",
                "top collection": "/iiif/collection/top",
                **{f"oai {prefix}": f"/oai?verb=GetRecord&metadataPrefix={prefix}"
                                    f"&identifier=oai:thuvienso.local:{ITEM}"
                   for prefix in FORMATS},
                "oai list": "/oai?verb=ListRecords&metadataPrefix=oai_dc"}
OWN = "http://localhost"
SECRET, OTHER = "bímật", "khongco"  # the page's secret word; a word it does not have
TEXT = {f"{kind} {v}": f"/iiif/{ITEM}/{kind}/{v}?q={{}}" for kind in ("search", "autocomplete")
        for v in (1, 2)}


def _timeless(body: bytes) -> bytes:
    """A document less its OAI-PMH responseDate (the only part that differs by time)."""
    return re.sub(rb"<responseDate>[^<]*</responseDate>", b"", body)


def _item(app, access: str) -> None:
    with context_of(app).store.session() as s:
        upsert_set(s, SetInput("sach", "Sách"))
        upsert_item(s, ItemInput(ITEM, metadata=(DCValue("title", "Sách thử nghiệm", "vi"),),
                                 sets=("sach",), access=access,
                                 pages=(PageInput(str(SCAN), 1000, 1000, None,
                                                  f"Một điều {SECRET} của làng."),)),
                    context_of(app).settings.data_path)


def _token(app, origin: str = OWN, secret: str | None = None, age: int = 0) -> str:
    """A token as the token service makes it (the reader's current session version), made
    `age` seconds ago."""
    with context_of(app).store.reading() as s:
        from store.read.readers import get_reader
        version = get_reader(s, "lan").session_version
    signer = TokenSigner(secret or context_of(app).settings.secret_key)
    if age:
        class Past(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(time.time()) - age

        signer.serializer = URLSafeTimedSerializer(signer.serializer.secret_key,
                                                   salt=auth_tokens.SALT, signer=Past)
    return signer.issue("lan", version, origin)


def _store_do(app, change: Callable) -> None:
    with context_of(app).store.session() as s:
        change(s)


# Each kind: (how the client is set up, whether it is a valid reader). A setup returns the
# headers the client sends.
def anonymous(app, client, overrides):
    return {}


def reader(app, client, overrides):
    sign_in(client)
    return {}


def expired(app, client, overrides):
    sign_in(client)
    _store_do(app, lambda s: extend_reader(s, "lan", date(2000, 1, 1)))
    return {}


def disabled(app, client, overrides):
    sign_in(client)
    _store_do(app, lambda s: disable_reader(s, "lan"))
    return {}


def password_changed(app, client, overrides):
    sign_in(client)
    _store_do(app, lambda s: set_password(s, "lan", "một mật khẩu mới"))
    return {}


def token(app, client, overrides):
    return {"Authorization": f"Bearer {_token(app)}"}


def expired_token(app, client, overrides):
    return {"Authorization": f"Bearer {_token(app, age=auth_tokens.LIFETIME + 5)}"}


def token_after_disable(app, client, overrides):
    headers = {"Authorization": f"Bearer {_token(app)}"}
    _store_do(app, lambda s: disable_reader(s, "lan"))
    return headers


def forged_token(app, client, overrides):
    return {"Authorization": f"Bearer {_token(app, secret='another-secret-of-32-characters-x')}"}


def token_for_another_origin(app, client, overrides):
    return {"Authorization": f"Bearer {_token(app, origin='https://evil.example')}"}


def own_token_from_another_origin(app, client, overrides):
    return {"Authorization": f"Bearer {_token(app)}", "Origin": "https://evil.example"}


def other_node(app, client, overrides):
    """A session cookie made by another app instance over the same database and secret."""
    node = create_app(overrides)
    other = node.test_client()
    sign_in(other)
    client.set_cookie("session", other.get_cookie("session").value)
    context_of(node).store.dispose()
    return {}


def other_secret_node(app, client, overrides):
    """A session cookie of a node with another secret key: not ours."""
    node = create_app(overrides | {"secret_key": "another-secret-of-32-characters-x"})
    other = node.test_client()
    sign_in(other)
    client.set_cookie("session", other.get_cookie("session").value)
    context_of(node).store.dispose()
    return {}


REQUESTERS = {anonymous: False, reader: True, expired: False, disabled: False,
              password_changed: False, token: True, expired_token: False,
              token_after_disable: False,
              forged_token: False, token_for_another_origin: False,
              own_token_from_another_origin: False, other_node: True, other_secret_node: False}


@pytest.mark.parametrize("access", ["open", "readers", "restricted"])
@pytest.mark.parametrize("setup", list(REQUESTERS), ids=lambda f: f.__name__)
def test_each_requester_gets_exactly_what_the_access_level_allows(app, settings_overrides,
                                                                 access, setup):
    _item(app, access)
    add(app)
    warm = app.test_client()
    sign_in(warm)
    baseline = {name: app.test_client().get(url) for name, url in SAME_FOR_ALL.items()}
    for url in IMAGES.values():  # a valid reader fills every cache first
        warm.get(url)
    client = app.test_client()
    headers = setup(app, client, settings_overrides)
    valid = REQUESTERS[setup]
    may_see = access == "open" or (access == "readers" and valid)

    for name, url in IMAGES.items():
        response = client.get(url, headers=headers)
        assert response.status_code == (200 if may_see else 401), name
        if not may_see:
            assert response.headers["Cache-Control"] == "no-store"
            assert b"\xff\xd8" not in response.data[:4]  # no JPEG
            etag = warm.get(url).headers.get("ETag")
            assert client.get(url, headers=headers | {"If-None-Match": etag}).status_code == 401
        elif access != "open":
            assert response.headers["Cache-Control"].startswith("private")
        else:
            assert response.headers["Cache-Control"].startswith("public")
    info = client.get(IMAGES["info"], headers=headers).get_json()
    assert ("tiles" in info) is may_see  # a refused info.json has no tiles or sizes

    for name, url in SAME_FOR_ALL.items():  # public documents: the same bytes for everyone
        response = client.get(url, headers=headers)
        assert response.status_code == 200, name
        assert _timeless(response.data) == _timeless(baseline[name].data), name

    probe = client.get(f"/auth/2/probe/{ITEM}~p0001", headers=headers)
    assert probe.status_code == 200
    assert probe.get_json()["status"] == (200 if may_see else
                                          401 if access == "readers" else 403)
    assert probe.headers["Cache-Control"] == "no-store"

    _text_services(client, headers, access, may_see)

    minted = client.get("/auth/1/token", headers=headers)  # a token only from a live session
    cookie_reader = valid and setup is not token
    assert minted.status_code == (200 if cookie_reader else 401)
    assert ("accessToken" in minted.get_json()) is cookie_reader

    for path in (f"/items/{ITEM}", "/search?q=thu+nghiem", "/search?set=sach"):
        page = html.fromstring(client.get(path, headers=headers).data)
        images = [src for src in page.xpath("//main//img/@src") if "/iiif/image/" in src]
        assert bool(images) is (access == "open" and path.startswith("/search")), path


def _count(doc: dict) -> int:
    """Hits or terms of a Content Search answer, whichever version and service."""
    if "within" in doc:
        return doc["within"]["total"]
    if "partOf" in doc:
        return doc["partOf"]["total"]
    return len(doc.get("terms", doc.get("items", [])))


def _text_services(client, headers, access: str, may_see: bool) -> None:
    """Search and autocomplete: hits for who may read, else a refusal without a trace of the
    text, the same whatever the query, carrying the services that lead to sign-in."""
    for name, url in TEXT.items():
        answer = client.get(url.format(SECRET), headers=headers)
        body = answer.get_data(as_text=True)
        if may_see:
            assert answer.status_code == 200, name
            assert _count(answer.get_json()) == 1 and ("bimat" in body or SECRET in body), name
            continue
        assert answer.status_code == (401 if access == "readers" else 403), name
        assert answer.headers["Cache-Control"] == "no-store", name
        assert answer.headers["Access-Control-Allow-Origin"] == "*", name  # a viewer reads it
        assert "bimat" not in body and SECRET not in body and _count(answer.get_json()) == 0
        other = client.get(url.format(OTHER), headers=headers).get_data(as_text=True)
        assert body.replace("q=b%C3%ADm%E1%BA%ADt", "q=" + OTHER) == other, name
        refusal = answer.get_json()
        types = [s.get("type", s.get("@type")) for s in refusal.get("service", [])]
        if name.endswith("2"):  # Auth 2.0's context first, Content Search 2.0's last
            assert refusal["@context"] == ["http://iiif.io/api/auth/2/context.json",
                                           "http://iiif.io/api/search/2/context.json"], name
        assert types == (["AuthCookieService1"] if name.endswith("1") and access == "readers"
                         else ["AuthProbeService2"] if name.endswith("2") else []), name
    probe = client.get(f"/auth/2/probe/text/{ITEM}", headers=headers).get_json()
    assert probe["status"] == (200 if may_see else 401 if access == "readers" else 403)
