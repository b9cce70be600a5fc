"""Shared fixtures: every store-backed test runs on SQLite and on the PostgreSQL server.

`settings_overrides` is parametrised over both databases; `app`, `client`, `runner` follow the
flaskr layout; `live_server` serves the app on a loopback port for real HTTP clients.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy
from click.testing import CliRunner
from werkzeug.serving import make_server

from store.db import Store
from web.app import create_app
from web.context import context_of

PG_ADMIN_URL = os.environ.get("THUVIENSO_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
TABLES = ("item_set", "metadata_value", "page", "item_search", "item", "oai_set",
          "harvest_state", "reader", "sign_in_failure", "activity")


@contextmanager
def pg_database(prefix: str) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped at the end."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = sqlalchemy.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" ENCODING UTF8 TEMPLATE template0')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A PostgreSQL database of this test session, dropped at the end."""
    with pg_database("thuvienso_test") as url:
        yield url


def _empty_postgres(url: str) -> None:
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as conn:
        exists = conn.exec_driver_sql("SELECT to_regclass('public.item')").scalar()
        if exists:
            conn.exec_driver_sql(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """The SQLAlchemy URL of an empty store, once per database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'thuvienso.sqlite3'}"
    url = request.getfixturevalue("pg_url")
    _empty_postgres(url)
    return url


@pytest.fixture
def settings_overrides(database_url: str, tmp_path) -> dict[str, Any]:
    return {"data_dir": str(tmp_path / "data"), "database_url": database_url,
            "secret_key": "test-secret-of-at-least-32-characters", "oai_page_size": 10}


@pytest.fixture
def app(settings_overrides):
    app = create_app(settings_overrides)
    app.config["TESTING"] = True
    yield app
    context_of(app).store.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def store(app) -> Store:
    return context_of(app).store


@pytest.fixture
def runner(settings_overrides, monkeypatch) -> CliRunner:
    """A click runner whose environment points the CLI at the test store."""
    for key, value in settings_overrides.items():
        monkeypatch.setenv(f"THUVIENSO_{key.upper()}", str(value))
    return CliRunner()


@dataclass
class LiveServer:
    url: str
    host: str
    port: int


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:
    """The app on a loopback port in a thread (threaded werkzeug server)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", "127.0.0.1", server.server_port)
    server.shutdown()
    thread.join(5)
