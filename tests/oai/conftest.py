"""A small catalogue for the OAI-PMH tests: 43 items over five pages of ten, sets two levels
deep, items with pages (IIIF manifests), MARC items, tombstones, spread-out datestamps."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pyvips
import sqlalchemy
from flask import Flask
from sqlalchemy import update

from store.db import Store
from store.records import DCValue, ItemInput, PageInput, SetInput
from store.schema.models import Item
from store.write.items import delete_item, upsert_item, upsert_set
from tests.conftest import PG_ADMIN_URL
from web.app import create_app
from web.context import context_of

N_ITEMS = 43
START = datetime(2024, 1, 1)
SETS = (SetInput("sach", "Sách", "Sách in và sách cổ"), SetInput("sach:co", "Sách Hán Nôm"),
        SetInput("bao", "Báo chí"), SetInput("bao:nam", "Báo Nam Kỳ", "Báo in ở Sài Gòn"))
MARC_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<record xmlns="http://www.loc.gov/MARC21/slim">
  <leader>00000cam a2200000 i 4500</leader>
  <controlfield tag="001">{id}</controlfield>
  <controlfield tag="008">240101s1936    vm            000 0 vie d</controlfield>
  <datafield tag="020" ind1=" " ind2=" "><subfield code="a">9786040000001</subfield></datafield>
  <datafield tag="100" ind1="1" ind2=" "><subfield code="a">Phan, Khôi,</subfield>
    <subfield code="d">1887-1959.</subfield>
    <subfield code="e">tác giả</subfield></datafield>
  <datafield tag="245" ind1="1" ind2="0"><subfield code="a">Chương Dân thi thoại /</subfield>
    <subfield code="c">Phan Khôi.</subfield></datafield>
  <datafield tag="260" ind1=" " ind2=" "><subfield code="a">Hà Nội :</subfield>
    <subfield code="b">Đông Tây,</subfield>
    <subfield code="c">1936.</subfield></datafield>
  <datafield tag="300" ind1=" " ind2=" "><subfield code="a">120 tr. ;</subfield>
    <subfield code="c">19 cm</subfield></datafield>
  <datafield tag="600" ind1="1" ind2="4"><subfield code="a">Nguyễn, Du,</subfield>
    <subfield code="d">1766-1820.</subfield></datafield>
  <datafield tag="650" ind1=" " ind2="7"><subfield code="a">Thơ Việt Nam</subfield>
    <subfield code="y">Thế kỷ 20</subfield></datafield>
  <datafield tag="856" ind1="4" ind2="0"><subfield code="u">https://example.org/{id}</subfield></datafield>
</record>"""


@dataclass
class Catalogue:
    """What the tests know of the catalogue they harvest."""

    ids: list[str] = field(default_factory=list)  # every item id, tombstones too
    deleted: set[str] = field(default_factory=set)
    with_pages: set[str] = field(default_factory=set)
    marc: set[str] = field(default_factory=set)
    sets: dict[str, set[str]] = field(default_factory=dict)  # spec -> ids (parents included)
    stamps: dict[str, datetime] = field(default_factory=dict)


def _sets_of(n: int) -> tuple[str, ...]:
    return (("sach:co",), ("sach",), ("bao:nam",), ())[n % 4]


@pytest.fixture
def image_file(tmp_path: Path) -> Path:
    path = tmp_path / "page.jpg"
    pyvips.Image.black(40, 60).write_to_file(str(path))
    return path


@pytest.fixture
def catalogue(store: Store, image_file: Path) -> Catalogue:
    """The catalogue in the test's own store (for tests that change it)."""
    return fill(store, image_file)


@dataclass
class Shared:
    app: Flask
    catalogue: Catalogue
    overrides: dict[str, Any]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Shared]:
    """One filled store per module and database, for tests that only read."""
    tmp = tmp_path_factory.mktemp("oai-shared")
    admin = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'thuvienso.sqlite3'}"
    else:
        name = f"thuvienso_oai_{uuid.uuid4().hex[:8]}"
        admin = sqlalchemy.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" ENCODING UTF8 TEMPLATE template0')
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    overrides = {"data_dir": str(tmp / "data"), "database_url": url,
                 "secret_key": "test-secret", "oai_page_size": 10}
    app = create_app(overrides)
    image = tmp / "page.jpg"
    pyvips.Image.black(40, 60).write_to_file(str(image))
    yield Shared(app, fill(context_of(app).store, image), overrides)
    context_of(app).store.dispose()
    if admin is not None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def ro_client(shared: Shared):
    """A client of the shared, read-only catalogue."""
    return shared.app.test_client()


@pytest.fixture
def ro_cat(shared: Shared) -> Catalogue:
    return shared.catalogue


def fill(store: Store, image_file: Path) -> Catalogue:
    """Fill a store; datestamps are six hours apart from 2024-01-01 in id order."""
    cat = Catalogue(sets={s.spec: set() for s in SETS})
    data = store.settings.data_path
    with store.session() as session:
        for spec in SETS:
            upsert_set(session, spec)
        for n in range(N_ITEMS):
            item_id = f"tv-{n:03d}"
            metadata = (DCValue("title", f"Tác phẩm số {n}", "vi"),
                        DCValue("creator", "Nguyễn Văn Vĩnh"),
                        DCValue("subject", "Văn học Việt Nam", "vi"),
                        DCValue("date", str(1900 + n)), DCValue("type", "Text"),
                        DCValue("language", "vie"), DCValue("coverage", "Hà Nội"),
                        DCValue("identifier", f"https://example.org/ban/{n}"))
            pages: tuple[PageInput, ...] = ()
            if n % 10 == 5:
                pages = (PageInput(str(image_file), 40, 60, label="1"),)
                cat.with_pages.add(item_id)
            marc = n % 10 == 7
            upsert_item(session, ItemInput(
                item_id, metadata, sets=_sets_of(n), pages=pages,
                rights_uri="http://rightsstatements.org/vocab/NoC-US/1.0/" if n % 3 else None,
                source_format="marc" if marc else None,
                source_record=MARC_TEMPLATE.format(id=item_id) if marc else None), data)
            if marc:
                cat.marc.add(item_id)
            cat.ids.append(item_id)
            for spec in _sets_of(n):
                cat.sets[spec].add(item_id)
                if ":" in spec:
                    cat.sets[spec.split(":")[0]].add(item_id)
        for n in (3, 11, 20, 38):
            delete_item(session, f"tv-{n:03d}")
            cat.deleted.add(f"tv-{n:03d}")
        session.flush()
        for n, item_id in enumerate(cat.ids):
            stamp = START + timedelta(hours=6 * n)
            cat.stamps[item_id] = stamp
            session.execute(update(Item).where(Item.item_id == item_id).values(datestamp=stamp))
    return cat
