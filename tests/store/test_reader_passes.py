"""Readers' passes on disk (store.reader_passes): granted only while the session stands, one
folder a day, removed by reader, never a path outside the passes' folder."""

from __future__ import annotations

import os
from datetime import date, timedelta

import pytest

from store import reader_passes, tile_tree

DAY = date(2026, 11, 30)
NAME = "lan~" + "a" * 32


def test_a_pass_is_a_link_to_the_readers_tree_granted_only_while_the_session_stands(tmp_path):
    assert not reader_passes.grant(tmp_path, NAME, DAY, lambda: False)
    assert not reader_passes.has_pass(tmp_path, NAME, DAY)
    assert reader_passes.grant(tmp_path, NAME, DAY, lambda: True)
    link = reader_passes.pass_path(tmp_path, NAME, DAY)
    assert os.path.realpath(link) == str(tile_tree.root(tmp_path, tile_tree.READERS))
    # granted again: no check, no change
    assert reader_passes.grant(tmp_path, NAME, DAY, lambda: pytest.fail("asked again"))
    assert not reader_passes.has_pass(tmp_path, NAME, DAY + timedelta(days=1))


def test_a_new_days_first_pass_removes_the_earlier_days(tmp_path):
    for offset in (-2, -1, 0):
        reader_passes.grant(tmp_path, NAME, DAY + timedelta(days=offset), lambda: True)
    assert sorted(os.listdir(reader_passes.folder(tmp_path))) == [DAY.isoformat()]
    (tile_tree.root(tmp_path, tile_tree.READERS)).mkdir(parents=True)
    (tile_tree.root(tmp_path, tile_tree.READERS) / "kept").write_text("x")
    reader_passes.grant(tmp_path, NAME, DAY + timedelta(days=1), lambda: True)
    assert (tile_tree.root(tmp_path, tile_tree.READERS) / "kept").exists()  # links only


def test_revoking_removes_every_pass_of_those_readers_only(tmp_path):
    other = "lan.b@x~" + "b" * 32
    for day in (DAY, DAY + timedelta(days=1)):
        for name in (NAME, other):
            reader_passes.grant(tmp_path, name, day, lambda: True)
    assert reader_passes.revoke(tmp_path, ["lan"]) == 1  # the earlier day was swept
    assert not reader_passes.has_pass(tmp_path, NAME, DAY + timedelta(days=1))
    assert reader_passes.has_pass(tmp_path, other, DAY + timedelta(days=1))
    assert reader_passes.revoke(tmp_path / "none", ["lan"]) == 0


@pytest.mark.parametrize("name", ["../../x", "lan", "lan~" + "a" * 31, "lan~" + "A" * 32,
                                  "~" + "a" * 32, "lan/x~" + "a" * 32, "lan~" + "a" * 32 + "\n",
                                  "lân~" + "a" * 32, ".~" + "a" * 32])
def test_a_name_that_is_not_a_pass_is_refused(tmp_path, name):
    with pytest.raises(ValueError):
        reader_passes.grant(tmp_path, name, DAY, lambda: True)
    assert not reader_passes.folder(tmp_path).exists()
