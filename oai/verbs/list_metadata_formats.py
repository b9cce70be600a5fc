"""ListMetadataFormats: the formats of the repository, or of one item."""

from __future__ import annotations

from lxml import etree

from oai.envelope import Context, T, start
from oai.errors import OAIError
from oai.formats import FORMATS
from oai.records import item_id_of
from oai.request import OAIRequest
from store.read.listing import metadata_record


def build(ctx: Context, request: OAIRequest) -> etree._Element:
    identifier = request.args.get("identifier")
    if identifier is not None:
        item_id = item_id_of(ctx, identifier)
        if item_id is None or metadata_record(ctx.session, item_id, with_source=False) is None:
            raise OAIError("idDoesNotExist", "no item has this identifier")
    root = start(ctx, ctx.clock(), request)
    formats = etree.SubElement(root, T["ListMetadataFormats"])
    for fmt in FORMATS.values():
        element = etree.SubElement(formats, T["metadataFormat"])
        etree.SubElement(element, T["metadataPrefix"]).text = fmt.prefix
        etree.SubElement(element, T["schema"]).text = fmt.schema
        etree.SubElement(element, T["metadataNamespace"]).text = fmt.namespace
    return root
