"""Safe XML reading: no entities, no DTDs, no network, no huge trees; forbidden characters out.

Every XML file the importers read goes through `clean_xml_bytes` and then `safe_iterparse`.
A document type declaration is refused outright (a catalogue record never needs one, and that is
where external entities and entity-expansion bombs live), so nothing is ever expanded or fetched.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from lxml import etree

# XML 1.0 allows #x9 #xA #xD, #x20-#xD7FF, #xE000-#xFFFD, #x10000-#x10FFFF.
_FORBIDDEN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# In UTF-8 (or any ASCII-compatible single-byte encoding) the C0 controls are single bytes,
# U+FFFE/U+FFFF are EF BF BE/BF; character references to them are rejected by parsers too.
_FORBIDDEN_BYTES = re.compile(
    rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]"
    rb"|&#(?:x0*(?:[0-8bcef]|1[0-9a-f]|d[89a-f][0-9a-f]{2}|fff[ef])"
    rb"|0*(?:[0-8]|1[124-9]|2[0-9]|3[01]|5[5-7][0-9]{3}|6553[45]));",
    re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_DOCTYPE_SPAN = len(b"<!DOCTYPE") - 1  # bytes of a chunk kept to search with the next one


class UnsafeXML(ValueError):
    """A document that declares a DTD or entities; it is refused, never expanded."""


def clean_text(value: str) -> tuple[str, int]:
    """A text without the characters XML 1.0 forbids, and how many were removed."""
    cleaned, count = _FORBIDDEN_TEXT.subn("", value)
    return cleaned, count


def clean_xml_bytes(data: bytes) -> tuple[bytes, int]:
    """The document without forbidden characters (raw or as character references), and a count.

    Raises UnsafeXML for a document with a DOCTYPE or an ENTITY declaration.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = data.decode("utf-16").encode("utf-8")
        data = re.sub(rb"^(<\?xml[^>]*?encoding=[\"'])utf-16([\"'])", rb"\1UTF-8\2", data,
                      flags=re.IGNORECASE)
    cleaned, count = _FORBIDDEN_BYTES.subn(b"", data)
    if _DOCTYPE.search(cleaned):  # after cleaning: "<!DOC\x01TYPE" is a declaration then
        raise UnsafeXML("a document type declaration (DTD or entities) is not allowed")
    return cleaned, count


class CleanStream:
    """A file read as a cleaned XML stream: forbidden characters removed (and counted),
    DOCTYPE and ENTITY declarations refused, without holding the whole file in memory."""

    HOLD = 12  # longest forbidden character reference, "&#x0000FFFE;" less one

    def __init__(self, fh: BinaryIO, chunk: int = 1 << 20) -> None:
        self.fh, self.chunk, self.removed = fh, chunk, 0
        self._pending, self._out, self._done = b"", b"", False
        self._tail = b""  # the end of the last chunk: a declaration may straddle two
        head = fh.read(max(chunk, 1 << 16))
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: rare, done in memory
            head, self.removed = clean_xml_bytes(head + fh.read())
            self._out, self._done = head, True
        else:
            self._pending = head

    def _fill(self) -> None:
        block = self.fh.read(self.chunk)
        data, self._pending = self._pending + block, b""
        if block:
            amp = data.rfind(b"&", max(0, len(data) - self.HOLD))
            if amp != -1 and b";" not in data[amp:]:
                data, self._pending = data[:amp], data[amp:]
            elif data.endswith((b"\xef", b"\xef\xbf")):
                keep = 1 if data.endswith(b"\xef") else 2
                data, self._pending = data[:-keep], data[-keep:]
        else:
            self._done = True
        cleaned, count = _FORBIDDEN_BYTES.subn(b"", data)
        searched = self._tail + cleaned  # what the parser reads, across the chunk boundary
        if _DOCTYPE.search(searched):
            raise UnsafeXML("a document type declaration (DTD or entities) is not allowed")
        self._tail = searched[-_DOCTYPE_SPAN:]
        self.removed += count
        self._out += cleaned

    def read(self, size: int = -1) -> bytes:
        """Up to `size` cleaned bytes (all that is left when size < 0)."""
        while not self._done and (size < 0 or len(self._out) < size):
            self._fill()
        if size < 0:
            size = len(self._out)
        data, self._out = self._out[:size], self._out[size:]
        return data


def safe_parser() -> etree.XMLParser:
    """An lxml parser that resolves no entities, loads no DTD and never uses the network."""
    return etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True,
                           dtd_validation=False, huge_tree=False, remove_comments=True,
                           remove_pis=True)


def safe_fromstring(data: bytes) -> etree._Element:
    """Parse a small, already cleaned document safely."""
    if _DOCTYPE.search(data):
        raise UnsafeXML("a document type declaration (DTD or entities) is not allowed")
    return etree.fromstring(data, safe_parser())


def safe_iterparse(data: bytes | CleanStream,
                   tags: Iterable[str]) -> Iterator[etree._Element]:
    """Elements with these (Clark-notation) tags as they end; the caller frees them."""
    if isinstance(data, bytes):
        if _DOCTYPE.search(data):
            raise UnsafeXML("a document type declaration (DTD or entities) is not allowed")
        data = CleanStream(io.BytesIO(data))
    context = etree.iterparse(data, events=("end",), tag=list(tags),
                              resolve_entities=False, load_dtd=False, no_network=True,
                              huge_tree=False, remove_comments=True, remove_pis=True)
    for _event, element in context:
        yield element


def safe_html_fromstring(data: bytes) -> etree._Element:
    """Parse HTML or XHTML (hOCR) with libxml2's HTML parser: a DOCTYPE is read as a name only,
    no DTD or entity is loaded, nothing is fetched."""
    parser = etree.HTMLParser(no_network=True, remove_comments=True, remove_pis=True,
                              huge_tree=False, encoding="utf-8")
    root = etree.fromstring(data, parser)
    if root is None:
        raise ValueError("an empty HTML document")
    return root
