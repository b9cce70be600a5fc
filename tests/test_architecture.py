"""The house plan, checked on every run.

Data flows one way: store ← oai, iiif ← web. Only web imports Flask; oai and iiif know nothing
of each other. Inside store, each room imports only the shared core and the rooms before it
(schema ← read, write ← ingest), and what lies outside the store never touches the tables
(store.schema.models) directly: it reads and writes through the rooms' functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "store": {"flask", "werkzeug", "oai", "iiif", "web"},
    "oai": {"flask", "werkzeug", "iiif", "web"},
    "iiif": {"flask", "werkzeug", "oai", "web"},
}
CORE = {"store.settings", "store.db", "store.records", "store.dublin_core", "store.folding",
        "store.xml_safety", "store.links", "store.rights", "store.europeana", "store.tile_tree",
        "store.reader_passes"}
ROOMS = ("schema", "read", "write", "ingest", "backup")
# What each room may import from the store, beyond the core.
ALLOWED_ROOMS = {
    "core": set(),
    "schema": {"schema"},
    "read": {"schema", "read"},
    "write": {"schema", "write"},
    "ingest": {"schema", "read", "write", "ingest"},
    "backup": {"schema", "write", "backup"},
}
# The only part of store.schema that code outside the store may use: creating the schema.
OUTSIDE_MAY_USE_FROM_SCHEMA = {"store.schema.migrate"}


def _modules(path: Path) -> set[str]:
    """Every absolute module name imported by a file (`from a.b import c` gives a.b and a.b.c)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _room(module: str) -> str | None:
    """The store room a module name belongs to (core for the top-level modules)."""
    parts = module.split(".")
    if parts[0] != "store" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in ROOMS else "core"


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_import_what_lies_downstream_or_beside_it(package):
    for path in _sources(package):
        bad = {name.split(".")[0] for name in _modules(path)} & FORBIDDEN[package]
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


@pytest.mark.parametrize("room", sorted(ALLOWED_ROOMS))
def test_store_rooms_import_only_the_core_and_the_rooms_before_them(room):
    folder = ROOT / "store"
    paths = [p for p in _sources("store") if (p.parent == folder) == (room == "core")
             and (room == "core" or p.relative_to(folder).parts[0] == room)]
    assert paths
    for path in paths:
        used = {_room(name) for name in _modules(path) if _room(name)} - {"core"}
        if path.parent == folder / "schema" / "migrations" / "versions":
            used -= {"schema"}
        bad = used - ALLOWED_ROOMS[room]
        assert not bad, f"{path.relative_to(ROOT)} imports the store's {sorted(bad)}"


def test_core_modules_are_the_named_ones():
    top = {f"store.{p.stem}" for p in (ROOT / "store").glob("*.py") if p.stem != "__init__"}
    assert top == CORE


@pytest.mark.parametrize("package", ["oai", "iiif", "web"])
def test_nothing_outside_the_store_touches_its_tables(package):
    for path in _sources(package):
        schema = {name for name in _modules(path) if name.startswith("store.schema.")}
        bad = {name for name in schema
               if not any(name.startswith(ok) for ok in OUTSIDE_MAY_USE_FROM_SCHEMA)}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"
