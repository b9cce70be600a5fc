"""`thuvienso backup` and `thuvienso restore` on both databases: a restored store answers as the
one backed up, and a filled store, a damaged or a foreign archive is refused in one sentence."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lxml import etree

from tests.conftest import pg_database
from tests.web.accounts_helpers import add, sign_in
from web.app import create_app
from web.cli import main
from web.context import context_of

SCAN = Path(__file__).resolve().parents[1] / "data" / "67352ccc-d1b0-11e1-89ae-279075081939.png"
OAI = {"o": "http://www.openarchives.org/OAI/2.0/"}


def packages(folder: Path, count: int, readers: int = 0) -> Path:
    """`count` item packages (the last `readers` of them for readers only), one scan each."""
    for n in range(count):
        item = folder / f"sach-{n:03d}"
        item.mkdir(parents=True)
        meta = {"title": f"Sách số {n}", "creator": "Nguyễn Du"}
        if n >= count - readers:
            meta["access"] = "readers"
        (item / "metadata.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
        shutil.copy(SCAN, item / "001.png")
    return folder


@pytest.fixture
def second_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """Another empty database of the same kind, to restore into."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    with pg_database("thuvienso_restore") as url:
        yield url


@pytest.fixture
def source(settings_overrides: dict[str, Any]) -> dict[str, Any]:
    """The store backed up: its secret key generated in its data dir, as in production."""
    return {k: v for k, v in settings_overrides.items() if k != "secret_key"}


@pytest.fixture
def target(source: dict[str, Any], second_url: str, tmp_path: Path) -> dict[str, Any]:
    return source | {"data_dir": str(tmp_path / "restored"), "database_url": second_url}


def cli(overrides: dict[str, Any], *args: str) -> Any:
    env = {f"THUVIENSO_{k.upper()}": str(v) for k, v in overrides.items()}
    return CliRunner().invoke(main, list(args), env=env | {"THUVIENSO_SECRET_KEY": ""})


def harvest(client, **query: str) -> tuple[list[tuple[str, str]], str | None]:
    """The (identifier, datestamp) pairs of a ListIdentifiers page and its resumption token."""
    tree = etree.fromstring(client.get("/oai", query_string=query).data)
    pairs = [(h.findtext("o:identifier", namespaces=OAI), h.findtext("o:datestamp", namespaces=OAI))
             for h in tree.iterfind(".//o:header", OAI)]
    token = tree.findtext(".//o:resumptionToken", namespaces=OAI)
    return pairs, token or None


def test_a_restore_answers_as_the_store_backed_up(source, target, tmp_path, light_argon2):
    origin = create_app(source)
    assert cli(source, "import", str(packages(tmp_path / "in", 14, readers=2))).exit_code == 0
    add(origin, "lan", "mật khẩu dài")
    client = origin.test_client()
    first, token = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert token
    second, _ = harvest(client, verb="ListIdentifiers", resumptionToken=token)
    urls = ["/iiif/sach-003/manifest", "/iiif/image/sach-003~p0001/full/max/0/default.jpg",
            "/iiif/image/sach-003~p0001/0,0,64,64/32,32/0/default.jpg"]
    before = [client.get(url).data for url in urls]
    record = client.get("/oai?verb=GetRecord&metadataPrefix=marc21&identifier="
                        "oai:thuvienso.local:sach-001").data
    context_of(origin).store.dispose()

    done = cli(source, "backup", str(tmp_path / "b.tar"))
    assert done.exit_code == 0, done.output
    assert (tmp_path / "b.tar").stat().st_mode & 0o777 == 0o600
    restored = cli(target, "restore", str(tmp_path / "b.tar"))
    assert restored.exit_code == 0, restored.output
    assert "14 scans" not in restored.output and "1 scans" in restored.output  # one shared scan

    copy = create_app(target)
    again = copy.test_client()
    assert harvest(again, verb="ListIdentifiers", metadataPrefix="oai_dc")[0] == first
    # a token given out before the backup goes on in the restored store (same secret key)
    assert harvest(again, verb="ListIdentifiers", resumptionToken=token)[0] == second
    assert [again.get(url).data for url in urls] == before
    assert _without_response_date(again.get(
        "/oai?verb=GetRecord&metadataPrefix=marc21&identifier=oai:thuvienso.local:sach-001"
    ).data) == _without_response_date(record)
    closed = "/iiif/image/sach-013~p0001/full/max/0/default.jpg"
    assert again.get(closed).status_code == 401
    assert sign_in(again, "lan", "mật khẩu dài").status_code == 303
    assert again.get(closed).status_code == 200
    context_of(copy).store.dispose()


def _without_response_date(body: bytes) -> bytes:
    tree = etree.fromstring(body)
    tree.remove(tree.find("o:responseDate", OAI))
    return etree.tostring(tree)


def test_restore_refuses_a_store_that_holds_anything(source, target, tmp_path):
    assert cli(source, "import", str(packages(tmp_path / "in", 1))).exit_code == 0
    assert cli(source, "backup", str(tmp_path / "b.tar")).exit_code == 0
    refused = cli(source, "restore", str(tmp_path / "b.tar"))
    assert refused.exit_code == 1
    assert refused.output.startswith("Error: the store is not empty")
    assert len(refused.output.strip().splitlines()) == 1
    # a data dir holding scans is refused too, even when its database is empty
    scans = Path(target["data_dir"]) / "images" / "ab"
    scans.mkdir(parents=True)
    (scans / "x.jpg").write_bytes(b"scan")
    assert "not empty" in cli(target, "restore", str(tmp_path / "b.tar")).output


def test_backup_never_replaces_a_file(source, tmp_path):
    (tmp_path / "b.tar").write_text("kept")
    result = cli(source, "backup", str(tmp_path / "b.tar"))
    assert result.exit_code == 1 and "exists" in result.output
    assert (tmp_path / "b.tar").read_text() == "kept"


def test_restore_refuses_an_archive_of_the_other_database(source, target, tmp_path,
                                                          database_url):
    other = "postgresql" if database_url.startswith("sqlite") else "sqlite"
    member = "database.pgdump" if other == "postgresql" else "database.sqlite3"
    archive = _archive(tmp_path / "other.tar", {member: b"x"}, database=other)
    result = cli(target, "restore", str(archive))
    assert result.exit_code == 1 and f"holds a {other} database" in result.output


def _archive(path: Path, members: dict[str, bytes], **manifest: Any) -> Path:
    """A hand-made archive with a manifest that lists its members truthfully."""
    import hashlib
    import io
    import tarfile

    files = {n: [len(b), hashlib.sha256(b).hexdigest()] for n, b in members.items()}
    body = json.dumps({"format": "thuvienso-backup", "version": 1, "database": "sqlite",
                       "schema": None, **manifest, "files": files}).encode()
    with tarfile.open(path, "w") as tar:
        for name, data in [*members.items(), ("thuvienso-backup.json", body)]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def distinct_packages(folder: Path, count: int) -> Path:
    """`count` packages of two small scans each, every scan different (its own file)."""
    import pyvips

    for n in range(count):
        item = folder / f"bao-{n:04d}"
        item.mkdir(parents=True)
        (item / "metadata.json").write_text(json.dumps({"title": f"Báo {n}"}), "utf-8")
        for page in (1, 2):
            colour = [n % 256, n // 256 % 256, page]
            pyvips.Image.black(32, 32).new_from_image(colour).cast("uchar").write_to_file(
                str(item / f"{page:03d}.png"))
    return folder


def test_a_backup_taken_while_an_import_runs_holds_every_item_whole_or_not_at_all(
        source, target, tmp_path, monkeypatch):
    import threading

    from store.backup.run import backup
    from store.db import Store
    from store.ingest import batch
    from store.ingest.importing import run_import
    from store.read.queries import page_image, stats
    from store.schema.migrate import upgrade
    from store.settings import load_settings

    total = 240
    folder = distinct_packages(tmp_path / "in", total)
    monkeypatch.setattr(batch, "BATCH_SIZE", 8)  # many commits, so the backup falls between
    settings = load_settings(source)
    importer, backer = Store(settings), Store(settings)
    upgrade(importer.engine)
    done = threading.Event()

    def run() -> None:
        try:
            run_import(importer, [folder])
        finally:
            done.set()

    thread = threading.Thread(target=run)
    thread.start()
    while not done.is_set():  # until the first batch is committed
        with backer.reading() as session:
            if stats(session).items:
                break
        threading.Event().wait(0.01)
    backup(backer, tmp_path / "during.tar")
    during = not done.is_set()
    thread.join(120)
    importer.dispose()
    backer.dispose()
    assert during, "the import ended before the backup: nothing was proved"

    assert cli(target, "restore", str(tmp_path / "during.tar")).exit_code == 0
    copy = create_app(target)
    client, context = copy.test_client(), context_of(copy)
    items, token = [], "start"
    query: dict[str, str] = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}
    while token:
        pairs, token = harvest(client, **query)
        items += [identifier.rsplit(":", 1)[1] for identifier, _ in pairs]
        query = {"verb": "ListIdentifiers", "resumptionToken": token or ""}
    assert 0 < len(items) < total  # taken in the middle of the import
    for item_id in items:
        manifest = client.get(f"/iiif/{item_id}/manifest").get_json()
        assert len(manifest["items"]) == 2, item_id
        for page in ("p0001", "p0002"):  # its scans are there (checked on disk: a scan
            # smaller than a tile, as these are, is not rendered)
            with context.store.reading_connection() as connection:
                found = page_image(connection, f"{item_id}~{page}", context.settings)
            assert found is not None and Path(found.image_path).is_file(), (item_id, page)
    context_of(copy).store.dispose()


def test_a_damaged_archive_is_refused_and_leaves_the_empty_store_as_it_was(source, target,
                                                                          tmp_path):
    import tarfile

    assert cli(source, "import", str(packages(tmp_path / "in", 2))).exit_code == 0
    assert cli(source, "backup", str(tmp_path / "b.tar")).exit_code == 0
    with tarfile.open(tmp_path / "b.tar") as tar:
        scan = next(m for m in tar.getmembers() if m.name.startswith("data/images/"))
    raw = bytearray((tmp_path / "b.tar").read_bytes())
    raw[scan.offset_data + 100] ^= 0xFF  # one bit of one scan, its size unchanged
    (tmp_path / "damaged.tar").write_bytes(bytes(raw))
    result = cli(target, "restore", str(tmp_path / "damaged.tar"))
    assert result.exit_code == 1 and "is damaged" in result.output
    data = Path(target["data_dir"])
    assert not (data / "images").exists()
    assert not [p for p in data.iterdir() if p.name.startswith(".restore-")]
    assert cli(target, "stats").output.splitlines()[0] == "items: 0"
    # the good archive still restores into that store
    assert cli(target, "restore", str(tmp_path / "b.tar")).exit_code == 0
    assert cli(target, "stats").output.splitlines()[0] == "items: 2"
