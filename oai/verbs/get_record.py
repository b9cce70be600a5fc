"""GetRecord: one item in one format (a header only for a deleted item)."""

from __future__ import annotations

from lxml import etree

from oai.envelope import Context, T, start
from oai.errors import OAIError
from oai.formats import MetadataFormat
from oai.records import disseminates, item_id_of, metadata_format, record
from oai.request import OAIRequest
from store.read.listing import metadata_record
from store.records import MetadataRecord


def build(ctx: Context, request: OAIRequest) -> etree._Element:
    errors: list[OAIError] = []
    fmt: MetadataFormat | None = None
    found: MetadataRecord | None = None
    try:
        fmt = metadata_format(request.args["metadataPrefix"])
    except OAIError as error:
        errors.append(error)
    item_id = item_id_of(ctx, request.args["identifier"])
    if item_id is not None:
        found = metadata_record(ctx.session, item_id, with_source=fmt is None or fmt.needs_source)
    if found is None:
        errors.append(OAIError("idDoesNotExist", "no item has this identifier"))
    if errors:
        raise OAIError(errors[0].code, errors[0].message, *errors[1:])
    assert fmt is not None and found is not None
    if not disseminates(ctx, fmt, found):
        raise OAIError("cannotDisseminateFormat",
                       f"this item cannot be disseminated as {fmt.prefix}: it lacks what the "
                       "format requires (thuvienso check edm lists what)")
    root = start(ctx, ctx.clock(), request)
    record(ctx, etree.SubElement(root, T["GetRecord"]), found, fmt)
    return root
