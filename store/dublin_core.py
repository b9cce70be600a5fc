"""An item's simple Dublin Core as XML text, made once when the item is written.

The text is the sequence of `<dc:…>` elements (prefix `dc` for http://purl.org/dc/elements/1.1/,
declared by whatever element contains them): the item's values in catalogue order, each with
xml:lang when its language tag is well formed, then the rights URI as one more dc:rights unless
a value already says it. Text is escaped exactly as lxml escapes text content (& < > and CR),
with the characters XML 1.0 forbids left out, so a container can join it byte for byte with
lxml's own serialisation. The OAI-PMH oai_dc records are this text inside `<oai_dc:dc>`.
The text is kept in item.dc_xml: changing how it is made needs a migration that rewrites that
column (as 0002 filled it), or old items keep the old text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from store.records import DC_ELEMENTS, DCValue
from store.xml_safety import clean_text

_LANG = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*", re.ASCII)


def clean(value: str) -> str:
    """The value without characters XML 1.0 forbids."""
    return clean_text(value)[0]


def language_tag(value: str | None) -> str | None:
    """The tag if it is a well-formed xml:lang value, else None."""
    return value if value and _LANG.fullmatch(value) else None


def escape_text(text: str) -> str:
    """Text content as lxml writes it: & < > escaped, CR as &#13;, forbidden characters out."""
    if text.isprintable() and "&" not in text and "<" not in text and ">" not in text:
        return text  # printable: no control, surrogate or non-character
    text = clean(text)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def element_xml(element: str, text: str, lang: str | None = None) -> str:
    """One `<dc:element>` with its text (and xml:lang if the tag is well formed)."""
    tag = language_tag(lang)
    attribute = f' xml:lang="{tag}"' if tag else ""
    return f"<dc:{element}{attribute}>{escape_text(text)}</dc:{element}>"


# What an item's access level means for its full text, said in every record (vi, en).
ACCESS_TEXTS: dict[str, tuple[str, str]] = {
    "open": ("Toàn văn: mở cho mọi người, trực tuyến", "Full text: open to everyone online"),
    "readers": ("Toàn văn: dành cho bạn đọc đã đăng nhập", "Full text: for signed-in readers"),
    "restricted": ("Toàn văn: không có trực tuyến", "Full text: not online"),
}


def access_xml(access: str) -> str:
    """The dc:rights texts saying how the full text of an item of this access level is read."""
    vi, en = ACCESS_TEXTS.get(access, ACCESS_TEXTS["restricted"])
    return element_xml("rights", vi, "vi") + element_xml("rights", en, "en")


def served_dc_xml(kept: str, rights_uri: str | None, default_rights: str, access: str) -> str:
    """What oai_dc serves of an item's kept dc_xml: the library's default statement when the
    item has none, then the access texts (the same as dc_xml of the record with the default)."""
    extra = element_xml("rights", default_rights) if default_rights and not rights_uri else ""
    return f"{kept}{extra}{access_xml(access)}"


def dc_xml(values: Iterable[DCValue], rights_uri: str | None) -> str:
    """The item's Dublin Core elements: its values, then its rights URI if not among them."""
    parts: list[str] = []
    rights: set[str] = set()
    for value in values:
        if value.element not in DC_ELEMENTS:
            continue
        parts.append(element_xml(value.element, value.value, value.lang))
        if value.element == "rights":
            rights.add(value.value)
    if rights_uri and rights_uri not in rights:
        parts.append(element_xml("rights", rights_uri))
    return "".join(parts)
