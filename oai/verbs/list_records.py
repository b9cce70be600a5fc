"""ListRecords: records of a window in one format, page by page."""

from __future__ import annotations

from lxml import etree

from oai.envelope import Context
from oai.lists import build_list
from oai.records import record
from oai.request import OAIRequest


def build(ctx: Context, request: OAIRequest) -> etree._Element:
    return build_list(ctx, request, record)
