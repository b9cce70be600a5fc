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
