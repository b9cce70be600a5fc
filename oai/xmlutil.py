"""Small helpers for text going into XML: strip what XML 1.0 cannot carry, check language tags."""

from __future__ import annotations

import re

from lxml import etree

from store.dublin_core import clean, language_tag

__all__ = ["URL", "clean", "language_tag", "safe_parser", "sub"]

URL = re.compile(r"https?://\S+", re.ASCII | re.IGNORECASE)


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
