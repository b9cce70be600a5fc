"""Item packages: metadata.json or metadata.csv with page images, or page images alone."""

from __future__ import annotations

import json

import pytest
import pyvips

from store.ingest.importing import run_import
from store.read.queries import get_item


def _image(path, width, height):
    pyvips.Image.black(width, height).new_from_image([200, 190, 170]).cast("uchar") \
        .copy(interpretation="srgb").write_to_file(str(path))


def _get(store, item_id):
    with store.reading() as s:
        return get_item(s, item_id, store.settings, with_text=True)


def test_json_package_with_pages_labels_and_text(store, tmp_path):
    pkg = tmp_path / "hp-dia-chi-01"
    pkg.mkdir()
    (pkg / "metadata.json").write_text(json.dumps({
        "title": "Địa chí Hải Phòng", "creator": ["Trần Văn Giáp", "Lê Thị Lan"],
        "subject": [{"value": "Địa lý", "lang": "vi"}], "language": "vie",
        "rights": "https://creativecommons.org/licenses/by/4.0/", "access": "readers",
        "sets": ["sach:lich-su"], "behavior": "paged", "pages": ["Bìa", "Trang 1"],
        "lang": "vi"}, ensure_ascii=False), encoding="utf-8")
    _image(pkg / "002.png", 30, 40)
    _image(pkg / "001.jpg", 20, 30)
    (pkg / "001.txt").write_text("Trang bìa: Địa chí Hải Phòng", encoding="utf-8")
    summary = run_import(store, [pkg])
    assert (summary.imported, summary.rejected) == (1, 0)
    item = _get(store, "hp-dia-chi-01")
    assert item.values("creator") == ["Trần Văn Giáp", "Lê Thị Lan"]
    assert {v.lang for v in item.metadata if v.element == "subject"} == {"vi"}
    assert (item.access, item.sets, item.behavior) == ("readers", ("sach:lich-su",), "paged")
    assert item.rights_uri == "http://creativecommons.org/licenses/by/4.0/"  # canonical form
    assert [(p.label, p.width, p.height) for p in item.pages] == [("Bìa", 20, 30),
                                                                   ("Trang 1", 30, 40)]
    assert item.pages[0].text == "Trang bìa: Địa chí Hải Phòng" and item.pages[1].text is None
    assert all(p.image_path.startswith(str(store.settings.data_path)) for p in item.pages)
    assert run_import(store, [pkg]).unchanged == 1


def test_folder_of_packages_with_csv_images_only_and_a_bad_one(store, tmp_path):
    root = tmp_path / "lo-1"
    (root / "bao_Hai_Phong_1925").mkdir(parents=True)
    _image(root / "bao_Hai_Phong_1925" / "p1.tif", 10, 12)
    (root / "bao_Hai_Phong_1925" / "._p1.tif").write_bytes(b"\x00\x05\x16\x07 macOS")
    (root / "csv-item").mkdir()
    (root / "csv-item" / "metadata.csv").write_text(
        "title,subject,subject,access\nNhật ký Huế,Lịch sử||Triều Nguyễn,Văn hóa,open\n",
        encoding="utf-8")
    (root / "hong").mkdir()
    (root / "hong" / "metadata.json").write_text("{not json", encoding="utf-8")
    (root / "not-a-package").mkdir()
    summary = run_import(store, [root])
    assert (summary.imported, summary.rejected) == (2, 1)
    assert summary.problems[0].startswith(f"{root}: record 3: package hong:")
    images_only = _get(store, "bao_Hai_Phong_1925")
    assert (images_only.title, images_only.access) == ("bao Hai Phong 1925", "open")
    assert [(p.width, p.height) for p in images_only.pages] == [(10, 12)]
    assert _get(store, "csv-item").values("subject") == ["Lịch sử", "Triều Nguyễn", "Văn hóa"]


def test_unknown_key_or_access_rejects_the_package(store, tmp_path):
    for name, data in (("a", {"title": "A", "colour": "red"}),
                       ("b", {"title": "B", "access": "secret"}),
                       ("c", {"title": "C", "sets": ["lịch sử"]}),
                       ("d", {"title": "D", "behavior": "sideways"})):
        (tmp_path / "lot" / name).mkdir(parents=True)
        (tmp_path / "lot" / name / "metadata.json").write_text(json.dumps(data))
    summary = run_import(store, [tmp_path / "lot"])
    assert summary.rejected == 4
    assert "unknown metadata key 'colour'" in summary.problems[0]
    assert "access must be one of" in summary.problems[1]
    assert "'lịch sử' is not a valid setSpec" in summary.problems[2]
    assert "behavior must be one of" in summary.problems[3]


def _linked_package(tmp_path, link: str):
    """A sound package, with `link` (a file name, or "" for the folder) a symbolic link."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.txt").write_text("the operator's secret", encoding="utf-8")
    _image(outside / "secret.png", 10, 10)
    (outside / "metadata.json").write_text('{"title": "Bí mật"}', encoding="utf-8")
    root = tmp_path / "lo"
    pkg = root / "sach-1"
    pkg.mkdir(parents=True)
    _image(pkg / "001.png", 10, 10)
    if link == "":
        pkg.rename(root / "real")
        _image(outside / "001.png", 10, 10)
        pkg.symlink_to(outside, target_is_directory=True)
        return root
    target = outside / {".png": "secret.png", ".txt": "secret.txt"}.get(
        link[-4:], "metadata.json")
    if link == "001.png":
        (pkg / link).unlink()
    (pkg / link).symlink_to(target)
    return root


@pytest.mark.parametrize("link", ["001.png", "002.png", "001.txt", "metadata.json", ""])
def test_a_symbolic_link_in_a_package_rejects_it_and_publishes_nothing(store, tmp_path, link):
    root = _linked_package(tmp_path, link)
    summary = run_import(store, [root])
    assert summary.rejected == 1 and summary.imported <= 1
    assert f": {link or 'sach-1'}: a symbolic link" in summary.problems[0]
    assert _get(store, "sach-1") is None
