"""Item packages: a folder per item with `metadata.json` or `metadata.csv` and page images.

Images (*.jpg, *.jpeg, *.tif, *.tiff, *.png) are the pages, sorted by name; a same-named text
file beside one is its page text: plain text, hOCR or ALTO (store.ingest.page_text). A page text
that cannot be read is reported as `FILE: page N: reason` and the item imported without it. A
folder of images alone is a package too: title from the folder name, access open. The item id
is the folder name. See docs/import-packages.md.

A package holds its own files: a symbolic link (the folder, an image, a text or a metadata
file) is refused, so that an import never publishes a file from elsewhere on the machine.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyvips

from store.ingest.entries import Entry, ReadContext, Reject, Upsert, lang_or_none, valid_set_spec
from store.ingest.ids import make_id
from store.ingest.page_text import PageText, read_page_text, text_file_of
from store.records import DC_ELEMENTS, DCValue, ItemInput, PageInput
from store.write.items import file_checksum
from store.xml_safety import clean_text

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".tif", ".tiff", ".png")
METADATA_FILES = ("metadata.json", "metadata.csv")
CSV_SEPARATOR = "||"
OTHER_KEYS = {"access", "sets", "rights_uri", "behavior", "viewing_direction", "pages",
              "subtitle", "lang"}
DIRECTIONS = ("left-to-right", "right-to-left", "top-to-bottom", "bottom-to-top")
BEHAVIORS = ("paged", "continuous", "individuals", "facing-pages", "non-paged", "unordered",
             "multi-part", "together", "auto-advance", "no-auto-advance", "repeat", "no-repeat")


def is_package(folder: Path) -> bool:
    """A folder with a metadata file or at least one page image."""
    return folder.is_dir() and any(
        p.name in METADATA_FILES or p.suffix.lower() in IMAGE_SUFFIXES for p in folder.iterdir())


def package_folders(path: Path) -> list[Path]:
    """The package itself, or the packages directly inside a folder of packages."""
    if is_package(path):
        return [path]
    return sorted(p for p in path.iterdir() if is_package(p))


def own_file(folder: Path, path: Path) -> Path:
    """`path`, a file of the package `folder`; ValueError (`NAME: reason`) for a symbolic link
    or anything resolving outside the folder."""
    if path.is_symlink():
        raise ValueError(f"{path.name}: a symbolic link, not a file of the package")
    if not path.resolve().is_relative_to(folder.resolve()):
        raise ValueError(f"{path.name}: outside the package folder")
    return path


def _as_list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def _one(data: dict[str, Any], key: str) -> str | None:
    """The first value of a non-Dublin Core key, as a trimmed string."""
    values = _as_list(data.get(key))
    return str(values[0]).strip() or None if values else None


def _read_metadata(folder: Path) -> dict[str, Any]:
    for name in METADATA_FILES:
        if (folder / name).is_symlink():
            own_file(folder, folder / name)
    if (folder / "metadata.json").exists():
        data = json.loads((folder / "metadata.json").read_text(encoding="utf-8-sig"))
        if not isinstance(data, dict):
            raise ValueError("metadata.json must hold one JSON object")
        return data
    if (folder / "metadata.csv").exists():
        with open(folder / "metadata.csv", encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        if len(rows) != 2 or len(rows[0]) != len(rows[1]):
            raise ValueError("metadata.csv must hold one header row and one row of values")
        row: dict[str, Any] = {}
        for key, cell in zip(rows[0], rows[1], strict=True):
            values = [v.strip() for v in cell.split(CSV_SEPARATOR) if v.strip()]
            row.setdefault(key.strip(), []).extend(values)
        return row
    return {}


def _dc_values(data: dict[str, Any], ctx: ReadContext) -> list[DCValue]:
    unknown = sorted(k for k in data if k not in DC_ELEMENTS and k not in OTHER_KEYS
                     and k != "rights")
    if unknown:
        raise ValueError(f"unknown metadata key {unknown[0]!r}")
    default_lang = lang_or_none(_as_list(data.get("lang"))[0] if data.get("lang") else None)
    out = []
    for element in DC_ELEMENTS:
        for value in _as_list(data.get(element)):
            lang = default_lang
            if isinstance(value, dict):
                value, lang = value.get("value", ""), lang_or_none(value.get("lang"))
            text, removed = clean_text(" ".join(str(value).split()))
            ctx.cleaned_chars += removed
            if text:
                out.append(DCValue(element, text, lang))
    return out


def _pages(folder: Path, labels: list[Any], ctx: ReadContext) -> list[PageInput]:
    images = sorted(p for p in folder.iterdir() if (p.is_file() or p.is_symlink())
                    and not p.name.startswith(".")
                    and p.suffix.lower() in IMAGE_SUFFIXES)  # "._x.jpg": macOS metadata
    pages = []
    for n, image in enumerate(images):
        own_file(folder, image)
        try:
            header = pyvips.Image.new_from_file(str(image), access="sequential")
            width, height = header.width, header.height
        except pyvips.Error as error:
            raise ValueError(f"{image.name} is not a readable image "
                             f"({str(error).splitlines()[0]})") from None
        text = _page_text(folder, image, n + 1, width, height, ctx)
        label = clean_text(str(labels[n]))[0] if n < len(labels) else str(n + 1)
        pages.append(PageInput(str(image.resolve()), width, height, label,
                               text.text or None if text else None, file_checksum(image),
                               text.boxes if text else None))
    return pages


def _page_text(folder: Path, image: Path, number: int, width: int, height: int,
               ctx: ReadContext) -> PageText | None:
    """The text of page `number`, None when it has none or it cannot be read (a problem)."""
    path = text_file_of(image)
    if path is None:
        return None
    own_file(folder, path)  # a link is refused with the whole package, as for images
    try:
        return read_page_text(path, width, height)
    except (ValueError, OSError) as error:
        ctx.problems.append(f"{path}: page {number}: {error}")
        return None


def package_item(folder: Path, ctx: ReadContext) -> ItemInput:
    """The item of one package folder; ValueError for anything wrong in it."""
    if folder.is_symlink():
        raise ValueError(f"{folder.name}: a symbolic link, not a package folder")
    item_id = make_id(folder.resolve().name, ctx.id_prefix)
    if item_id is None:
        raise ValueError("the folder name gives no usable item id")
    data = _read_metadata(folder)
    metadata = _dc_values(data, ctx)
    if not any(v.element == "title" for v in metadata):
        metadata.insert(0, DCValue("title", folder.resolve().name.replace("_", " ")))
    rights = [v.value for v in metadata if v.element == "rights"
              and v.value.startswith(("http://", "https://"))]
    direction = _one(data, "viewing_direction") or "left-to-right"
    if direction not in DIRECTIONS:
        raise ValueError(f"viewing_direction must be one of {', '.join(DIRECTIONS)}")
    behavior = _one(data, "behavior")
    if behavior is not None and behavior not in BEHAVIORS:
        raise ValueError(f"behavior must be one of {', '.join(BEHAVIORS)}")
    sets = tuple(str(s).strip() for s in _as_list(data.get("sets")))
    bad = [s for s in sets if not valid_set_spec(s)]
    if bad:
        raise ValueError(f"{bad[0]!r} is not a valid setSpec")
    rights_uri = _one(data, "rights_uri") or (rights[0] if rights else None)
    if rights_uri and len(rights_uri) > 512:
        raise ValueError("rights_uri is longer than 512 characters")
    subtitle = _one(data, "subtitle")
    return ItemInput(
        item_id=item_id, metadata=tuple(metadata), sets=sets,
        pages=tuple(_pages(folder, _as_list(data.get("pages")), ctx)),
        access=_one(data, "access") or "open", rights_uri=rights_uri,
        viewing_direction=direction, behavior=behavior,
        subtitle=clean_text(subtitle)[0] if subtitle else None)


def read_packages(path: Path, ctx: ReadContext) -> Iterator[Entry]:
    """Entries of a package folder or of a folder of package folders."""
    for number, folder in enumerate(package_folders(path), start=1):
        try:
            yield Upsert(number, package_item(folder, ctx))
        except (ValueError, OSError, UnicodeDecodeError) as error:
            yield Reject(number, f"package {folder.name}: {error}")
