"""While the database does not answer, every route says 503 with Retry-After (harvesters
wait and retry), never a 500; once it answers again, the app serves without a restart."""

from __future__ import annotations

import sqlalchemy

from store.records import DCValue, ItemInput
from store.write.items import upsert_item
from tests.conftest import PG_ADMIN_URL
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

    name = pg_url.rsplit("/", 1)[1]
    admin = sqlalchemy.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        conn.exec_driver_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
    try:
        for method, url in ROUTES:
            response = client.open(url, method=method, data="verb=Identify"
                                   if method == "POST" else None,
                                   content_type="application/x-www-form-urlencoded")
            assert response.status_code == 503, (url, response.status_code)
            assert response.headers["Retry-After"] == str(RETRY_AFTER)
            assert b"Traceback" not in response.data
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        admin.dispose()

    after = {url: client.open(url, method=method, data="verb=Identify" if method == "POST"
                              else None, content_type="application/x-www-form-urlencoded")
             .status_code for method, url in ROUTES}
    assert after == before
    store.dispose()
