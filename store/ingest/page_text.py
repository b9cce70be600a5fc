"""Page text beside a page image: plain text, hOCR or ALTO (v2–v4), recognised by content.

A page's text is kept as words separated by spaces, lines by newlines and blocks by blank lines;
its word boxes (when the OCR gives them) as one `x,y,w,h` per whitespace-separated word of the
text, in the page image's pixels (scaled from the OCR's own page size). See
docs/import-packages.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from store.xml_safety import clean_text, clean_xml_bytes, safe_fromstring, safe_html_fromstring

# Tried in this order for an image `001.jpg`: `001.alto.xml`, `001.xml`, `001.hocr`, ...
TEXT_SUFFIXES = (".alto.xml", ".xml", ".hocr", ".html", ".txt")
MAX_BYTES = 20 * 1024 * 1024
_BBOX = re.compile(r"\bbbox\s+(-?[0-9.]+)\s+(-?[0-9.]+)\s+(-?[0-9.]+)\s+(-?[0-9.]+)")
_HOCR_BLOCKS = ("ocr_par", "ocr_carea", "ocrx_block")
_HOCR_LINES = ("ocr_line", "ocrx_line", "ocr_textfloat", "ocr_header", "ocr_caption")


@dataclass(frozen=True, slots=True)
class PageText:
    """A page's text and, when known, one box per word (`x,y,w,h` joined by spaces)."""

    text: str
    boxes: str | None = None


class PageTextError(ValueError):
    """A page text file that cannot be read (one sentence)."""


Box = tuple[int, int, int, int]
Line = list[tuple[str, Box | None]]


def text_file_of(image: Path) -> Path | None:
    """The page text file beside an image (same stem), if there is one."""
    for suffix in TEXT_SUFFIXES:
        candidate = image.with_suffix(suffix)
        if candidate.is_file() or candidate.is_symlink():
            return candidate
    return None


def read_page_text(path: Path, width: int, height: int) -> PageText:
    """The text of one page text file for an image of `width` × `height` pixels."""
    data = path.read_bytes()[:MAX_BYTES + 1]
    if len(data) > MAX_BYTES:
        raise PageTextError(f"larger than {MAX_BYTES // (1024 * 1024)} MB")
    return parse_page_text(data, width, height)


def parse_page_text(data: bytes, width: int, height: int) -> PageText:
    """Plain text, ALTO or hOCR, told apart by content."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:4096].lower()
    if not head.startswith(b"<"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise PageTextError(f"not UTF-8 text (byte {error.start})") from None
        return PageText(clean_text(text)[0])
    if b"<alto" in head or b"alto/ns-v" in head:
        return _alto(data, width, height)
    if b"<html" in head or b"ocr_page" in data:
        return _hocr(data, width, height)
    raise PageTextError("an XML or HTML file that is neither ALTO nor hOCR")


def _join(blocks: list[list[Line]]) -> PageText:
    """Blocks of lines of (word, box) into the stored text and boxes."""
    texts: list[str] = []
    boxes: list[str] = []
    complete = True
    for block in blocks:
        lines = []
        for line in block:
            words = []
            for word, box in line:
                for part in word.split():
                    words.append(part)
                    if box is None:
                        complete = False
                    else:
                        boxes.append(",".join(map(str, box)))
            if words:
                lines.append(" ".join(words))
        if lines:
            texts.append("\n".join(lines))
    return PageText("\n\n".join(texts), " ".join(boxes) if complete and boxes else None)


def _scaled(x: float, y: float, w: float, h: float, sx: float, sy: float,
            width: int, height: int) -> Box | None:
    """A box in image pixels, clipped to the page; None when nothing of it is on the page."""
    left, top = max(0, round(x * sx)), max(0, round(y * sy))
    right, bottom = min(width, round((x + w) * sx)), min(height, round((y + h) * sy))
    if right <= left or bottom <= top:
        return None
    return left, top, right - left, bottom - top


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _alto(data: bytes, width: int, height: int) -> PageText:
    try:
        root = safe_fromstring(clean_xml_bytes(data)[0])
    except (etree.XMLSyntaxError, ValueError) as error:
        raise PageTextError(f"not well-formed ALTO ({str(error).splitlines()[0]})") from None
    if _local(root) != "alto":
        raise PageTextError(f"the root element is <{_local(root)}>, not <alto>")
    page = next((e for e in root.iter() if _local(e) == "Page"), None)
    if page is None:
        raise PageTextError("ALTO without a <Page>")
    try:
        page_w, page_h = float(page.get("WIDTH", "0")), float(page.get("HEIGHT", "0"))
    except ValueError:
        raise PageTextError("the ALTO Page WIDTH or HEIGHT is not a number") from None
    unit = next((e.text for e in root.iter() if _local(e) == "MeasurementUnit"), None)
    if page_w > 0 and page_h > 0:
        sx, sy = width / page_w, height / page_h
    elif (unit or "pixel").strip() == "pixel":
        sx = sy = 1.0  # no page size: pixels of the image itself
    else:
        sx = sy = 0.0  # a unit we cannot scale: text without boxes
    blocks: list[list[Line]] = []
    for block in (e for e in root.iter() if _local(e) == "TextBlock"):
        lines: list[Line] = []
        for line in (e for e in block.iter() if _local(e) == "TextLine"):
            words: Line = []
            for string in (e for e in line if _local(e) == "String"):
                content = clean_text(string.get("CONTENT", ""))[0]
                if not content.strip():
                    continue
                box = None
                try:
                    x, y, w, h = (float(string.get(k, "")) for k in ("HPOS", "VPOS", "WIDTH",
                                                                      "HEIGHT"))
                    if sx:
                        box = _scaled(x, y, w, h, sx, sy, width, height)
                except ValueError:
                    pass
                words.append((content, box))
            lines.append(words)
        blocks.append(lines)
    return _join(blocks)


def _bbox(element: etree._Element) -> tuple[float, float, float, float] | None:
    match = _BBOX.search(element.get("title", ""))
    if not match:
        return None
    x0, y0, x1, y1 = (float(v) for v in match.groups())
    return x0, y0, x1 - x0, y1 - y0


def _classes(element: etree._Element) -> set[str]:
    return set((element.get("class") or "").split())


def _hocr(data: bytes, width: int, height: int) -> PageText:
    try:
        root = safe_html_fromstring(data)  # an HTML DOCTYPE names no DTD to load
    except (etree.XMLSyntaxError, ValueError) as error:
        raise PageTextError(f"not readable HTML ({str(error).splitlines()[0]})") from None
    page = next((e for e in root.iter() if "ocr_page" in _classes(e)), None)
    if page is None:
        raise PageTextError("hOCR without an ocr_page element")
    size = _bbox(page)
    if size is None or size[2] <= 0 or size[3] <= 0:
        raise PageTextError("the ocr_page has no bbox with its size")
    sx, sy = width / size[2], height / size[3]
    blocks: list[list[Line]] = []
    current: list[Line] = []
    block_of: etree._Element | None = None
    for line in (e for e in page.iter() if _classes(e) & set(_HOCR_LINES)):
        block = next((a for a in line.iterancestors() if _classes(a) & set(_HOCR_BLOCKS)), None)
        if block is not block_of and current:
            blocks.append(current)
            current = []
        block_of = block
        words: Line = []
        for word in (e for e in line.iter() if "ocrx_word" in _classes(e)):
            content = clean_text("".join(word.itertext()))[0]
            if not content.strip():
                continue
            box = _bbox(word)
            words.append((content, _scaled(box[0] - size[0], box[1] - size[1], box[2], box[3],
                                           sx, sy, width, height) if box else None))
        current.append(words)
    if current:
        blocks.append(current)
    return _join(blocks)
