"""The data provider: raw request bytes in, a complete OAI-PMH response document out."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from lxml import etree
from sqlalchemy.orm import Session

from oai.envelope import Context, error_response, serialise
from oai.errors import OAIError
from oai.request import OAIRequest, parse_request, split_query
from oai.verbs import (
    get_record,
    identify,
    list_identifiers,
    list_metadata_formats,
    list_records,
    list_sets,
)
from store.links import Links
from store.records import utc_now
from store.settings import Settings

CONTENT_TYPE = "text/xml; charset=UTF-8"
BUILDERS: dict[str, Callable[[Context, OAIRequest], etree._Element | Iterator[bytes]]] = {
    "Identify": identify.build,
    "ListMetadataFormats": list_metadata_formats.build,
    "ListSets": list_sets.build,
    "GetRecord": get_record.build,
    "ListIdentifiers": list_identifiers.build,
    "ListRecords": list_records.build,
}


def respond(session: Session, settings: Settings, query: bytes, links: Links,
            clock: Callable[[], datetime] = utc_now) -> Iterator[bytes]:
    """Answer one OAI-PMH request given as urlencoded bytes (GET query or POST body).

    The answer comes as chunks of one document; the list verbs make theirs while they are
    read, from the session, which must stay open until the last chunk.
    """
    ctx = Context(session, settings, links, clock)
    request: OAIRequest | None = None
    try:
        request = parse_request(split_query(query))
        built = BUILDERS[request.verb](ctx, request)
    except OAIError as error:
        built = error_response(ctx, request, error)
    if isinstance(built, etree._Element):
        return iter((serialise(built),))
    return built

