"""Typed, frozen records that cross the store's boundary (never live ORM objects)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

DC_ELEMENTS: tuple[str, ...] = (
    "title", "creator", "subject", "description", "publisher", "contributor", "date", "type",
    "format", "identifier", "source", "language", "relation", "coverage", "rights",
)
ACCESS_LEVELS: tuple[str, ...] = ("open", "readers", "restricted")
# An OAI-PMH setSpec: colon-separated parts of URI unreserved characters ("sach:lichsu"),
# except the parts "." and "..": a spec also names cache files and folders.
_SPEC_PART = r"(?!\.\.?(?::|$))[A-Za-z0-9\-_.!~*'()]+"
SET_SPEC = re.compile(f"{_SPEC_PART}(:{_SPEC_PART})*", re.ASCII)


_WHOLE_NUMBER = re.compile(r"[0-9]+", re.ASCII)


def whole_number(text: str) -> int | None:
    """The number an untrusted text of ASCII digits stands for, None for anything else
    (str.isdigit() accepts "²" and "①", which int() refuses)."""
    return int(text) if _WHOLE_NUMBER.fullmatch(text) else None


def valid_set_spec(spec: str) -> bool:
    """True for an OAI-PMH setSpec (`a:b` nests b in a) the store's column can hold."""
    return len(spec) <= 255 and SET_SPEC.fullmatch(spec) is not None


def set_lineage(spec: str) -> tuple[str, ...]:
    """The spec and every set above it, outermost first: `a:b:c` gives a, a:b, a:b:c.

    An item filed in a set is in each of these sets too.
    """
    parts = spec.split(":")
    return tuple(":".join(parts[:n]) for n in range(1, len(parts) + 1))


def utc_now() -> datetime:
    """Now in UTC, naive, to the second (the OAI-PMH datestamp granularity)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@dataclass(frozen=True, slots=True)
class DCValue:
    """One Dublin Core statement: element name (one of DC_ELEMENTS), text, optional language tag."""

    element: str
    value: str
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a harvested record came from (the OAI-PMH provenance of its re-exposure).

    Kept in item.origin as JSON; `harvested` is the provider's responseDate of the harvest.
    """

    base_url: str
    identifier: str
    datestamp: str
    metadata_namespace: str
    harvested: str

    def to_json(self) -> str:
        return json.dumps([self.base_url, self.identifier, self.datestamp,
                           self.metadata_namespace, self.harvested], ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | None) -> Origin | None:
        return cls(*json.loads(text)) if text else None


@dataclass(frozen=True, slots=True)
class PageInput:
    """A page to store: its order comes from its position in ItemInput.pages."""

    image_path: str  # absolute path of the source image file on disk
    width: int
    height: int
    label: str | None = None
    text: str | None = None
    checksum: str = ""  # sha256 of the image file, so a changed scan changes the datestamp
    boxes: str | None = None  # one `x,y,w,h` per whitespace-separated word of `text`


@dataclass(frozen=True, slots=True)
class ItemInput:
    """Everything an importer knows of one item; the store decides created/updated/unchanged."""

    item_id: str
    metadata: tuple[DCValue, ...] = ()
    sets: tuple[str, ...] = ()  # setSpecs; parents need not be listed
    pages: tuple[PageInput, ...] = ()
    access: str = "open"
    source_format: str | None = None  # "marc" when source_record is MARCXML
    source_record: str | None = None  # original record (MARCXML, UTF-8) for lossless export
    rights_uri: str | None = None
    viewing_direction: str = "left-to-right"
    behavior: str | None = None  # "paged" for books, else None
    subtitle: str | None = None  # 245 $b, searched with the title
    origin: Origin | None = None  # harvested records: where from


@dataclass(frozen=True, slots=True)
class SetInput:
    """A set to create or rename."""

    spec: str
    name: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class SetRecord:
    spec: str
    name: str
    description: str | None


@dataclass(frozen=True, slots=True)
class PageRecord:
    """A stored page; image_id is the IIIF Image API identifier."""

    image_id: str
    seq: int
    label: str | None
    width: int
    height: int
    image_path: str  # absolute path
    checksum: str
    text: str | None = None


class _Described:
    """What a record holding Dublin Core answers (its dataclass gives item_id and metadata)."""

    __slots__ = ()
    item_id: str
    metadata: tuple[DCValue, ...]

    def values(self, element: str) -> list[str]:
        """All values of one Dublin Core element, in order."""
        return [v.value for v in self.metadata if v.element == element]

    @property
    def title(self) -> str:
        titles = self.values("title")
        return titles[0] if titles else self.item_id


@dataclass(frozen=True, slots=True)
class MetadataRecord(_Described):
    """An item as a metadata record (what OAI-PMH serves): no pages, no display fields.

    `source_record` is read only when its reader asks for it (for the formats built from it).
    """

    item_id: str
    deleted: bool
    datestamp: datetime  # UTC, naive, to the second
    metadata: tuple[DCValue, ...]
    sets: tuple[str, ...]
    rights_uri: str | None
    page_count: int
    source_format: str | None
    source_record: str | None
    access: str = "open"
    edm_lacks: str | None = None  # the mandatory EDM rules it fails (store.europeana)
    origin: Origin | None = None  # harvested records: where from


@dataclass(frozen=True, slots=True)
class ItemRecord(_Described):
    """A whole stored item: metadata, sets, pages and how to show them."""

    item_id: str
    access: str
    deleted: bool
    created: datetime  # UTC, naive, to the second
    datestamp: datetime  # UTC, naive, to the second
    metadata: tuple[DCValue, ...] = ()
    sets: tuple[str, ...] = ()
    pages: tuple[PageRecord, ...] = ()
    source_format: str | None = None
    source_record: str | None = None
    rights_uri: str | None = None
    viewing_direction: str = "left-to-right"
    behavior: str | None = None
    subtitle: str | None = None
    page_count: int = 0
    has_text: bool = False  # some page has text (read even when the text itself is not)


@dataclass(frozen=True, slots=True)
class PageImage:
    """What the Image API needs to serve one image, and to gate it by access level."""

    image_id: str
    item_id: str
    access: str
    image_path: str  # absolute path of the source scan
    width: int
    height: int
    checksum: str
    datestamp: datetime


@dataclass(frozen=True, slots=True)
class ReaderRecord:
    """A reader account as the CLI, the portal and the session check see it."""

    login: str
    expires: date  # the last day the account is valid
    disabled: bool
    name: str | None = None
    email: str | None = None
    group: str | None = None
    session_version: int = 1

    def active_on(self, day: date) -> bool:
        return not self.disabled and day <= self.expires


@dataclass
class ImportSummary:
    """Counts of one import or harvest run."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: int = 0
    cleaned_chars: int = 0
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = (f"{self.imported} imported, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.deleted} deleted, {self.rejected} rejected")
        if self.cleaned_chars:
            text += f" ({self.cleaned_chars} characters forbidden in XML removed)"
        return text


@dataclass(frozen=True, slots=True)
class PageTextRecord:
    """A page's text and word boxes (one `x,y,w,h` per whitespace-separated word, or None)."""

    seq: int
    label: str | None
    width: int
    height: int
    text: str | None
    boxes: str | None


@dataclass(frozen=True, slots=True)
class ItemText:
    """An item's pages with their text, and what the access gate needs."""

    item_pk: int
    item_id: str
    access: str
    pages: tuple[PageTextRecord, ...]


@dataclass(frozen=True, slots=True)
class Completion:
    """A word to complete a query with: folded (what a search takes), how many times it
    stands on the pages, and its most frequent written form (what a reader reads)."""

    term: str
    count: int
    written: str
