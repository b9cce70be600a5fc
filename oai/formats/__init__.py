"""Metadata formats: each module has PREFIX, SCHEMA, NAMESPACE, NEEDS_SOURCE and build(), and
may have text(), which writes what build() appends as text, for the list pages' fast path."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from oai.formats import marc21, mods, oai_dc
from store.records import MetadataRecord

Builder = Callable[[etree._Element, MetadataRecord, "str | None"], None]
Writer = Callable[[MetadataRecord, "str | None"], str]


@dataclass(frozen=True, slots=True)
class MetadataFormat:
    """One format the repository disseminates."""

    prefix: str
    schema: str
    namespace: str
    needs_source: bool
    build: Builder
    text: Writer | None = None


FORMATS: dict[str, MetadataFormat] = {
    module.PREFIX: MetadataFormat(module.PREFIX, module.SCHEMA, module.NAMESPACE,
                                  module.NEEDS_SOURCE, module.build, getattr(module, "text", None))
    for module in (oai_dc, marc21, mods)
}
