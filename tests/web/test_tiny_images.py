"""Images smaller than one tile (both databases): every request a viewer makes answers, as the
Image API says, for scans down to one pixel (libvips reads back only TIFF tiles at most about
twice the image's longest side, so a tiny scan's pyramid has smaller tiles)."""

from __future__ import annotations

import pytest
import pyvips

from iiif import pyramid
from store.records import ItemInput, PageInput
from store.write.items import upsert_item
from web.context import context_of

SIZES = [(1, 1), (4, 1), (1, 4), (32, 32), (128, 128), (129, 1), (255, 256), (257, 1)]


def _tiny(app, tmp_path, width: int, height: int) -> str:
    scan = tmp_path / f"scan-{width}x{height}.png"
    pyvips.Image.black(width, height).add(200).cast("uchar").write_to_file(str(scan))
    item_id = f"nho-{width}x{height}"
    with context_of(app).store.session() as session:
        upsert_item(session, ItemInput(item_id, pages=(PageInput(str(scan), width, height),)),
                    context_of(app).settings.data_path)
    return f"/iiif/image/{item_id}~p0001"


def _size(response) -> tuple[int, int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    image = pyvips.Image.new_from_buffer(response.data, "")
    return image.width, image.height


@pytest.mark.parametrize(("width", "height"), SIZES, ids=lambda v: str(v))
def test_an_image_smaller_than_a_tile_answers_every_request(app, client, tmp_path, width,
                                                            height):
    image = _tiny(app, tmp_path, width, height)
    info = client.get(f"{image}/info.json").get_json()
    assert (info["width"], info["height"]) == (width, height)
    w, h = width, height
    assert _size(client.get(f"{image}/full/max/0/default.jpg")) == (w, h)
    assert _size(client.get(f"{image}/full/{w},{h}/0/default.jpg")) == (w, h)  # Mirador's
    assert _size(client.get(f"{image}/0,0,512,512/{w},{h}/0/default.jpg")) == (w, h)
    assert _size(client.get(f"{image}/square/max/90/default.png"))[0] == min(w, h)
    assert _size(client.get(f"{image}/full/max/0/gray.webp")) == (w, h)
    assert _size(client.get(f"{image}/full/^{2 * w},/0/default.png")) == (2 * w, 2 * h)
    assert _size(client.get(f"{image}/{w - 1},{h - 1},10,10/max/0/default.jpg")) == (1, 1)
    assert client.get(f"{image}/{w},{h},10,10/max/0/default.jpg").status_code == 400
    fit = client.get(f"{image}/full/!100,100/0/default.jpg")
    scale = min(100 / w, 100 / h)
    box = round(w * scale), round(h * scale)
    if 1 <= box[0] <= w and 1 <= box[1] <= h:
        assert _size(fit) == box
    else:  # empty, or larger than the region without ^ (as the official validator wants)
        assert fit.status_code == 400


def test_a_tiny_pyramid_is_tiled_so_that_libvips_reads_it_back(tmp_path):
    scan = tmp_path / "scan.png"
    pyvips.Image.black(32, 32).write_to_file(str(scan))
    target = pyramid.pyramid_path(tmp_path, "nho", pyramid.tile_size(32, 32))
    pyramid.ensure_pyramid(str(scan), target)
    assert pyramid.levels(target) == ((32, 32),)
    assert pyramid.tile_size(32, 32) == 256 and pyramid.tile_size(129, 1) == 512
    assert target != pyramid.pyramid_path(tmp_path, "nho")  # not an older, unreadable one
