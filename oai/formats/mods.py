"""mods: MODS 3.7, after the Library of Congress crosswalks (DC to MODS, MARC to MODS)."""

from __future__ import annotations

import re

from lxml import etree

from oai.formats.mods_base import M, related, root
from oai.formats.mods_base import lang as _lang
from oai.formats.mods_marc import mods_from_marc
from oai.marcxml import parse_source
from oai.ns import MODS, MODS_SCHEMA, XLINK, XML_LANG, q
from oai.xmlutil import URL, sub
from store.dublin_core import ACCESS_TEXTS
from store.records import MetadataRecord
from store.rights import statement

PREFIX = "mods"
SCHEMA = MODS_SCHEMA
NAMESPACE = MODS
NEEDS_SOURCE = True
# DCMI Type vocabulary to MODS typeOfResource (LoC DC-to-MODS crosswalk)
_RESOURCE_TYPES = {
    "text": "text", "image": "still image", "stillimage": "still image",
    "movingimage": "moving image", "sound": "sound recording",
    "physicalobject": "three dimensional object", "software": "software, multimedia",
    "dataset": "software, multimedia", "interactiveresource": "software, multimedia",
    "collection": "mixed material",
}
_DATE_LIKE = re.compile(r"[0-9]{3,4}([-/][0-9]{1,2}){0,2}([-/ ]+[0-9]{3,4}([-/][0-9]{1,2}){0,2})?")
_LANG_CODE = re.compile(r"[a-z]{3}", re.ASCII)


def item_links(mods: etree._Element, record: MetadataRecord, manifest: str | None) -> None:
    """Rights URI, IIIF manifest URL and record info, shared by both crosswalks."""
    if record.rights_uri:
        found = statement(record.rights_uri)
        sub(mods, M["accessCondition"], found.name if found else record.rights_uri,
            {"type": "use and reproduction", q(XLINK, "href"): record.rights_uri})
    vi, en = ACCESS_TEXTS.get(record.access, ACCESS_TEXTS["restricted"])
    for text, language in ((vi, "vi"), (en, "en")):
        sub(mods, M["accessCondition"], text, {"type": "restriction on access", XML_LANG: language})
    if manifest:
        sub(sub(mods, M["location"]), M["url"], manifest,
            {"access": "object in context", "usage": "primary display",
             "displayLabel": "IIIF Manifest"})
    info = sub(mods, M["recordInfo"])
    sub(info, M["recordIdentifier"], record.item_id)
    sub(info, M["recordChangeDate"], record.datestamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
        {"encoding": "iso8601"})


def mods_from_dc(parent: etree._Element, record: MetadataRecord, manifest: str | None) -> None:
    """The LoC Dublin Core to MODS crosswalk of an item."""
    mods = root(parent)
    origin: etree._Element | None = None
    for value in record.metadata:
        text, element = value.value, value.element
        if element == "title":
            _lang(sub(sub(mods, M["titleInfo"]), M["title"], text), value.lang)
        elif element in ("creator", "contributor"):
            name = sub(mods, M["name"])
            _lang(sub(name, M["namePart"], text), value.lang)
            if element == "creator":
                role = sub(name, M["role"])
                sub(role, M["roleTerm"], "creator", {"type": "text"})
        elif element == "subject":
            _lang(sub(sub(mods, M["subject"]), M["topic"], text), value.lang)
        elif element == "description":
            _lang(sub(mods, M["abstract"], text), value.lang)
        elif element in ("publisher", "date"):
            if origin is None:
                origin = sub(mods, M["originInfo"])
            sub(origin, M["publisher"] if element == "publisher" else M["dateIssued"], text)
        elif element == "type":
            kind = _RESOURCE_TYPES.get(text.lower().replace(" ", ""))
            if kind:
                sub(mods, M["typeOfResource"], kind)
            else:
                _lang(sub(mods, M["genre"], text), value.lang)
        elif element == "format":
            sub(sub(mods, M["physicalDescription"]), M["form"], text)
        elif element == "identifier":
            sub(mods, M["identifier"], text, {"type": "uri"} if URL.fullmatch(text) else None)
        elif element == "source":
            related(mods, text, "original")
        elif element == "language":
            language = sub(mods, M["language"])
            if _LANG_CODE.fullmatch(text):
                sub(language, M["languageTerm"], text,
                    {"type": "code", "authority": "iso639-2b"})
            else:
                sub(language, M["languageTerm"], text, {"type": "text"})
        elif element == "relation":
            related(mods, text)
        elif element == "coverage":
            place = M["temporal"] if _DATE_LIKE.fullmatch(text) else M["geographic"]
            sub(sub(mods, M["subject"]), place, text)
        elif element == "rights":
            _lang(sub(mods, M["accessCondition"], text), value.lang)
    item_links(mods, record, manifest)


def build(parent: etree._Element, record: MetadataRecord, manifest: str | None) -> None:
    """Append <mods:mods> of the record to parent (from its MARC record when it has one)."""
    if record.source_format == "marc" and record.source_record:
        marc = parse_source(record.source_record)
        if marc is not None:
            mods_from_marc(root(parent), marc)
            item_links(parent[-1], record, manifest)
            return
    mods_from_dc(parent, record, manifest)
