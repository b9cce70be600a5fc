"""The derivative folders (`iiif/`, `cache/`) cannot be written: images and documents are still
served, uncached (a scan without a pyramid is rendered from itself), with one warning per
kind of derivative, not one per request. A corrupt or missing scan: a clear 404 for that
image only, the rest served."""

from __future__ import annotations

import logging
import shutil

import pytest
import pyvips

from iiif import derivatives
from tests.web.test_hostile_input import populated  # noqa: F401 - a fixture
from web.context import context_of

IMAGE = "/iiif/image/open-1~p0001"
ANSWERS = ["/iiif/open-1/manifest", "/iiif/collection/top", f"{IMAGE}/info.json",
           f"{IMAGE}/full/max/0/default.jpg", f"{IMAGE}/0,0,100,100/50,/90/default.png",
           f"{IMAGE}/full/max/0/gray.jpg"]


@pytest.fixture
def unwritable(app, populated, monkeypatch):  # noqa: F811
    """The app's derivative folders replaced by plain files: nothing can be written there
    (what a read-only or full disk does, even for root, who ignores permissions)."""
    data = context_of(app).settings.data_path
    for name in ("iiif", "cache"):
        shutil.rmtree(data / name, ignore_errors=True)
        (data / name).write_bytes(b"not a folder")
    monkeypatch.setattr(derivatives, "_warned", set())
    return app


def test_unwritable_derivative_folders_cost_speed_not_answers(unwritable, client, caplog):
    caplog.set_level(logging.WARNING, logger="thuvienso.derivatives")
    for _ in range(3):
        for url in ANSWERS:
            response = client.get(url)
            assert response.status_code == 200, (url, response.data[:200])
    image = pyvips.Image.new_from_buffer(client.get(f"{IMAGE}/full/max/0/default.jpg").data, "")
    assert (image.width, image.height) == (300, 400)
    warnings = [r.getMessage() for r in caplog.records if r.name == "thuvienso.derivatives"]
    assert len(warnings) == len(set(warnings)) == 3, warnings  # pyramids, images, documents
    assert all("cannot write" in w for w in warnings)


@pytest.mark.parametrize("damage", ["corrupt", "missing"])
@pytest.mark.parametrize("writable", [True, False])
def test_a_damaged_scan_is_a_404_for_that_image_only(app, populated, client, monkeypatch,  # noqa: F811
                                                      damage, writable):
    images = context_of(app).images
    scan = images.lookup("open-1~p0001").image_path
    if damage == "corrupt":
        with open(scan, "r+b") as fh:
            fh.truncate(60)
    else:
        from pathlib import Path
        Path(scan).unlink()
    if not writable:
        data = context_of(app).settings.data_path
        shutil.rmtree(data / "iiif", ignore_errors=True)
        (data / "iiif").write_bytes(b"not a folder")
    response = client.get(f"{IMAGE}/full/max/0/default.jpg")
    assert response.status_code == 404
    assert b"cannot be" in response.data and b"Traceback" not in response.data
    assert client.get(f"{IMAGE}/info.json").status_code == 200  # from the store: size known
    assert client.get("/iiif/open-1/manifest").status_code == 200
    assert client.get("/").status_code == 200
