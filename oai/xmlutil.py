"""Small helpers for text going into XML: strip what XML 1.0 cannot carry, check language tags."""

from __future__ import annotations

import re

from lxml import etree

NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LANG = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*", re.ASCII)
URL = re.compile(r"https?://\S+", re.ASCII | re.IGNORECASE)


def clean(value: str) -> str:
    """The value without characters XML 1.0 forbids."""
    return NOT_XML.sub("", value) if NOT_XML.search(value) else value


def language_tag(value: str | None) -> str | None:
    """The tag if it is a well-formed xml:lang value, else None."""
    return value if value and _LANG.fullmatch(value) else None


def safe_parser() -> etree.XMLParser:
    """An XML parser that never resolves entities, reaches the network or grows huge trees."""
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                           load_dtd=False, remove_comments=True, remove_pis=True)


def sub(parent: etree._Element, tag: str, text: str | None = None,
        attrib: dict[str, str] | None = None) -> etree._Element:
    """Append a child element with optional text and attributes."""
    child = etree.SubElement(parent, tag, attrib) if attrib else etree.SubElement(parent, tag)
    if text is not None:
        child.text = clean(text)
    return child
