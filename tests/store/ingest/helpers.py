"""Builders of small MARC, MARCXML and Dublin Core files for the import tests, and what the
store-fault tests of import and harvest share: a store that stops answering, a store to compare
with, and what a store holds."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy
from pymarc import Field, Indicators, Record, Subfield, XMLWriter

from store.db import Store
from store.ingest import batch
from store.schema.migrate import upgrade
from store.settings import load_settings
from tests.conftest import PG_ADMIN_URL

DATA = Path(__file__).resolve().parents[2] / "data" / "import"
OAI = "http://www.openarchives.org/OAI/2.0/"
DC_HEAD = ('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/">')


def marc_record(control: str | None, title: str = "Truyện Kiều", status: str = "n",
                extra: list[Field] | None = None) -> Record:
    """A UTF-8 book record with the usual fields; `control` None leaves out the 001."""
    record = Record(force_utf8=True)
    record.leader = f"00000{status}am a2200000 a 4500"
    if control is not None:
        record.add_field(Field("001", data=control))
    record.add_field(Field("008", data="240101s1925    vm            000 0 vie d"))
    record.add_field(Field("040", Indicators(" ", " "), [Subfield("a", "VN-HP"),
                                                          Subfield("b", "vie")]))
    record.add_field(Field("100", Indicators("1", " "), [Subfield("a", "Nguyễn Du,"),
                                                          Subfield("d", "1765-1820.")]))
    record.add_field(Field("245", Indicators("1", "0"), [
        Subfield("a", f"{title} :"), Subfield("b", "đoạn trường tân thanh /"),
        Subfield("c", "Nguyễn Du.")]))
    record.add_field(Field("260", Indicators(" ", " "), [
        Subfield("a", "Hà Nội :"), Subfield("b", "Văn học,"), Subfield("c", "1925.")]))
    record.add_field(Field("650", Indicators(" ", "7"), [Subfield("a", "Văn học Việt Nam"),
                                                          Subfield("y", "Thế kỷ 19")]))
    for field in extra or []:
        record.add_field(field)
    return record


def write_marcxml(path: Path, records: list[Record]) -> Path:
    writer = XMLWriter(open(path, "wb"))  # noqa: SIM115 - XMLWriter closes it
    for record in records:
        writer.write(record)
    writer.close()
    return path


def write_mrc(path: Path, records: list[Record]) -> Path:
    path.write_bytes(b"".join(r.as_marc() for r in records))
    return path


def dc_record(values: list[tuple[str, str]]) -> str:
    body = "".join(f"<dc:{name}>{value}</dc:{name}>" for name, value in values)
    return f"{DC_HEAD}{body}</oai_dc:dc>"


def oai_record(identifier: str, values: list[tuple[str, str]] | None,
               deleted: bool = False) -> str:
    status = ' status="deleted"' if deleted else ""
    header = (f"<header{status}><identifier>{identifier}</identifier>"
              "<datestamp>2024-01-01</datestamp></header>")
    metadata = f"<metadata>{dc_record(values)}</metadata>" if values is not None else ""
    return f"<record>{header}{metadata}</record>"


def list_records(records: list[str]) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<OAI-PMH xmlns="{OAI}"><responseDate>2024-01-01T00:00:00Z</responseDate>'
            '<request verb="ListRecords">http://example.org/oai</request>'
            f'<ListRecords>{"".join(records)}</ListRecords></OAI-PMH>').encode()


def marc8_record() -> bytes:
    """A Vietnamese book record in MARC-8 (ANSEL combining marks precede their letter)."""
    hook, grave, circ, tilde, dot = "\xe0", "\xe1", "\xe3", "\xe4", "\xf2"
    d_bar_cap, u_horn, o_horn = "\xa3", "\xbd", "\xbc"
    record = Record(to_unicode=False)  # Leader/09 blank: MARC-8
    record.leader = "00000nam  2200000 a 4500"
    record.add_field(Field("001", data="  hp-marc8-01  "))
    record.add_field(Field("008", data="240101s1925    vm            000 0 vie d"))
    record.add_field(Field("245", Indicators("1", "0"), [
        Subfield("a", f"Truy{circ}{dot}en Ki{circ}{grave}eu :"),
        Subfield("b", f"{d_bar_cap}o{dot}an tr{u_horn}{grave}{o_horn}ng t{circ}an thanh")]))
    record.add_field(Field("100", Indicators("1", " "), [
        Subfield("a", f"Nguy{circ}{tilde}en Du")]))
    record.add_field(Field("260", Indicators(" ", " "), [
        Subfield("a", f"H{hook}ai Ph{grave}ong :"),
        Subfield("b", f"Nh{grave}a in {d_bar_cap}{circ}ong D{u_horn}{o_horn}ng")]))
    record.add_field(Field("650", Indicators(" ", "4"), [Subfield("a", f"Th{o_horn} ca")]))
    return record.as_marc()


def gone(*_args: Any) -> None:
    """What a bulk write raises when the server closed the connection under it."""
    raise sqlalchemy.exc.OperationalError("INSERT INTO item ...", {},
                                          Exception("server closed the connection"))


class CutAfter:
    """Stands in for the batch writer's bulk_upsert: lets `batches` batches through, then calls
    `fail` before each write (it raises, or makes the database refuse connections so that the
    write itself fails) until `disarm()`; `sizes` lists the batches it was given meanwhile."""

    def __init__(self, batches: int, fail: Callable[[], object]) -> None:
        self.batches, self.fail = batches, fail
        self.sizes: list[int] = []
        self.armed = True
        self.real = batch.bulk_upsert

    def __call__(self, session: Any, items: Any, data_path: Path) -> Any:
        if self.armed:
            self.sizes.append(len(items))
            if len(self.sizes) > self.batches:
                self.fail()
        return self.real(session, items, data_path)

    def disarm(self) -> None:
        self.armed = False


class Outage:
    """Makes a real PostgreSQL database refuse connections, and drops the ones it has."""

    def __init__(self, url: str) -> None:
        self.name = url.rsplit("/", 1)[1]
        self.admin = sqlalchemy.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")

    def start(self) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false')
            conn.exec_driver_sql("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                                 "WHERE datname = %s AND pid <> pg_backend_pid()", (self.name,))

    def end(self) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true')


@contextmanager
def outage(url: str) -> Iterator[Outage]:
    """An Outage to start when the test wants; connections are allowed again at the end."""
    down = Outage(url)
    try:
        yield down
    finally:
        down.end()
        down.admin.dispose()


@contextmanager
def reference_store(folder: Path) -> Iterator[Store]:
    """A fresh SQLite store beside the test's, to hold what an uninterrupted run writes."""
    store = Store(load_settings({"data_dir": str(folder / "data"), "secret_key": "reference",
                                 "database_url": f"sqlite:///{folder / 'reference.sqlite3'}"}))
    upgrade(store.engine)
    try:
        yield store
    finally:
        store.dispose()


def contents(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """What a store holds, whatever its database: each item's id, tombstone flag and content
    hash (of everything it exports), the sets and the harvest positions."""
    queries = {"items": "SELECT item_id, deleted, content_hash FROM item ORDER BY item_id",
               "sets": "SELECT spec, name FROM oai_set ORDER BY spec",
               "harvests": "SELECT source_url, metadata_prefix, set_spec, last_response_date, "
                           "resumption_token, started_response_date FROM harvest_state "
                           "ORDER BY source_url"}
    with store.engine.connect() as conn:
        return {name: [tuple(row) for row in conn.exec_driver_sql(sql)]
                for name, sql in queries.items()}
