"""`thuvienso import`: find each file's format, read its records, write them in batches.

Records are written a batch per transaction (store.write.bulk); when a batch fails, its records are
written again one per transaction so that only the bad one is rejected. A killed import leaves
whole items only, and running it again finishes the job (upserts are idempotent by id).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from store.db import Store
from store.ingest.dc import read_dc
from store.ingest.entries import Delete, Entry, ReadContext, Reject, Upsert, valid_set_spec
from store.ingest.marc import read_iso2709, read_marcxml
from store.ingest.package import is_package, package_folders, read_packages
from store.records import ImportSummary
from store.write.bulk import bulk_delete, bulk_upsert
from store.write.items import validate

FORMATS = ("auto", "marc", "marcxml", "dc", "package")
BATCH_SIZE = 500
Reader = Callable[[Path, ReadContext], Iterator[Entry]]
READERS: dict[str, Reader] = {"marc": read_iso2709, "marcxml": read_marcxml, "dc": read_dc,
                              "package": read_packages}
MARC_SUFFIXES = (".mrc", ".marc", ".iso", ".iso2709", ".dat", ".out")


class ImportError_(Exception):  # noqa: N801 - the name web/cli.py imports
    """A user's mistake that stops the import before it starts (one sentence)."""


def detect_format(path: Path) -> str:
    """The format of a file or folder, from its content (and suffix for ISO 2709)."""
    if path.is_dir():
        if is_package(path) or package_folders(path):
            return "package"
        raise ImportError_(f"{path} is a folder without item packages (metadata files or images)")
    with open(path, "rb") as fh:
        head = fh.read(65536)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:5].isdigit() and len(stripped) >= 24:
        return "marc"
    if stripped.startswith(b"<") or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        if b"http://www.loc.gov/MARC21/slim" in head or b"<record" in head \
                and b"<leader" in head:
            return "marcxml"
        if b"http://www.openarchives.org/OAI/2.0/" in head \
                or b"http://purl.org/dc/elements/1.1/" in head:
            return "dc"  # oai_dc, or an OAI-PMH response of deletions only
    if path.suffix.lower() in MARC_SUFFIXES:
        return "marc"
    raise ImportError_(f"cannot tell the format of {path}; give it with --format "
                       "(marc, marcxml, dc or package)")


def _plan(paths: Iterable[Path], fmt: str) -> list[tuple[Path, str]]:
    if fmt not in FORMATS:
        raise ImportError_(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    plan = []
    for path in paths:
        if not path.exists():
            raise ImportError_(f"no such file or folder: {path}")
        if fmt == "auto":
            plan.append((path, detect_format(path)))
        elif (fmt == "package") != path.is_dir():
            raise ImportError_(f"{path} is {'a folder' if path.is_dir() else 'a file'}, "
                               f"not {'an item package' if fmt == 'package' else fmt}")
        else:
            plan.append((path, fmt))
    return plan


class _Writer:
    """Collects a file's entries into batches and writes them, counting the outcomes."""

    def __init__(self, store: Store, summary: ImportSummary, set_spec: str | None) -> None:
        self.store, self.summary, self.set_spec = store, summary, set_spec
        self.seen: dict[str, str] = {}
        self.batch: list[tuple[str, Upsert | Delete]] = []

    def reject(self, where: str, number: int, reason: str) -> None:
        self.summary.rejected += 1
        self.summary.problems.append(f"{where}: record {number}: {reason}")

    def add(self, where: str, entry: Entry) -> None:
        if isinstance(entry, Reject):
            self.reject(where, entry.number, entry.reason)
            return
        item_id = entry.item.item_id if isinstance(entry, Upsert) else entry.item_id
        if item_id in self.seen:
            self.reject(where, entry.number, f"id {item_id} was already given by "
                        f"{self.seen[item_id]} of this import")
            return
        if isinstance(entry, Upsert):
            try:
                validate(entry.item)
            except ValueError as error:
                self.reject(where, entry.number, str(error))
                return
        self.seen[item_id] = f"{where} record {entry.number}"
        if isinstance(entry, Upsert) and self.set_spec:
            entry = Upsert(entry.number, replace(entry.item, sets=(*entry.item.sets,
                                                                   self.set_spec)))
        self.batch.append((where, entry))
        if len(self.batch) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        batch, self.batch = self.batch, []
        if not batch:
            return
        try:
            with self.store.session() as session:
                outcomes = self._write(session, [entry for _, entry in batch])
        except (SQLAlchemyError, ValueError, OSError):
            outcomes = []
            for where, entry in batch:  # again one by one: reject only the bad records
                try:
                    with self.store.session() as session:
                        outcomes.extend(self._write(session, [entry]))
                except (OperationalError, InterfaceError) as error:  # the store, not the record
                    raise ImportError_("the store stopped taking writes: "
                                       f"{str(error.orig or error).splitlines()[0]}") from None
                except (SQLAlchemyError, ValueError, OSError) as error:
                    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
                    self.reject(where, entry.number, reason)
        for outcome in outcomes:
            setattr(self.summary, outcome, getattr(self.summary, outcome) + 1)

    def _write(self, session: Session, entries: list[Upsert | Delete]) -> list[str]:
        upserts = [e.item for e in entries if isinstance(e, Upsert)]
        outcomes: list[str] = list(bulk_upsert(session, upserts, self.store.settings.data_path))
        deletions = [e.item_id for e in entries if isinstance(e, Delete)]
        outcomes += ["deleted" if done else "unchanged" for done in
                     bulk_delete(session, deletions)]
        return outcomes


def _progress(enabled: bool):  # type: ignore[no-untyped-def]
    if not enabled:
        return contextlib.nullcontext(None)
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("records"), TimeElapsedColumn(), transient=True,
                    console=Console(stderr=True))


def run_import(store: Store, paths: list[Path], fmt: str = "auto", set_spec: str | None = None,
               id_prefix: str = "", progress: bool = False) -> ImportSummary:
    """Import files and folders into the store; the summary counts every record once."""
    if set_spec is not None and not valid_set_spec(set_spec):
        raise ImportError_(f"{set_spec!r} is not a valid setSpec (letters, digits, - _ . ! ~ * ' "
                           "( ), with ':' between levels)")
    plan = _plan(paths, fmt)
    summary = ImportSummary()
    writer = _Writer(store, summary, set_spec)
    ctx = ReadContext(id_prefix=id_prefix)
    with _progress(progress) as bar:
        for path, kind in plan:
            task = bar.add_task(path.name, total=None) if bar is not None else None
            for entry in READERS[kind](path, ctx):
                writer.add(str(path), entry)
                if bar is not None and task is not None:
                    bar.advance(task)
            writer.flush()
    summary.cleaned_chars = ctx.cleaned_chars
    return summary
