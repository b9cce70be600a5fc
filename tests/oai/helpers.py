"""Helpers of the OAI-PMH tests: fetch, validate, follow resumption tokens."""

from __future__ import annotations

from lxml import etree

from tests.oai.schemas import assert_valid

NS = {"o": "http://www.openarchives.org/OAI/2.0/",
      "dc": "http://purl.org/dc/elements/1.1/",
      "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
      "marc": "http://www.loc.gov/MARC21/slim",
      "mods": "http://www.loc.gov/mods/v3",
      "id": "http://www.openarchives.org/OAI/2.0/oai-identifier"}
PREFIX = "oai:thuvienso.local:"


def fetch(client, query: str | bytes, method: str = "GET", **headers) -> etree._Element:
    """One request; asserts 200, the content type and schema validity."""
    if method == "GET":
        if isinstance(query, bytes):
            response = client.get("/oai", headers=headers, environ_overrides={
                "QUERY_STRING": query.decode("latin-1")})
        else:
            response = client.get("/oai?" + query, headers=headers)
    else:
        response = client.post("/oai", data=query, headers=headers,
                               content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/xml; charset=UTF-8"
    return assert_valid(response.data)


def error_codes(root: etree._Element) -> list[str]:
    return root.xpath("o:error/@code", namespaces=NS)


def x(root: etree._Element, path: str) -> list:
    return root.xpath(path, namespaces=NS)


def all_pages(client, query: str) -> list[etree._Element]:
    """Every page of a list request, following resumptionTokens."""
    pages = [fetch(client, query)]
    verb = query.split("verb=")[1].split("&")[0]
    while True:
        token = x(pages[-1], "//o:resumptionToken/text()")
        if not token:
            return pages
        pages.append(fetch(client, f"verb={verb}&resumptionToken={token[0]}"))


def listed_ids(pages: list[etree._Element]) -> list[str]:
    return [i.removeprefix(PREFIX) for p in pages for i in x(p, "//o:header/o:identifier/text()")]
