"""Shared pieces of the MODS 3.7 crosswalks: element names, the root, related items."""

from __future__ import annotations

from lxml import etree

from oai.ns import MODS, MODS_SCHEMA, SCHEMA_LOCATION, XLINK, XML_LANG, XSI, q
from oai.xmlutil import URL, language_tag, sub

NSMAP = {"mods": MODS, "xsi": XSI, "xlink": XLINK}
M = {name: q(MODS, name) for name in (
    "mods", "titleInfo", "title", "subTitle", "partNumber", "partName", "nonSort", "name",
    "namePart", "role", "roleTerm", "typeOfResource", "genre", "originInfo", "place",
    "placeTerm", "publisher", "dateIssued", "dateCreated", "edition", "language",
    "languageTerm", "physicalDescription", "form", "extent", "abstract", "tableOfContents",
    "note", "subject", "topic", "geographic", "temporal", "identifier", "location", "url",
    "accessCondition", "relatedItem", "recordInfo", "recordIdentifier", "recordChangeDate",
    "recordContentSource")}


def root(parent: etree._Element) -> etree._Element:
    """Append an empty <mods:mods version="3.7"> to parent."""
    mods = etree.SubElement(parent, M["mods"], nsmap=NSMAP, version="3.7")
    mods.set(SCHEMA_LOCATION, f"{MODS} {MODS_SCHEMA}")
    return mods


def lang(element: etree._Element, value: str | None) -> etree._Element:
    """Set xml:lang when the value is a well-formed language tag."""
    tag = language_tag(value)
    if tag:
        element.set(XML_LANG, tag)
    return element


def related(mods: etree._Element, value: str, kind: str | None = None) -> None:
    """A relatedItem pointing at a URL or naming a title."""
    item = sub(mods, M["relatedItem"], attrib={"type": kind} if kind else None)
    if URL.fullmatch(value):
        sub(sub(item, M["location"]), M["url"], value)
    else:
        sub(sub(item, M["titleInfo"]), M["title"], value)


