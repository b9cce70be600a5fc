"""Page text beside page images (plain text, hOCR, ALTO v2–v4), recognised by content, its
word boxes scaled to the image; a bad one reported as `FILE: page N: reason`, the item kept;
and the demo's ALTO boxes that hold the very words drawn."""

from __future__ import annotations

from pathlib import Path

import pytest
import pyvips

from store.ingest.demo.collection import _Maker
from store.ingest.demo.render import PAGE_HEIGHT, PAGE_WIDTH, render_page
from store.ingest.importing import run_import
from store.ingest.page_text import PageTextError, parse_page_text, read_page_text
from store.read.fulltext import item_text

ALTO = """<?xml version="1.0" encoding="UTF-8"?>
<alto xmlns="http://www.loc.gov/standards/alto/ns-v{v}#">
 <Description><MeasurementUnit>pixel</MeasurementUnit></Description>
 <Layout><Page ID="p1" WIDTH="1000" HEIGHT="2000"><PrintSpace>
  <TextBlock ID="b1">
   <TextLine><String CONTENT="Trận" HPOS="100" VPOS="200" WIDTH="80" HEIGHT="40"/><SP/>
    <String CONTENT="Bạch" HPOS="190" VPOS="200" WIDTH="90" HEIGHT="40"/></TextLine>
   <TextLine><String CONTENT="Đằng" HPOS="100" VPOS="260" WIDTH="100" HEIGHT="40"/></TextLine>
  </TextBlock>
  <TextBlock ID="b2"><TextLine>
   <String CONTENT="năm 938" HPOS="100" VPOS="400" WIDTH="200" HEIGHT="40"/></TextLine>
  </TextBlock>
 </PrintSpace></Page></Layout>
</alto>"""

HOCR = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
 "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head><title></title>
<meta name="ocr-system" content="tesseract 5"/></head><body>
<div class="ocr_page" title="image &quot;001.jpg&quot;; bbox 0 0 1000 2000; ppageno 0">
 <p class="ocr_par"><span class="ocr_line" title="bbox 100 200 280 240">
  <span class="ocrx_word" title="bbox 100 200 180 240; x_wconf 96">Trận</span>
  <span class="ocrx_word" title="bbox 190 200 280 240; x_wconf 95"><strong>Bạch</strong></span>
 </span><span class="ocr_line" title="bbox 100 260 200 300">
  <span class="ocrx_word" title="bbox 100 260 200 300">Đằng</span></span></p>
 <p class="ocr_par"><span class="ocr_line" title="bbox 100 400 300 440">
  <span class="ocrx_word" title="bbox 100 400 300 440">năm 938</span></span></p>
</div></body></html>"""

# the image is half the OCR's size: every box is halved
HALVED = "50,100,40,20 95,100,45,20 50,130,50,20 50,200,100,20 50,200,100,20"
TEXT = "Trận Bạch\nĐằng\n\nnăm 938"


@pytest.mark.parametrize("data", [ALTO.format(v=2), ALTO.format(v=3), ALTO.format(v=4), HOCR])
def test_alto_and_hocr_give_text_and_boxes_scaled_to_the_image(data):
    read = parse_page_text(data.encode(), 500, 1000)
    assert (read.text, read.boxes) == (TEXT, HALVED)


def test_plain_text_has_no_boxes():
    read = parse_page_text("Trận Bạch Đằng\n".encode(), 500, 1000)
    assert (read.text, read.boxes) == ("Trận Bạch Đằng\n", None)


@pytest.mark.parametrize("data, reason", [
    (b"<alto><Layout><Page", "not well-formed ALTO"),
    (b"<alto xmlns='http://www.loc.gov/standards/alto/ns-v4#'/>", "ALTO without a <Page>"),
    (b"<html><body><p>no OCR here</p></body></html>", "hOCR without an ocr_page"),
    (b"<record><title>x</title></record>", "neither ALTO nor hOCR"),
    (b"\xff\xfe\x00bad", "not UTF-8"),
    (b'<?xml version="1.0"?><!DOCTYPE alto [<!ENTITY x "y">]><alto/>', "document type"),
])
def test_page_text_that_cannot_be_read_says_why(data, reason):
    with pytest.raises(PageTextError if b"DOCTYPE" not in data else ValueError,
                       match=reason):
        parse_page_text(data, 100, 100)


def _image(path: Path, width: int = 500, height: int = 1000) -> None:
    pyvips.Image.black(width, height).new_from_image([200, 190, 170]).cast("uchar") \
        .copy(interpretation="srgb").write_to_file(str(path))


def test_a_package_takes_each_kind_of_page_text_and_keeps_an_item_with_a_bad_one(
        store, tmp_path):
    pkg = tmp_path / "tran-bach-dang"
    pkg.mkdir()
    for n in range(1, 6):
        _image(pkg / f"00{n}.jpg")
    (pkg / "001.alto.xml").write_text(ALTO.format(v=4), encoding="utf-8")
    (pkg / "002.xml").write_text(ALTO.format(v=2), encoding="utf-8")
    (pkg / "003.hocr").write_text(HOCR, encoding="utf-8")
    (pkg / "004.txt").write_text("Trận Bạch Đằng", encoding="utf-8")
    (pkg / "005.html").write_text("<html><body>nothing</body></html>", encoding="utf-8")
    summary = run_import(store, [pkg])
    assert (summary.imported, summary.rejected) == (1, 0)
    assert summary.problems == [f"{pkg / '005.html'}: page 5: hOCR without an ocr_page "
                                "element"]
    with store.reading() as session:
        pages = item_text(session, "tran-bach-dang").pages
    assert [(p.text, p.boxes) for p in pages] == [
        (TEXT, HALVED), (TEXT, HALVED), (TEXT, HALVED), ("Trận Bạch Đằng", None), (None, None)]


def test_the_demo_alto_boxes_hold_the_words_drawn(tmp_path):
    demo = _Maker(1, 36).item(5, 3)
    heading, body = demo.pages[1]
    scan = tmp_path / "p.jpg"
    read = read_page_text(render_page(heading, body, "— 2 —", scan), PAGE_WIDTH, PAGE_HEIGHT)
    words, boxes = read.text.split(), read.boxes.split()
    assert words == (heading + " " + body + " — 2 —").split()
    assert len(boxes) == len(words)
    image = pyvips.Image.new_from_file(str(scan)).colourspace("b-w")
    for box in boxes:
        x, y, w, h = (int(v) for v in box.split(","))
        assert x >= 0 and x + w <= PAGE_WIDTH and y >= 0 and y + h <= PAGE_HEIGHT
        ink = image.crop(x, y, w, h)
        assert ink.min() < 128, f"no ink in {box}"  # something dark is drawn in every box
        # and nothing is drawn just left of the word's box (the box holds its first letter)
        if x > 4:
            assert image.crop(x - 4, y, 3, h).min() > 128, f"ink left of {box}"
