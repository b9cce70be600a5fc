"""Schema upkeep: migrations of a store that holds data (0002 fills item.dc_xml and
item.set_specs), and planner statistics after a first load on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy
from sqlalchemy import text

from store.db import Store
from store.dublin_core import dc_xml
from store.records import DCValue, ItemInput
from store.schema.migrate import current_revision, head_revision, upgrade
from store.settings import load_settings
from store.write.bulk import bulk_upsert
from tests.conftest import pg_database

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
    with pg_database("thuvienso_schema") as url:
        engine = sqlalchemy.create_engine(url)
        yield engine
        engine.dispose()


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
    assert upgrade(empty_engine, "0002")
    assert current_revision(empty_engine) == "0002"
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
    if empty_engine.dialect.name == "postgresql":  # rewritten rows, fresh statistics
        with empty_engine.connect() as conn:
            analysed = set(conn.exec_driver_sql(
                "SELECT tablename FROM pg_stats WHERE schemaname = 'public'").scalars())
        assert {"item", "metadata_value", "item_set"} <= analysed
    assert not upgrade(empty_engine, "0002")  # nothing left to apply

    # 0004: statements in canonical form, dc_xml made again from them, EDM reasons kept
    assert upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    with empty_engine.connect() as conn:
        rows = {pk: (rights, xml, lacks) for pk, rights, xml, lacks in conn.execute(
            text("SELECT pk, rights_uri, dc_xml, edm_lacks FROM item")).all()}
    assert rows[2] == ("http://creativecommons.org/publicdomain/mark/1.0/",
                       "<dc:rights>http://creativecommons.org/publicdomain/mark/1.0/</dc:rights>",
                       "title subject-or-type language")
    assert rows[1][0] == "http://rightsstatements.org/x"  # not a statement, kept as it was
    assert rows[1][2].startswith("refused-statement")
    assert not upgrade(empty_engine)


def test_a_first_bulk_load_on_postgresql_leaves_statistics_for_every_table(tmp_path):
    """Autovacuum may be off (it is on this project's test server): the write path ANALYZEs
    once, after a batch's items and their values are written, so the planner knows that an
    item has a few values rather than guessing a fraction of the table."""
    items = [ItemInput(f"it-{n}", (DCValue("title", f"Sách {n}"), DCValue("date", "1900"),
                                   DCValue("creator", "Khuyết danh")), sets=("sach",))
             for n in range(1200)]
    with pg_database("thuvienso_schema") as url:
        store = Store(load_settings({"data_dir": str(tmp_path), "database_url": url}, environ={}))
        try:
            upgrade(store.engine)
            with store.session() as session:
                bulk_upsert(session, items, store.settings.data_path)
            with store.engine.connect() as conn:
                analysed = set(conn.exec_driver_sql(
                    "SELECT tablename FROM pg_stats WHERE schemaname = 'public'").scalars())
                plan = "\n".join(conn.exec_driver_sql(
                    "EXPLAIN SELECT * FROM metadata_value WHERE item_pk IN (1, 2, 3)").scalars())
        finally:
            store.dispose()
    assert {"item", "metadata_value", "item_set", "item_search"} <= analysed
    estimate = int(plan.split("rows=")[1].split()[0])
    assert estimate < 100, plan  # 9 rows in truth; without statistics it guesses thousands


def test_0003_keeps_readers_written_before_it_and_their_scrypt_passwords(empty_engine):
    from datetime import date, datetime

    from sqlalchemy.orm import Session

    from store.read.readers import session_is_valid
    from store.write.readers import sign_in
    from tests.store.write.test_readers import old_scrypt_hash

    assert upgrade(empty_engine, "0002")
    with empty_engine.begin() as conn:
        conn.execute(text("INSERT INTO reader (login, password_hash, expires, disabled) "
                          "VALUES ('lan', :h, :e, false)"),
                     {"h": old_scrypt_hash("mật khẩu xưa"), "e": datetime(2099, 12, 31)})
    assert upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    with Session(empty_engine) as s, s.begin():
        outcome = sign_in(s, "lan", "mật khẩu xưa", date(2030, 1, 1))
        assert outcome.result == "ok" and outcome.reader.session_version == 1
        assert outcome.reader.group is None and outcome.reader.name is None
    with Session(empty_engine) as s:
        assert s.execute(text("SELECT password_hash FROM reader")).scalar_one().startswith(
            "$argon2id$")
        assert session_is_valid(s, "lan", 1, date(2030, 1, 1))
        assert s.execute(text("SELECT count(*) FROM sign_in_failure")).scalar_one() == 0


def test_0005_indexes_the_descriptions_and_page_texts_written_before_it(empty_engine):
    from sqlalchemy.orm import Session

    from store.read.search import Filters, search_items

    assert upgrade(empty_engine, "0003")
    with empty_engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO item (pk, item_id, access, deleted, created, datestamp, content_hash, "
            "viewing_direction, page_count) VALUES (1, 'cu', 'open', false, :t, :t, 'h', "
            "'left-to-right', 1)"), {"t": "2024-01-01 00:00:00"})
        conn.execute(text("INSERT INTO metadata_value (item_pk, position, element, value) "
                          "VALUES (1, 0, 'title', 'Sách cũ'), "
                          "(1, 1, 'description', 'Về Đồ Sơn'), (1, 2, 'date', '1925-03-01')"))
        conn.execute(text("INSERT INTO item_search (item_pk, title_words, creator_words, "
                          "subject_words) VALUES (1, 'sach cu', '', '')"))
        conn.execute(text("INSERT INTO page (item_pk, seq, image_file, checksum, width, height, "
                          "text) VALUES (1, 1, 'x.jpg', 'c', 10, 10, 'Trận Bạch Đằng')"))
        if conn.dialect.name == "sqlite":
            conn.execute(text("INSERT INTO item_fts (rowid, title, creator, subject) "
                              "VALUES (1, 'sach cu', '', '')"))
    assert upgrade(empty_engine)
    with Session(empty_engine) as s:
        assert search_items(s, "sach cu").item_ids == ["cu"]
        assert search_items(s, "do son").item_ids == ["cu"]
        found = search_items(s, "bach dang")
        assert found.item_ids == ["cu"] and found.pages["cu"].seq == 1
        assert search_items(s, "sach", filters=Filters(years=(1925, 1925))).item_ids == ["cu"]


def test_0006_moves_the_postgresql_page_index_into_page_search(empty_engine):
    from sqlalchemy.orm import Session

    from store.read.search import search_items
    from store.schema.fulltext import tsvector_literal

    assert upgrade(empty_engine, "0005")
    postgresql = empty_engine.dialect.name == "postgresql"
    with empty_engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO item (pk, item_id, access, deleted, created, datestamp, content_hash, "
            "viewing_direction, page_count) VALUES (1, 'cu', 'open', false, :t, :t, 'h', "
            "'left-to-right', 2)"), {"t": "2024-01-01 00:00:00"})
        conn.execute(text("INSERT INTO item_search (item_pk, title_words, creator_words, "
                          "subject_words) VALUES (1, 'sach cu', '', '')"))
        for seq, body in ((1, None), (2, "Trận Bạch Đằng")):
            conn.execute(text("INSERT INTO page (item_pk, seq, image_file, checksum, width, "
                              "height, text) VALUES (1, :seq, 'x.jpg', 'c', 10, 10, :body)"),
                         {"seq": seq, "body": body})
        if postgresql:
            conn.execute(text("UPDATE page SET document = CAST(:doc AS tsvector) WHERE seq = 2"),
                         {"doc": tsvector_literal(["tran", "bach", "dang"])})
        else:
            conn.execute(text("INSERT INTO page_fts (rowid, body) VALUES (:r, 'tran bach dang')"),
                         {"r": (1 << 20) | 2})
    assert upgrade(empty_engine)
    with Session(empty_engine) as s:
        found = search_items(s, '"bach dang"')
        assert found.item_ids == ["cu"] and found.pages["cu"].seq == 2
    if postgresql:
        with empty_engine.connect() as conn:
            assert conn.execute(text("SELECT item_pk, seq FROM page_search")).all() == [(1, 2)]
            assert conn.execute(text("SELECT count(*) FROM information_schema.columns WHERE "
                                     "table_name = 'page' AND column_name = 'document'")
                                ).scalar() == 0
