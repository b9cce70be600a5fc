"""Metadata formats: each module has PREFIX, SCHEMA, NAMESPACE, NEEDS_SOURCE and build()."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from oai.formats import marc21, mods, oai_dc
from store.records import ItemRecord

Builder = Callable[[etree._Element, ItemRecord, "str | None"], None]


@dataclass(frozen=True, slots=True)
class MetadataFormat:
    """One format the repository disseminates."""

    prefix: str
    schema: str
    namespace: str
    needs_source: bool
    build: Builder


FORMATS: dict[str, MetadataFormat] = {
    module.PREFIX: MetadataFormat(module.PREFIX, module.SCHEMA, module.NAMESPACE,
                                  module.NEEDS_SOURCE, module.build)
    for module in (oai_dc, marc21, mods)
}
