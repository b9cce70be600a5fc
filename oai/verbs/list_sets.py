"""ListSets: every set, with its name and an oai_dc description (one page, sets are few)."""

from __future__ import annotations

from lxml import etree

from oai.envelope import SPEC, Context, T, start
from oai.errors import OAIError
from oai.ns import DC, OAI_DC, OAI_DC_SCHEMA, SCHEMA_LOCATION, XSI, q
from oai.request import OAIRequest
from oai.xmlutil import clean
from store.read.queries import list_sets

_NSMAP = {"oai_dc": OAI_DC, "dc": DC, "xsi": XSI}


def build(ctx: Context, request: OAIRequest) -> etree._Element:
    if request.token is not None:
        raise OAIError("badResumptionToken", "ListSets is given in one response, without tokens")
    sets = [s for s in list_sets(ctx.session) if SPEC.fullmatch(s.spec)]
    if not sets:
        raise OAIError("noSetHierarchy", "this repository has no sets")
    root = start(ctx, ctx.clock(), request)
    listing = etree.SubElement(root, T["ListSets"])
    for found in sets:
        element = etree.SubElement(listing, T["set"])
        etree.SubElement(element, T["setSpec"]).text = found.spec
        etree.SubElement(element, T["setName"]).text = clean(found.name) or found.spec
        description = etree.SubElement(element, T["setDescription"])
        dc = etree.SubElement(description, q(OAI_DC, "dc"), nsmap=_NSMAP)
        dc.set(SCHEMA_LOCATION, f"{OAI_DC} {OAI_DC_SCHEMA}")
        etree.SubElement(dc, q(DC, "title")).text = clean(found.name) or found.spec
        if found.description:
            etree.SubElement(dc, q(DC, "description")).text = clean(found.description)
    return root
