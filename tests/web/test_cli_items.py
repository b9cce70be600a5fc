"""`thuvienso item access` and `import --access` (both databases)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from store.read.queries import get_item
from web.cli import main

SCAN = Path(__file__).resolve().parents[1] / "data" / "67352ccc-d1b0-11e1-89ae-279075081939.png"


def package(folder: Path, access: str | None = None) -> Path:
    folder.mkdir(parents=True)
    data = {"title": "Truyện Kiều", "creator": "Nguyễn Du"}
    if access:
        data["access"] = access
    (folder / "metadata.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    shutil.copy(SCAN, folder / "001.png")
    return folder


def access_of(store, item_id: str) -> str:
    with store.reading() as s:
        return get_item(s, item_id).access


def test_item_access_sets_the_level_and_a_new_datestamp(runner, store, tmp_path):
    assert runner.invoke(main, ["import", str(package(tmp_path / "kieu"))]).exit_code == 0
    with store.reading() as s:
        before = get_item(s, "kieu").datestamp
    result = runner.invoke(main, ["item", "access", "kieu", "readers"])
    assert result.exit_code == 0 and result.output == "kieu: access readers\n"
    assert access_of(store, "kieu") == "readers"
    with store.reading() as s:
        assert get_item(s, "kieu").datestamp >= before
    again = runner.invoke(main, ["item", "access", "kieu", "readers"])
    assert again.output == "kieu: access readers (unchanged)\n"
    # importing the same package again restores the level its metadata says (open)
    assert "1 updated" in runner.invoke(main, ["import", str(tmp_path / "kieu")]).output
    assert access_of(store, "kieu") == "open"


def test_item_access_mistakes_are_one_sentence(runner, store):
    missing = runner.invoke(main, ["item", "access", "không-có", "open"])
    assert missing.exit_code == 1 and "there is no item 'không-có'" in missing.output
    level = runner.invoke(main, ["item", "access", "x", "secret"])
    assert level.exit_code == 2 and "'secret' is not one of 'open', 'readers', 'restricted'" \
        in level.output


def test_import_access_sets_every_items_level_over_the_packages_own(runner, store, tmp_path):
    package(tmp_path / "all" / "mo", "open")
    package(tmp_path / "all" / "dong", "restricted")
    package(tmp_path / "all" / "tron")
    plain = runner.invoke(main, ["import", str(tmp_path / "all")])
    assert plain.exit_code == 0, plain.output
    assert [access_of(store, i) for i in ("mo", "dong", "tron")] == ["open", "restricted",
                                                                    "open"]
    forced = runner.invoke(main, ["import", str(tmp_path / "all"), "--access", "readers"])
    assert forced.exit_code == 0, forced.output
    assert {access_of(store, i) for i in ("mo", "dong", "tron")} == {"readers"}
