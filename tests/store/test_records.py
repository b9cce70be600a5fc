"""The store's shared rules on records."""

from __future__ import annotations

import pytest

from store.records import set_lineage


@pytest.mark.parametrize("spec, lineage", [
    ("sach", ("sach",)),
    ("sach:lichsu", ("sach", "sach:lichsu")),
    ("sach:lichsu:hp", ("sach", "sach:lichsu", "sach:lichsu:hp")),
])
def test_a_set_lineage_runs_from_the_top_set_down_to_the_set(spec, lineage):
    assert set_lineage(spec) == lineage


@pytest.mark.parametrize("spec, valid", [
    ("..", False), (".", False), ("sach:..", False), ("..:sach", False), ("a:.:b", False),
    ("...", True), (".a", True), ("a.", True), ("a..b", True), ("sach:lich-su", True),
])
def test_dot_and_dot_dot_are_not_set_spec_parts(spec, valid):
    from store.records import valid_set_spec

    assert valid_set_spec(spec) is valid


def test_a_set_spec_of_dot_dot_is_refused_by_the_write_path(store):
    from store.records import SetInput
    from store.write.items import upsert_set

    with pytest.raises(ValueError), store.session() as session:
        upsert_set(session, SetInput("..", "one folder up"))
