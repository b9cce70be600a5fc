"""Identify: who this repository is and how it behaves."""

from __future__ import annotations

import re

from lxml import etree

from oai.dates import format_utc
from oai.envelope import Context, T, start
from oai.ns import OAI_IDENTIFIER, OAI_IDENTIFIER_SCHEMA, SCHEMA_LOCATION, XSI, q
from oai.request import OAIRequest
from store.read.listing import earliest_datestamp

_EMAIL = re.compile(r"\S+@(\S+\.)+\S+")


def build(ctx: Context, request: OAIRequest) -> etree._Element:
    now = ctx.clock()
    root = start(ctx, now, request)
    identify = etree.SubElement(root, T["Identify"])
    settings = ctx.settings
    earliest = earliest_datestamp(ctx.session) or now
    email = settings.admin_email if _EMAIL.fullmatch(settings.admin_email) else \
        f"admin@{settings.repository_identifier}"
    for tag, text in (("repositoryName", settings.repository_name), ("baseURL", ctx.base_url),
                      ("protocolVersion", "2.0"), ("adminEmail", email),
                      ("earliestDatestamp", format_utc(earliest)),
                      ("deletedRecord", "persistent"), ("granularity", "YYYY-MM-DDThh:mm:ssZ"),
                      ("compression", "gzip"), ("compression", "deflate")):
        etree.SubElement(identify, T[tag]).text = text
    # the settings hold a well-formed repositoryIdentifier (store.settings checks it)
    description = etree.SubElement(identify, T["description"])
    element = etree.SubElement(description, q(OAI_IDENTIFIER, "oai-identifier"),
                               nsmap={None: OAI_IDENTIFIER, "xsi": XSI})
    element.set(SCHEMA_LOCATION, f"{OAI_IDENTIFIER} {OAI_IDENTIFIER_SCHEMA}")
    for tag, text in (("scheme", "oai"),
                      ("repositoryIdentifier", settings.repository_identifier),
                      ("delimiter", ":"),
                      ("sampleIdentifier", ctx.oai_identifier("bao-nam-1936"))):
        etree.SubElement(element, q(OAI_IDENTIFIER, tag)).text = text
    return root
