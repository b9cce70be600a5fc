"""oai/ is pure protocol code: it never imports Flask, the web package or iiif/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

OAI = Path(__file__).resolve().parents[2] / "oai"


@pytest.mark.parametrize("module", sorted(OAI.rglob("*.py")), ids=lambda p: p.name)
def test_oai_module_imports_no_flask_web_or_iiif(module):
    tree = ast.parse(module.read_text(encoding="utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
             for alias in node.names}
    names |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    roots = {name.split(".")[0] for name in names}
    assert not roots & {"flask", "werkzeug", "web", "iiif"}, module
