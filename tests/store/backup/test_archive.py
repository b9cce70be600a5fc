"""The backup archive refuses, before writing anything, whatever a thuvienso backup never holds:
links, absolute paths, `..`, unknown members, members unlike their manifest, a cut archive."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from store.backup import archive
from store.backup.archive import BackupError

SCAN = "data/images/ab/ab" + "0" * 62 + ".jpg"


def make(path: Path, members: list[tuple[tarfile.TarInfo, bytes]], listed: list[str] | None = None,
         **manifest: object) -> Path:
    """An archive of these members and a manifest listing `listed` (default: all of them)."""
    files = {i.name: [len(b), hashlib.sha256(b).hexdigest()] for i, b in members}
    if listed is not None:
        files = {n: files.get(n, [1, "0" * 64]) for n in listed}
    body = json.dumps({"format": "thuvienso-backup", "version": 1, "database": "sqlite",
                       "schema": None, "files": files, **manifest}).encode()
    with tarfile.open(path, "w") as tar:
        for info, data in [*members, (member("thuvienso-backup.json", body)[0], body)]:
            tar.addfile(info, io.BytesIO(data) if info.isfile() else None)
    return path


def member(name: str, data: bytes = b"bytes", kind: bytes = tarfile.REGTYPE,
           link: str = "") -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return info, data


def test_a_well_formed_archive_is_read_and_extracted_with_private_modes(tmp_path):
    path = make(tmp_path / "a.tar", [member("database.sqlite3"), member(archive.SECRET, b"k" * 64),
                                      member(SCAN, b"scan")])
    contents = archive.read(path)
    placed = archive.extract(contents, tmp_path / "out")
    assert placed[SCAN].read_bytes() == b"scan"
    assert placed[archive.SECRET].stat().st_mode & 0o777 == 0o600
    assert placed[SCAN].stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("bad, says", [
    (member("/etc/cron.d/x"), "no thuvienso backup holds"),
    (member("data/images/../../../etc/x"), "no thuvienso backup holds"),
    (member("data/images/ab/../../secret_key"), "no thuvienso backup holds"),
    (member("notes.txt"), "no thuvienso backup holds"),
    (member(SCAN, kind=tarfile.SYMTYPE, link="/etc/shadow"), "not a plain file"),
    (member(SCAN, kind=tarfile.LNKTYPE, link="database.sqlite3"), "not a plain file"),
    (member("data/images/ab", kind=tarfile.DIRTYPE), "not a plain file"),
    (member("data/dev", kind=tarfile.CHRTYPE), "not a plain file"),
    (member("database.pgdump"), "no thuvienso backup holds"),  # not this archive's database
])
def test_members_a_backup_never_holds_are_refused(tmp_path, bad, says):
    path = make(tmp_path / "a.tar", [member("database.sqlite3"), bad])
    with pytest.raises(BackupError, match=says):
        archive.read(path)


def test_an_archive_is_refused_when_its_members_differ_from_its_manifest(tmp_path):
    path = make(tmp_path / "a.tar", [member("database.sqlite3")],
                listed=["database.sqlite3", SCAN])
    with pytest.raises(BackupError, match="do not match its manifest"):
        archive.read(path)


def test_a_member_whose_bytes_differ_from_the_manifest_is_refused_on_extraction(tmp_path):
    info, _ = member(SCAN, b"scan")
    path = make(tmp_path / "a.tar", [member("database.sqlite3"), (info, b"SCAN")])
    contents = archive.read(path)
    contents.manifest["files"][SCAN][1] = hashlib.sha256(b"scan").hexdigest()
    with pytest.raises(BackupError, match="is damaged"):
        archive.extract(contents, tmp_path / "out")


@pytest.mark.parametrize("content, says", [
    (b"", "not a thuvienso backup"),
    (b"just some text\n" * 100, "not a thuvienso backup"),
])
def test_files_that_are_no_archive_are_refused(tmp_path, content, says):
    (tmp_path / "x.tar").write_bytes(content)
    with pytest.raises(BackupError, match=says):
        archive.read(tmp_path / "x.tar")


def test_a_foreign_tar_and_a_cut_archive_are_refused(tmp_path):
    foreign = tmp_path / "foreign.tar"
    with tarfile.open(foreign, "w") as tar:
        info, data = member("README")
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(BackupError, match="no manifest"):
        archive.read(foreign)
    whole = make(tmp_path / "a.tar", [member("database.sqlite3", b"d" * 20000)])
    cut = tmp_path / "cut.tar"
    cut.write_bytes(whole.read_bytes()[:15000])
    with pytest.raises(BackupError, match="not a thuvienso backup"):
        archive.read(cut)


def test_a_manifest_of_another_format_version_is_refused(tmp_path):
    path = make(tmp_path / "a.tar", [member("database.sqlite3")], version=2)
    with pytest.raises(BackupError, match="format version 2"):
        archive.read(path)


def test_writing_never_replaces_a_file_and_leaves_nothing_behind(tmp_path):
    (tmp_path / "a.tar").write_text("kept")
    with pytest.raises(BackupError, match="exists"), archive.writing(tmp_path / "a.tar") as w:
        w.finish(database="sqlite")
    assert (tmp_path / "a.tar").read_text() == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tar"]
