"""ListMetadataFormats: the formats of the repository, or of one item."""

from __future__ import annotations

from lxml import etree

from oai.envelope import Context, T, start
from oai.errors import OAIError
from oai.formats import FORMATS
from oai.records import disseminates, item_id_of
from oai.request import OAIRequest
from store.read.listing import metadata_record


def build(ctx: Context, request: OAIRequest) -> etree._Element:
    identifier = request.args.get("identifier")
    offered = list(FORMATS.values())
    if identifier is not None:
        item_id = item_id_of(ctx, identifier)
        found = metadata_record(ctx.session, item_id, with_source=False) if item_id else None
        if found is None:
            raise OAIError("idDoesNotExist", "no item has this identifier")
        offered = [fmt for fmt in offered if disseminates(ctx, fmt, found)]
    root = start(ctx, ctx.clock(), request)
    formats = etree.SubElement(root, T["ListMetadataFormats"])
    for fmt in offered:
        element = etree.SubElement(formats, T["metadataFormat"])
        etree.SubElement(element, T["metadataPrefix"]).text = fmt.prefix
        etree.SubElement(element, T["schema"]).text = fmt.schema
        etree.SubElement(element, T["metadataNamespace"]).text = fmt.namespace
    return root
