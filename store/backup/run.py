"""`thuvienso backup FILE` and `thuvienso restore FILE`.

A backup holds the database and the data dir's originals: the scans and the secret key (it signs
resumption tokens and sessions). The derived files (pyramids, tiles, cached documents) are left
out: they are made again on demand, the same. The database is copied first: every scan it names
was written before its row was committed, so it is on disk when the scans are copied next.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic.util.exc import CommandError

from store.backup import archive, database
from store.backup.archive import BackupError
from store.db import Store
from store.schema.migrate import current_revision, known_revision, upgrade
from store.settings import Settings
from store.write.items import IMAGE_DIR


@dataclass(frozen=True)
class Done:
    """What a backup or a restore handled, for its summary line."""

    scans: int
    scan_bytes: int
    secret_key: bool
    database: str

    def line(self, verb: str) -> str:
        key = "the secret key" if self.secret_key else "no secret key file (keep " \
              "THUVIENSO_SECRET_KEY: resumption tokens and sessions need it)"
        return (f"{verb}: the {self.database} database, {self.scans} scans "
                f"({self.scan_bytes / 1024**2:.1f} MB), {key}")


def backup(store: Store, file: Path) -> Done:
    """Write the archive `file` (a new file) of this store, while it keeps working."""
    data = store.settings.data_path
    url = store.settings.sqlalchemy_url
    kind = database.kind(url)
    schema = current_revision(store.engine)
    scans, total = 0, 0
    with tempfile.TemporaryDirectory(prefix="thuvienso-backup-") as folder:
        dumped = Path(folder) / archive.DATABASE[kind]
        database.dump(url, dumped)  # first: see the module's docstring
        with archive.writing(file) as writer:
            writer.add(archive.DATABASE[kind], dumped)
            secret = data / "secret_key"
            if secret.is_file():
                writer.add(archive.SECRET, secret)
            for path in _scans(data / IMAGE_DIR):
                total += writer.add(f"{archive.IMAGES}/{path.relative_to(data / IMAGE_DIR)}",
                                    path)
                scans += 1
            writer.finish(database=kind, schema=schema,
                          created=datetime.now(UTC).isoformat(timespec="seconds"))
    return Done(scans, total, secret.is_file(), kind)


def _scans(folder: Path) -> list[Path]:
    """The scans kept in the data dir (not the temporary files of a copy under way)."""
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.glob("*/*")
                  if path.is_file() and not path.name.startswith(".")
                  and archive.is_allowed(f"{archive.IMAGES}/{path.relative_to(folder)}"))


def restore(settings: Settings, file: Path) -> Done:
    """Fill an empty store (database and data dir) from the archive `file`."""
    contents = archive.read(file)  # every member checked before anything is written
    kind = database.kind(settings.sqlalchemy_url)
    if contents.database != kind:
        raise BackupError(f"{file} holds a {contents.database} database, and THUVIENSO_"
                          f"DATABASE_URL names {kind}: restore it into {contents.database}")
    if contents.schema is not None and not known_revision(contents.schema):
        raise BackupError(f"{file} was made by a newer thuvienso (schema {contents.schema}): "
                          "upgrade this one first")
    data = settings.data_path
    store = Store(settings)
    try:
        _refuse_filled(store, data, contents.schema)
        store.dispose()
        staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=data))
        try:
            placed = archive.extract(contents, staging)
            database.load(settings.sqlalchemy_url, placed[archive.DATABASE[kind]])
            if (staging / archive.IMAGES).is_dir():
                shutil.rmtree(data / IMAGE_DIR, ignore_errors=True)  # checked empty above
                os.replace(staging / archive.IMAGES, data / IMAGE_DIR)
            if archive.SECRET in placed:
                os.replace(placed[archive.SECRET], data / "secret_key")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        try:
            upgrade(store.engine)  # an archive of an older version: its schema brought up
        except CommandError as error:
            raise BackupError(f"the restored schema cannot be upgraded: {error}") from None
    finally:
        store.dispose()
    scans = [s for s in contents.files if s.startswith(archive.IMAGES + "/")]
    return Done(len(scans), sum(contents.files[s][0] for s in scans),
                archive.SECRET in contents.files, kind)


def _refuse_filled(store: Store, data: Path, schema: str | None) -> None:
    """A restore goes into an empty store only: nothing it holds is ever overwritten."""
    images = data / IMAGE_DIR
    if not database.is_empty(store.engine) or any(p.is_file() for p in images.rglob("*")):
        raise BackupError("the store is not empty: restore only into an empty database and an "
                          "empty data dir (THUVIENSO_DATABASE_URL, THUVIENSO_DATA_DIR)")
    if (store.engine.dialect.name == "postgresql" and database.has_tables(store.engine)
            and current_revision(store.engine) != schema):
        raise BackupError(f"the database was initialised at schema "
                          f"{current_revision(store.engine)}, the backup holds schema {schema}: "
                          "restore into a new database (createdb), never initialised")
