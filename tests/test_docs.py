"""The README stays true: its settings table and commands match the code and CI."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from store.settings import PREFIX, Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_readme_settings_table_lists_every_setting_and_no_other():
    documented = set(re.findall(r"^\| `(THUVIENSO_[A-Z_]+)` \|", README, re.M))
    assert documented == {PREFIX + f.name.upper() for f in fields(Settings)}


def test_readme_opens_with_the_two_setup_commands_and_ci_runs_the_test_one():
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert re.search(r"^make demo\b", first_block, re.M)
    assert re.search(r"^make test\b", first_block, re.M)
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.M)


def test_every_cli_command_is_in_the_readme():
    from web.cli import main

    for name in main.commands:
        assert f"`thuvienso {name}" in README, name


def test_architecture_page_names_every_package_and_store_room():
    page = (ROOT / "docs" / "architecture.md").read_text()
    parts = [f"{p.parent.relative_to(ROOT)}/" for p in sorted(ROOT.glob("*/__init__.py"))
             if p.parent.name != "tests"]
    parts += [f"store/{p.parent.name}/" for p in sorted(ROOT.glob("store/*/__init__.py"))]
    missing = [part for part in parts if f"`{part}" not in page]
    assert not missing, f"docs/architecture.md does not name {missing}"
