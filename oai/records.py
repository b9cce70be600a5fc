"""Headers and records of items, shared by GetRecord, ListIdentifiers and ListRecords."""

from __future__ import annotations

import functools

from lxml import etree

from oai.dates import format_utc
from oai.envelope import SPEC, Context, T
from oai.errors import OAIError
from oai.formats import FORMATS, MetadataFormat
from oai.provenance import about
from store.europeana import disseminable
from store.read.listing import Listed
from store.read.queries import ITEM_ID
from store.records import MetadataRecord, set_lineage


def metadata_format(prefix: str) -> MetadataFormat:
    """The format of a prefix, or cannotDisseminateFormat."""
    found = FORMATS.get(prefix)
    if found is None:
        raise OAIError("cannotDisseminateFormat",
                       f"this repository offers {', '.join(FORMATS)} only")
    return found


def item_id_of(ctx: Context, identifier: str) -> str | None:
    """The item id inside one of this repository's OAI identifiers, else None."""
    if not identifier.startswith(ctx.id_prefix):
        return None
    item_id = identifier[len(ctx.id_prefix):]
    return item_id if ITEM_ID.fullmatch(item_id) else None


def set_specs(record: MetadataRecord | Listed) -> tuple[str, ...]:
    """The record's sets with their ancestors (a record in a:b is in a), well-formed only."""
    return with_ancestors(tuple(record.sets))


@functools.lru_cache(maxsize=4096)
def with_ancestors(sets: tuple[str, ...]) -> tuple[str, ...]:
    """The well-formed specs and the sets above them, sorted (oai.fragments writes these)."""
    return tuple(sorted({above for spec in sets if SPEC.fullmatch(spec)
                         for above in set_lineage(spec)}))


def header(ctx: Context, parent: etree._Element, record: MetadataRecord) -> None:
    """Append the record's <header> (status="deleted" for a tombstone)."""
    element = etree.SubElement(parent, T["header"])
    if record.deleted:
        element.set("status", "deleted")
    etree.SubElement(element, T["identifier"]).text = ctx.oai_identifier(record.item_id)
    etree.SubElement(element, T["datestamp"]).text = format_utc(record.datestamp)
    for spec in set_specs(record):
        etree.SubElement(element, T["setSpec"]).text = spec


def record(ctx: Context, parent: etree._Element, item: MetadataRecord,
           fmt: MetadataFormat) -> None:
    """Append the <record>: header, and metadata unless the item is deleted."""
    element = etree.SubElement(parent, T["record"])
    header(ctx, element, item)
    if not item.deleted:
        item = ctx.served(item)
        metadata = etree.SubElement(element, T["metadata"])
        if fmt.build_linked is not None:
            fmt.build_linked(metadata, item, ctx.links, ctx.settings)
        elif fmt.build is not None:
            manifest = ctx.manifest_url(item.item_id) if item.page_count > 0 else None
            fmt.build(metadata, item, manifest)
        if item.origin is not None:
            about(element, item.origin)


def disseminates(ctx: Context, fmt: MetadataFormat, item: MetadataRecord) -> bool:
    """Whether the item is served in this format (deleted items are, as headers)."""
    return item.deleted or not fmt.europeana_rules or \
        disseminable(item.edm_lacks, ctx.settings.rights_default)
