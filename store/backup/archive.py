"""The backup archive: a tar of named members and, last, a manifest listing each with its size
and sha256.

Only these members may be in it: the manifest, the database (`database.sqlite3` or
`database.pgdump`), `data/secret_key` and the scans (`data/images/ab/{sha256}{.suffix}`).
Reading checks every member before anything is written: a regular file (no links, devices or
folders), a name of that list (so no absolute path and no `..`), listed in the manifest, and
each one's bytes against the manifest as it is extracted. The manifest comes last, so an archive
cut short has none and is refused whole.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import tarfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

MANIFEST = "thuvienso-backup.json"
FORMAT = "thuvienso-backup"
VERSION = 1
DATABASE = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
SECRET = "data/secret_key"  # noqa: S105 - the member name, not a secret
IMAGES = "data/images"
# The scans are content-addressed (store.write.items.store_image): the name is the hash.
_IMAGE = re.compile(r"data/images/([0-9a-f]{2})/\1[0-9a-f]{62}(\.[A-Za-z0-9_~+-]{0,16})?")
_BLOCK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot be done, as one sentence for the user."""


@dataclass(frozen=True)
class Contents:
    """A checked archive: its manifest, and the members to extract."""

    path: Path
    manifest: dict[str, Any]

    @property
    def database(self) -> str:
        return str(self.manifest["database"])

    @property
    def schema(self) -> str | None:
        return self.manifest.get("schema")

    @property
    def files(self) -> dict[str, list[Any]]:
        return dict(self.manifest["files"])


def is_allowed(name: str, database: str | None = None) -> bool:
    """Whether a member of this name may be in an archive (of this database, if given)."""
    databases = DATABASE.values() if database is None else [DATABASE[database]]
    return name in databases or name == SECRET or _IMAGE.fullmatch(name) is not None


class _Hashing:
    """A file read through, its sha256 kept on the way."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh, self.digest = fh, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        self.digest.update(data)
        return data


class Writer:
    """Members added one by one, the manifest written last by `finish`."""

    def __init__(self, tar: tarfile.TarFile) -> None:
        self.tar = tar
        self.files: dict[str, list[Any]] = {}

    def add(self, name: str, source: Path) -> int:
        """Add a file under `name`; its size in bytes."""
        if not is_allowed(name):
            raise ValueError(f"not a backup member: {name}")
        with open(source, "rb") as fh:
            info = _info(name, os.fstat(fh.fileno()).st_size)
            hashing = _Hashing(fh)
            self.tar.addfile(info, hashing)  # type: ignore[arg-type]
        self.files[name] = [info.size, hashing.digest.hexdigest()]
        return info.size

    def finish(self, **fields: Any) -> None:
        body = json.dumps({"format": FORMAT, "version": VERSION, **fields, "files": self.files},
                          ensure_ascii=False, indent=1).encode()
        self.tar.addfile(_info(MANIFEST, len(body)), io.BytesIO(body))


def _info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, 0
    return info


@contextlib.contextmanager
def writing(path: Path) -> Iterator[Writer]:
    """A new archive at `path`, readable by its owner only (it holds the secret key and the
    readers' password hashes); it appears whole or not at all, and never replaces a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        raise BackupError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            with tarfile.open(fileobj=fh, mode="w", format=tarfile.PAX_FORMAT) as tar:
                yield Writer(tar)
            fh.flush()
            os.fsync(fh.fileno())
        os.link(tmp, path)  # fails if the file appeared meanwhile: never overwritten
    except FileExistsError:
        raise BackupError(f"{path} exists: give the backup a new file name") from None
    except OSError as error:
        raise BackupError(f"cannot write {path}: {error.strerror or error}") from None
    finally:
        tmp.unlink(missing_ok=True)


UNREADABLE = (tarfile.TarError, EOFError, zlib.error, OSError, UnicodeError, ValueError)


def read(path: Path) -> Contents:
    """The archive's manifest, once every member has been checked; BackupError otherwise."""
    try:
        with tarfile.open(path, "r:*") as tar:
            members = tar.getmembers()
            manifest = _manifest(tar, members, path)
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file") from None
    except BackupError:
        raise
    except UNREADABLE as error:
        reason = str(error).splitlines()[0].rstrip(":") or type(error).__name__
        raise BackupError(f"{path} is not a thuvienso backup, or it is damaged ({reason})"
                          ) from None
    names = [m.name for m in members if m.name != MANIFEST]
    for member in members:
        if not member.isfile():
            raise BackupError(f"{path}: refused, {member.name!r} is not a plain file "
                              "(links, folders and devices are never in a backup)")
    listed = manifest["files"]
    for name in names:
        if not is_allowed(name, manifest["database"]) or name not in listed:
            raise BackupError(f"{path}: refused, it holds {name!r}, which no thuvienso backup "
                              "holds")
    if len(set(names)) != len(names) or set(names) != set(listed):
        raise BackupError(f"{path}: refused, its members do not match its manifest")
    if DATABASE[manifest["database"]] not in listed:
        raise BackupError(f"{path}: refused, it holds no database")
    return Contents(path, manifest)


def _manifest(tar: tarfile.TarFile, members: list[tarfile.TarInfo], path: Path
              ) -> dict[str, Any]:
    found = [m for m in members if m.name == MANIFEST and m.isfile()]
    if len(found) != 1 or found[0].size > 64 * 1024**2:
        raise BackupError(f"{path} is not a thuvienso backup, or it was cut short (no manifest)")
    stream = tar.extractfile(found[0])
    manifest = json.loads(stream.read()) if stream else None
    if (not isinstance(manifest, dict) or manifest.get("format") != FORMAT
            or manifest.get("database") not in DATABASE
            or not isinstance(manifest.get("files"), dict)):
        raise BackupError(f"{path} is not a thuvienso backup (its manifest is not one)")
    if manifest.get("version") != VERSION:
        raise BackupError(f"{path} is a backup of format version {manifest.get('version')}; "
                          f"this thuvienso reads version {VERSION}")
    return manifest


def extract(contents: Contents, folder: Path) -> dict[str, Path]:
    """Every member below `folder` (which must be new and private), each checked against the
    manifest; where each went, by member name."""
    out: dict[str, Path] = {}
    try:
        with tarfile.open(contents.path, "r:*") as tar:
            for member in tar:
                if member.name == MANIFEST:
                    continue
                size, digest = contents.files[member.name]
                target = folder / member.name
                target.parent.mkdir(mode=0o750, parents=True, exist_ok=True)
                stream = tar.extractfile(member)
                if stream is None:
                    raise BackupError(f"{contents.path}: {member.name} cannot be read")
                got = _copy(stream, target, 0o600 if member.name == SECRET else 0o640)
                if got != (size, digest):
                    raise BackupError(f"{contents.path} is damaged: {member.name} does not hold "
                                      "what its manifest says")
                out[member.name] = target
    except BackupError:
        raise
    except UNREADABLE as error:
        raise BackupError(f"{contents.path} is damaged ({error})") from None
    return out


def _copy(stream: IO[bytes], target: Path, mode: int) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with open(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode), "wb") as fh:
        for block in iter(lambda: stream.read(_BLOCK), b""):
            digest.update(block)
            size += len(block)
            fh.write(block)
    return size, digest.hexdigest()
