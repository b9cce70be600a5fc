"""Metadata formats: each module has PREFIX, SCHEMA, NAMESPACE, NEEDS_SOURCE and build(), and
may have text(), which writes what build() appends as text, for the list pages' fast path.

A format that links to more than the manifest has build_linked() instead of build(), given the
public URLs and the settings; one with EUROPEANA_RULES serves only the items that meet them
(store.europeana)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from oai.formats import edm, marc21, mods, oai_dc
from store.links import Links
from store.records import MetadataRecord
from store.settings import Settings

Builder = Callable[[etree._Element, MetadataRecord, "str | None"], None]
LinkedBuilder = Callable[[etree._Element, MetadataRecord, Links, Settings], None]
Writer = Callable[[MetadataRecord, "str | None"], str]


@dataclass(frozen=True, slots=True)
class MetadataFormat:
    """One format the repository disseminates."""

    prefix: str
    schema: str
    namespace: str
    needs_source: bool
    build: Builder | None
    text: Writer | None = None
    build_linked: LinkedBuilder | None = None
    europeana_rules: bool = False


FORMATS: dict[str, MetadataFormat] = {
    module.PREFIX: MetadataFormat(module.PREFIX, module.SCHEMA, module.NAMESPACE,
                                  module.NEEDS_SOURCE, getattr(module, "build", None),
                                  getattr(module, "text", None),
                                  getattr(module, "build_linked", None),
                                  getattr(module, "EUROPEANA_RULES", False))
    for module in (oai_dc, marc21, mods, edm)
}
