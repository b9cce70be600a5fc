"""ListIdentifiers: headers of a window, page by page."""

from __future__ import annotations

from collections.abc import Iterator

from oai.envelope import Context
from oai.lists import build_list
from oai.request import OAIRequest


def build(ctx: Context, request: OAIRequest) -> Iterator[bytes]:
    return build_list(ctx, request)
