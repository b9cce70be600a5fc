"""Page scans of the demo collection, drawn with a real font with Vietnamese glyphs, and their
ALTO: the text laid out line by line here, so that every word's box is known where it is drawn.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

import pyvips
from lxml import etree
from lxml.builder import ElementMaker

PAGE_WIDTH, PAGE_HEIGHT, MARGIN = 2000, 3000, 150
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
PAPER, INK = (243, 236, 220), (38, 30, 24)
# Drawn before each line and cut off again: a glyph as tall as the font's whole line, so that
# every line image has the same top and baseline whatever its letters' marks.
STRUT = "│ "
ALTO = "http://www.loc.gov/standards/alto/ns-v4#"
REGULAR, BOLD = ("DejaVu Serif", "DejaVuSerif"), ("DejaVu Serif Bold", "DejaVuSerif-Bold")


def _font(name: str) -> dict[str, str]:
    """fontfile= when Debian's DejaVu is there; else let fontconfig find a serif font."""
    path = FONT_DIR / f"{name}.ttf"
    return {"fontfile": str(path)} if path.exists() else {}


def _render(text: str, font: tuple[str, str], size: int) -> pyvips.Image:
    return pyvips.Image.text(escape(text), font=f"{font[0]} {size}", dpi=72, **_font(font[1]))


@lru_cache(maxsize=65536)
def _ink_width(text: str, font: tuple[str, str], size: int) -> int:
    return int(_render(text, font, size).width)


@dataclass(frozen=True, slots=True)
class Line:
    """One laid-out line: its words and each word's left edge and width, from the line's left."""

    words: tuple[str, ...]
    lefts: tuple[int, ...]
    widths: tuple[int, ...]

    @property
    def width(self) -> int:
        return self.lefts[-1] + self.widths[-1]


def _lines(paragraph: str, font: tuple[str, str], size: int, room: int) -> list[Line]:
    """Greedy line breaking, measuring each line's prefix as it grows (the ink edges)."""
    lines: list[Line] = []
    words: list[str] = []
    rights: list[int] = []
    for word in paragraph.split():
        right = _ink_width(STRUT + " ".join([*words, word]), font, size)
        start = rights[0] - _ink_width(words[0], font, size) if words else 0
        if words and right - start > room:
            lines.append(_line(words, rights, font, size))
            words, rights = [], []
            right = _ink_width(STRUT + word, font, size)
        words.append(word)
        rights.append(right)
    if words:
        lines.append(_line(words, rights, font, size))
    return lines


def _line(words: list[str], rights: list[int], font: tuple[str, str], size: int) -> Line:
    widths = [_ink_width(w, font, size) for w in words]
    lefts = [r - w for r, w in zip(rights, widths, strict=True)]
    return Line(tuple(words), tuple(x - lefts[0] for x in lefts), tuple(widths))


@dataclass(frozen=True, slots=True)
class Placed:
    """A line drawn at (x, y), `height` tall, in one font and size."""

    line: Line
    x: int
    y: int
    height: int
    font: tuple[str, str]
    size: int


def _block(paragraphs: list[str], font: tuple[str, str], size: int, top: int, centred: bool
           ) -> tuple[list[list[Placed]], int]:
    """Paragraphs laid out from `top`; the blocks of placed lines and the bottom."""
    room = PAGE_WIDTH - 2 * MARGIN
    height = _render(STRUT, font, size).height
    pitch, blocks, y = round(height * 1.25), [], top
    for paragraph in paragraphs:
        placed = []
        for line in _lines(paragraph, font, size, room):
            x = MARGIN + ((room - line.width) // 2 if centred else 0)
            placed.append(Placed(line, x, y, height, font, size))
            y += pitch
        blocks.append(placed)
        y += pitch // 2
    return blocks, y


def layout(heading: str, body: str, footer: str) -> list[list[Placed]]:
    """The page's blocks of lines: heading, the body's paragraphs (in the largest size that
    fits), footer."""
    head, below = _block([heading], BOLD, 44, MARGIN, True)
    foot_height = _render(STRUT, REGULAR, 28).height
    foot, _ = _block([footer], REGULAR, 28, PAGE_HEIGHT - MARGIN - foot_height, True)
    paragraphs = [p for p in body.split("\n") if p.strip()]
    for size in (36, 32, 28, 24, 20, 16):  # the whole text goes on the page: smaller if need be
        text, bottom = _block(paragraphs, REGULAR, size, below + 80, False)
        if bottom <= PAGE_HEIGHT - MARGIN - foot_height - 60:
            return head + text + foot
    raise ValueError("the page text does not fit on a page")


def _draw(blocks: list[list[Placed]]) -> pyvips.Image:
    ink = pyvips.Image.black(PAGE_WIDTH, PAGE_HEIGHT)
    for placed in (p for block in blocks for p in block):
        image = _render(STRUT + " ".join(placed.line.words), placed.font, placed.size)
        cut = _ink_width(STRUT + placed.line.words[0], placed.font, placed.size) \
            - placed.line.widths[0]
        ink = ink.insert(image.crop(cut, 0, image.width - cut, image.height), placed.x, placed.y)
    return ink


def alto(blocks: list[list[Placed]]) -> bytes:
    """ALTO v4 of the laid-out page, in pixels of the page image."""
    e = ElementMaker(namespace=ALTO, nsmap={None: ALTO})
    text_blocks = []
    for b, block in enumerate(blocks, start=1):
        lines = []
        for placed in block:
            line = placed.line
            parts = []
            for n, (word, left, width) in enumerate(zip(line.words, line.lefts, line.widths,
                                                        strict=True)):
                if n:
                    parts.append(e.SP())
                parts.append(e.String(CONTENT=word, HPOS=str(placed.x + left),
                                      VPOS=str(placed.y), WIDTH=str(width),
                                      HEIGHT=str(placed.height)))
            lines.append(e.TextLine(*parts, HPOS=str(placed.x), VPOS=str(placed.y),
                                    WIDTH=str(line.width), HEIGHT=str(placed.height)))
        text_blocks.append(e.TextBlock(*lines, ID=f"b{b}"))
    doc = e.alto(
        e.Description(e.MeasurementUnit("pixel")),
        e.Layout(e.Page(e.PrintSpace(*text_blocks), ID="p1", PHYSICAL_IMG_NR="1",
                        WIDTH=str(PAGE_WIDTH), HEIGHT=str(PAGE_HEIGHT))))
    return bytes(etree.tostring(doc, xml_declaration=True, encoding="UTF-8"))


def render_page(heading: str, body: str, footer: str, target: Path) -> Path:
    """Draw one page to a JPEG at `target` and its ALTO beside it; returns the ALTO's path."""
    blocks = layout(heading, body, footer)
    page = _draw(blocks).linear([(i - p) / 255 for i, p in zip(INK, PAPER, strict=True)],
                                list(PAPER))
    page = page.cast("uchar").copy(interpretation="srgb")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp.jpg")
    page.jpegsave(str(tmp), Q=75)
    text = alto_file(target)
    tmp_text = text.with_suffix(".tmp")
    tmp_text.write_bytes(alto(blocks))
    tmp_text.replace(text)
    tmp.replace(target)  # last: a scan on disk means its ALTO is there too
    return text


def alto_file(scan: Path) -> Path:
    """The ALTO beside a page scan (`p001-….alto.xml`)."""
    return scan.with_suffix(".alto.xml")


def page_file(folder: Path, item_id: str, seq: int, text: str) -> Path:
    """Where a page's scan goes; the name carries a digest of its text, so reruns reuse it."""
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    return folder / item_id / f"p{seq:03d}-{digest}.jpg"
