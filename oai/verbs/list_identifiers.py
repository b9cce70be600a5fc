"""ListIdentifiers: headers of a window, page by page."""

from __future__ import annotations

from lxml import etree

from oai.envelope import Context
from oai.formats import MetadataFormat
from oai.lists import build_list
from oai.records import header
from oai.request import OAIRequest
from store.records import ItemRecord


def _emit(ctx: Context, parent: etree._Element, item: ItemRecord, _fmt: MetadataFormat) -> None:
    header(ctx, parent, item)


def build(ctx: Context, request: OAIRequest) -> etree._Element:
    return build_list(ctx, request, _emit)
