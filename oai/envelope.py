"""The OAI-PMH response envelope: root, responseDate, request element, errors, serialising."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from lxml import etree
from sqlalchemy.orm import Session

from oai.dates import format_utc
from oai.errors import OAIError
from oai.ns import OAI, OAI_SCHEMA, SCHEMA_LOCATION, XSI, q
from oai.request import OAIRequest
from store.links import Links
from store.records import SET_SPEC, MetadataRecord
from store.settings import Settings

SPEC = SET_SPEC
PREFIX = re.compile(r"[A-Za-z0-9\-_.!~*'()]+", re.ASCII)
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[!-~]+", re.ASCII)
_VALID_ARG = {"metadataPrefix": PREFIX, "set": SPEC, "identifier": _URI}
_NSMAP = {None: OAI, "xsi": XSI}
T = {name: q(OAI, name) for name in (
    "OAI-PMH", "responseDate", "request", "error", "header", "identifier", "datestamp",
    "setSpec", "setName", "setDescription", "metadata", "record", "resumptionToken",
    "Identify", "repositoryName", "baseURL", "protocolVersion", "adminEmail",
    "earliestDatestamp", "deletedRecord", "granularity", "compression", "description",
    "ListMetadataFormats", "metadataFormat", "metadataPrefix", "schema", "metadataNamespace",
    "ListSets", "set", "GetRecord", "ListIdentifiers", "ListRecords", "about")}


@dataclass(frozen=True)
class Context:
    """What every verb builder needs: a session, the settings, the public URLs and a clock."""

    session: Session
    settings: Settings
    links: Links  # the public URLs as harvesters see them
    clock: Callable[[], datetime]  # now, UTC, naive, to the second

    @property
    def base_url(self) -> str:
        """The /oai endpoint."""
        return self.links.oai_endpoint()

    @property
    def manifest_url(self) -> Callable[[str], str]:
        """The IIIF manifest URL of an item id."""
        return self.links.manifest

    @property
    def id_prefix(self) -> str:
        return self.links.oai_id_prefix

    def served(self, record: MetadataRecord) -> MetadataRecord:
        """The record as served: the library's default statement when it has none."""
        default = self.settings.rights_default
        return replace(record, rights_uri=default) if default and not record.rights_uri \
            else record

    def oai_identifier(self, item_id: str) -> str:
        return self.links.oai_identifier(item_id)


def start(ctx: Context, now: datetime, request: OAIRequest | None) -> etree._Element:
    """The root with responseDate and the request element (arguments only when valid)."""
    root = etree.Element(T["OAI-PMH"], nsmap=_NSMAP)
    root.set(SCHEMA_LOCATION, f"{OAI} {OAI_SCHEMA}")
    etree.SubElement(root, T["responseDate"]).text = format_utc(now)
    element = etree.SubElement(root, T["request"])
    element.text = ctx.base_url
    if request is not None:
        element.set("verb", request.verb)
        for name, value in request.args.items():
            pattern = _VALID_ARG.get(name)
            if pattern is None or pattern.fullmatch(value):
                element.set(name, value)
    return root


def error_response(ctx: Context, request: OAIRequest | None, error: OAIError) -> etree._Element:
    """An error response; the request element repeats the arguments only for a valid request."""
    root = start(ctx, ctx.clock(), request if error.echoes_arguments else None)
    for each in (error, *error.also):
        etree.SubElement(root, T["error"], code=each.code).text = each.message
    return root


def serialise(root: etree._Element) -> bytes:
    """The UTF-8 document with its XML declaration."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
