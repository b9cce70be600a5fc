"""Migrations upgrade a store that holds data: 0002 fills item.dc_xml and item.set_specs."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy
from sqlalchemy import text

from store.dublin_core import dc_xml
from store.records import DCValue
from store.schema import current_revision, head_revision, upgrade
from tests.conftest import PG_ADMIN_URL

VALUES = {
    1: [DCValue("title", "Truyện Kiều & <Đoạn trường tân thanh>", "vi"),
        DCValue("creator", "Nguyễn Du"), DCValue("rights", "http://rightsstatements.org/x")],
    2: [],
    3: [DCValue("date", "1820"), DCValue("title", "Lục Vân Tiên", "bad tag!")],
}
RIGHTS = {1: "http://rightsstatements.org/x", 2: "https://creativecommons.org/publicdomain/mark/1.0/",
          3: None}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[sqlalchemy.Engine]:
    """An engine on a database with no schema at all, on each database server."""
    if request.param == "sqlite":
        engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
        yield engine
        engine.dispose()
        return
    name = f"thuvienso_migrate_{uuid.uuid4().hex[:8]}"
    admin = sqlalchemy.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" ENCODING UTF8 TEMPLATE template0')
    engine = sqlalchemy.create_engine(PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def test_0002_fills_the_list_columns_of_items_written_before_it(empty_engine):
    assert upgrade(empty_engine, "0001")
    assert current_revision(empty_engine) == "0001"
    with empty_engine.begin() as conn:
        for pk, spec in ((1, "sach"), (2, "sach:co"), (3, "bao")):
            conn.execute(text("INSERT INTO oai_set (pk, spec, name) VALUES (:pk, :spec, :name)"),
                         {"pk": pk, "spec": spec, "name": spec})
        for pk, values in VALUES.items():
            conn.execute(text(
                "INSERT INTO item (pk, item_id, access, deleted, created, datestamp, content_hash,"
                " rights_uri, viewing_direction, page_count) VALUES (:pk, :id, 'open', false,"
                " '2026-01-01 00:00:00', '2026-01-01 00:00:00', 'x', :rights, 'left-to-right', 0)"),
                {"pk": pk, "id": f"it-{pk}", "rights": RIGHTS[pk]})
            for position, value in reversed(list(enumerate(values))):  # stored out of order
                conn.execute(text(
                    "INSERT INTO metadata_value (item_pk, position, element, value, lang)"
                    " VALUES (:pk, :position, :element, :value, :lang)"),
                    {"pk": pk, "position": position, "element": value.element,
                     "value": value.value, "lang": value.lang})
        for item_pk, set_pk in ((1, 3), (1, 2), (3, 1)):
            conn.execute(text("INSERT INTO item_set (item_pk, set_pk) VALUES (:i, :s)"),
                         {"i": item_pk, "s": set_pk})
    assert upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    with empty_engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT pk, dc_xml FROM item")).all())
        specs = dict(conn.execute(text("SELECT pk, set_specs FROM item")).all())
    assert specs == {1: "bao sach:co", 2: "", 3: "sach"}
    assert stored == {pk: dc_xml(values, RIGHTS[pk]) for pk, values in VALUES.items()}
    assert stored[1] == ('<dc:title xml:lang="vi">Truyện Kiều &amp; &lt;Đoạn trường tân thanh&gt;'
                         '</dc:title><dc:creator>Nguyễn Du</dc:creator>'
                         '<dc:rights>http://rightsstatements.org/x</dc:rights>')
    assert stored[2] == ("<dc:rights>https://creativecommons.org/publicdomain/mark/1.0/"
                         "</dc:rights>")
    assert 'xml:lang' not in stored[3]
    assert not upgrade(empty_engine)  # nothing left to apply
