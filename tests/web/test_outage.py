"""While the database does not answer, every route says 503 with Retry-After (harvesters
wait and retry), never a 500; once it answers again, the app serves without a restart."""

from __future__ import annotations

from store.records import DCValue, ItemInput
from store.write.items import upsert_item
from tests.store.ingest.helpers import outage
from web.app import create_app
from web.context import context_of
from web.http import RETRY_AFTER

ROUTES = [("GET", "/oai?verb=Identify"),
          ("GET", "/oai?verb=ListRecords&metadataPrefix=oai_dc"),
          ("POST", "/oai"),
          ("GET", "/iiif/hp-1/manifest"),
          ("GET", "/iiif/image/hp-1~p0001/info.json"),
          ("GET", "/iiif/collection/top"),
          ("GET", "/search?q=hai+phong"),
          ("GET", "/items/hp-1"),
          ("GET", "/")]


def test_a_database_that_refuses_connections_is_503_then_recovers(pg_url, tmp_path):
    app = create_app({"data_dir": str(tmp_path / "data"), "database_url": pg_url,
                      "secret_key": "test-secret"})
    store = context_of(app).store
    with store.session() as session:
        upsert_item(session, ItemInput("hp-1", (DCValue("title", "Hải Phòng xưa"),)),
                    store.settings.data_path)
    client = app.test_client()
    before = {url: client.open(url, method=method, data="verb=Identify" if method == "POST"
                               else None, content_type="application/x-www-form-urlencoded")
              .status_code for method, url in ROUTES}
    assert 503 not in before.values() and 500 not in before.values(), before

    with outage(pg_url) as down:
        down.start()
        for method, url in ROUTES:
            response = client.open(url, method=method, data="verb=Identify"
                                   if method == "POST" else None,
                                   content_type="application/x-www-form-urlencoded")
            assert response.status_code == 503, (url, response.status_code)
            assert response.headers["Retry-After"] == str(RETRY_AFTER)
            assert b"Traceback" not in response.data

    after = {url: client.open(url, method=method, data="verb=Identify" if method == "POST"
                              else None, content_type="application/x-www-form-urlencoded")
             .status_code for method, url in ROUTES}
    assert after == before
    store.dispose()


def test_sign_in_and_a_readers_session_meet_an_outage_with_503_not_500(pg_url, tmp_path,
                                                                      light_argon2):
    from store.records import PageInput
    from tests.conftest import _empty_postgres
    from tests.web.accounts_helpers import add, csrf, sign_in
    from tests.web.test_image_routes import SCAN

    _empty_postgres(pg_url)  # the session's database: other tests may have left readers
    app = create_app({"data_dir": str(tmp_path / "data"), "database_url": pg_url,
                      "secret_key": "test-secret"})
    store = context_of(app).store
    with store.session() as session:
        upsert_item(session, ItemInput("hp-2", (DCValue("title", "Hải Phòng"),),
                                       pages=(PageInput(str(SCAN), 1000, 1000),),
                                       access="readers"), store.settings.data_path)
    add(app)
    reader, stranger = app.test_client(), app.test_client()
    assert sign_in(reader).status_code == 303
    token = csrf(stranger)
    with outage(pg_url) as down:
        down.start()
        answers = [reader.get("/account"), reader.get("/"),
                   reader.get("/iiif/image/hp-2~p0001/full/max/0/default.jpg"),
                   stranger.post("/login", data={"csrf_token": token, "login": "lan",
                                                 "password": "mật khẩu dài"})]
        for response in answers:
            assert response.status_code == 503, response.request.path
            assert response.headers["Retry-After"] == str(RETRY_AFTER)
    assert reader.get("/iiif/image/hp-2~p0001/full/max/0/default.jpg").status_code == 200
    context_of(app).store.dispose()
