"""`thuvienso import`: find each file's format, read its records, hand them to the batch writer.

The format readers (marc, dc, package) turn each file into entries; the shared batch writer
(store.ingest.batch) writes them a batch per transaction, rejects only the bad records (as
`FILE: record N: reason`, and a second record of this import for an id it already gave) and
counts the rest. A killed import leaves whole items only; a store that stops answering stops
the import at once (StoreUnavailable). Either way, running the same import again finishes the
job: upserts are idempotent by id, and an unchanged record keeps its datestamp.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from store.db import Store
from store.ingest.batch import BatchWriter
from store.ingest.dc import read_dc
from store.ingest.entries import Entry, ReadContext, Upsert, valid_set_spec
from store.ingest.marc import read_iso2709, read_marcxml
from store.ingest.package import is_package, package_folders, read_packages
from store.records import ImportSummary

FORMATS = ("auto", "marc", "marcxml", "dc", "package")
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


def run_import(store: Store, paths: list[Path], fmt: str = "auto", set_spec: str | None = None,
               id_prefix: str = "", access: str | None = None,
               on_progress: Callable[[str, int, int | None], None] | None = None
               ) -> ImportSummary:
    """Import files and folders into the store; the summary counts every record once.

    `access` sets every item's access level (else each record's own: a package's `access`,
    open for the rest). `on_progress(file name, records, None)` is told as each batch is
    written. Raises ImportError_ for a mistake found before anything is written,
    StoreUnavailable when the store fails.
    """
    if set_spec is not None and not valid_set_spec(set_spec):
        raise ImportError_(f"{set_spec!r} is not a valid setSpec (letters, digits, - _ . ! ~ * ' "
                           "( ), with ':' between levels)")
    plan = _plan(paths, fmt)
    summary = ImportSummary()
    writer = BatchWriter(store, summary, repeated_id="reject",
                         on_progress=None if on_progress is None else
                         lambda where, done: on_progress(Path(where).name, done, None))
    ctx = ReadContext(id_prefix=id_prefix)
    for path, kind in plan:
        for entry in READERS[kind](path, ctx):
            if set_spec and isinstance(entry, Upsert):
                entry = Upsert(entry.number, replace(entry.item,
                                                     sets=(*entry.item.sets, set_spec)))
            if access and isinstance(entry, Upsert):
                entry = Upsert(entry.number, replace(entry.item, access=access))
            writer.add(str(path), entry)
        writer.flush()
    writer.settle()
    summary.cleaned_chars = ctx.cleaned_chars
    summary.problems.extend(ctx.problems)
    return summary
