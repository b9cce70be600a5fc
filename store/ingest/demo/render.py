"""Page scans of the demo collection: text drawn with a real font with Vietnamese glyphs."""

from __future__ import annotations

import hashlib
from pathlib import Path
from xml.sax.saxutils import escape

import pyvips

PAGE_WIDTH, PAGE_HEIGHT, MARGIN = 2000, 3000, 150
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
PAPER, INK = (243, 236, 220), (38, 30, 24)


def _font(name: str) -> dict[str, str]:
    """fontfile= when Debian's DejaVu is there; else let fontconfig find a serif font."""
    path = FONT_DIR / f"{name}.ttf"
    return {"fontfile": str(path)} if path.exists() else {}


def _text(markup: str, font: str, size: int, width: int, file: str,
          align: str = "low") -> pyvips.Image:
    return pyvips.Image.text(escape(markup), font=f"{font} {size}", width=width, dpi=72,
                             spacing=size // 2, justify=align == "justify",
                             align="centre" if align == "centre" else "low", **_font(file))


def render_page(heading: str, body: str, footer: str, target: Path) -> tuple[int, int]:
    """Draw one page to a JPEG at `target`; returns (width, height)."""
    width = PAGE_WIDTH - 2 * MARGIN
    head = _text(heading, "DejaVu Serif Bold", 44, width, "DejaVuSerif-Bold", "centre")
    foot = _text(footer, "DejaVu Serif", 28, width, "DejaVuSerif", "centre")
    top = MARGIN + head.height + 80
    room = PAGE_HEIGHT - top - MARGIN - foot.height - 60
    for size in (36, 32, 28, 24, 20, 16):  # the whole text goes on the page: smaller if need be
        text = _text(body, "DejaVu Serif", size, width, "DejaVuSerif", "justify")
        if text.height <= room:
            break
    else:
        raise ValueError("the page text does not fit on a page")
    ink = (pyvips.Image.black(PAGE_WIDTH, PAGE_HEIGHT)
           .insert(head, (PAGE_WIDTH - head.width) // 2, MARGIN)
           .insert(text, MARGIN, top)
           .insert(foot, (PAGE_WIDTH - foot.width) // 2, PAGE_HEIGHT - MARGIN - foot.height))
    rule = pyvips.Image.black(width, 3).new_from_image(255)
    ink = ink.insert(rule, MARGIN, MARGIN + head.height + 35)
    page = ink.linear([(i - p) / 255 for i, p in zip(INK, PAPER, strict=True)], list(PAPER))
    page = page.cast("uchar").copy(interpretation="srgb")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp.jpg")
    page.jpegsave(str(tmp), Q=75)
    tmp.replace(target)
    return PAGE_WIDTH, PAGE_HEIGHT


def page_file(folder: Path, item_id: str, seq: int, text: str) -> Path:
    """Where a page's scan goes; the name carries a digest of its text, so reruns reuse it."""
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    return folder / item_id / f"p{seq:03d}-{digest}.jpg"
