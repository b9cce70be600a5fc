"""Rights statements: rightsstatements.org statements and Creative Commons licences and tools.

A statement is kept in its canonical form, `http://` with a trailing slash (what Europeana, DPLA
and IIIF Presentation 3.0 expect); `https://`, `www.`, a missing slash, a CC `legalcode` or
`deed` page and a rightsstatements.org `/page/` address name the same statement. A URI of these
hosts that names none is an error; any other URI or text is simply not a statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# rightsstatements.org vocabulary 1.0 (https://rightsstatements.org/en/statements/)
RS_STATEMENTS: dict[str, str] = {
    "InC": "In Copyright",
    "InC-OW-EU": "In Copyright - EU Orphan Work",
    "InC-EDU": "In Copyright - Educational Use Permitted",
    "InC-NC": "In Copyright - Non-Commercial Use Permitted",
    "InC-RUU": "In Copyright - Rights-holder(s) Unlocatable or Unidentifiable",
    "NoC-CR": "No Copyright - Contractual Restrictions",
    "NoC-NC": "No Copyright - Non-Commercial Use Only",
    "NoC-OKLR": "No Copyright - Other Known Legal Restrictions",
    "NoC-US": "No Copyright - United States",
    "CNE": "Copyright Not Evaluated",
    "UND": "Copyright Undetermined",
    "NKC": "No Known Copyright",
}
CC_LICENCES: dict[str, str] = {
    "by": "Attribution", "by-sa": "Attribution-ShareAlike", "by-nd": "Attribution-NoDerivs",
    "by-nc": "Attribution-NonCommercial", "by-nc-sa": "Attribution-NonCommercial-ShareAlike",
    "by-nc-nd": "Attribution-NonCommercial-NoDerivs",
    "by-nd-nc": "Attribution-NoDerivs-NonCommercial",
}
CC_VERSIONS = ("1.0", "2.0", "2.1", "2.5", "3.0", "4.0")
PUBLIC_DOMAIN_MARK = "http://creativecommons.org/publicdomain/mark/1.0/"
CC_TOOLS = {"zero": "CC0 1.0 Universal", "mark": "Public Domain Mark 1.0"}

_HOST = re.compile(r"(?:https?://)?(?:www\.)?(rightsstatements\.org|creativecommons\.org)(/.*)?",
                   re.ASCII | re.IGNORECASE)
_RS_PATH = re.compile(r"/(?:vocab|page)/([A-Za-z-]+)/1\.0", re.ASCII)
_CC_LICENCE = re.compile(r"/licenses/([a-z-]+)/([0-9]\.[0-9])(?:/([a-z]{2,8}))?", re.ASCII)
_CC_TOOL = re.compile(r"/publicdomain/(zero|mark)/1\.0", re.ASCII)
_PAGES = re.compile(r"(/(legalcode|deed)(\.[A-Za-z_-]+)?)?/?$", re.ASCII)
# Europeana's EDM schema (EDM-EXTERNAL-MAIN.xsd, europeana/metis-schema): what edm:rights takes.
_EUROPEANA = re.compile(
    r"http://rightsstatements\.org/vocab/(NoC-NC|NoC-OKLR|InC|InC-EDU|InC-OW-EU|CNE)/1\.0/"
    r"|http://creativecommons\.org/publicdomain/(zero|mark)/1\.0/"
    r"|http://creativecommons\.org/licenses/(by|by-sa|by-nd|by-nc|by-nc-sa|by-nc-nd)/4\.0/"
    r"|http://creativecommons\.org/licenses/(by|by-sa|by-nd|by-nc|by-nc-sa|by-nc-nd|by-nd-nc)"
    r"/[123]\.[0-9]/([a-z]{2,8}/)?", re.ASCII)


@dataclass(frozen=True, slots=True)
class Statement:
    """A rights statement: its canonical URI, English name and the local icon's file name."""

    uri: str
    name: str
    icon: str


def claims_statement(value: str) -> bool:
    """True when the value is an address on rightsstatements.org or creativecommons.org."""
    return _HOST.fullmatch(value.strip()) is not None


def canonical(value: str) -> str | None:
    """The canonical URI of a statement; None for text or a URI of another host.

    Raises ValueError for an address of these hosts that names no statement or licence.
    """
    found = _HOST.fullmatch(value.strip())
    if found is None:
        return None
    host, path = found.group(1).lower(), (found.group(2) or "").split("?")[0].split("#")[0]
    core = path[:_PAGES.search(path).start()]  # type: ignore[union-attr]  # always matches
    if host == "rightsstatements.org":
        rs = _RS_PATH.fullmatch(core)
        if rs and rs.group(1) in RS_STATEMENTS:
            return f"http://rightsstatements.org/vocab/{rs.group(1)}/1.0/"
    elif (cc := _CC_LICENCE.fullmatch(core)) and cc.group(1) in CC_LICENCES \
            and cc.group(2) in CC_VERSIONS and (cc.group(3) is None or cc.group(2) != "4.0"):
        port = f"{cc.group(3)}/" if cc.group(3) else ""
        return f"http://creativecommons.org/licenses/{cc.group(1)}/{cc.group(2)}/{port}"
    elif tool := _CC_TOOL.fullmatch(core):
        return f"http://creativecommons.org/publicdomain/{tool.group(1)}/1.0/"
    raise ValueError(f"{value.strip()[:200]!r} names no rightsstatements.org statement or "
                     "Creative Commons licence")


def statement(uri: str | None) -> Statement | None:
    """The statement of a canonical URI (name and icon), None for anything else."""
    if not uri:
        return None
    try:
        uri = canonical(uri) or ""
    except ValueError:
        return None
    if uri.startswith("http://rightsstatements.org/"):
        code = uri.split("/")[4]
        return Statement(uri, RS_STATEMENTS[code], f"rights/{code.split('-')[0]}.svg")
    if uri.startswith("http://creativecommons.org/publicdomain/"):
        tool = uri.split("/")[4]
        return Statement(uri, CC_TOOLS[tool], f"rights/cc-{tool}.svg")
    if uri.startswith("http://creativecommons.org/licenses/"):
        kind, version, *port = uri.split("/")[4:-1]
        name = f"Creative Commons {CC_LICENCES[kind]} {version}"
        return Statement(uri, name + (f" ({port[0]})" if port else ""), "rights/cc-by.svg")
    return None


def europeana_accepts(uri: str | None) -> bool:
    """Whether Europeana takes this canonical URI as edm:rights."""
    return bool(uri) and _EUROPEANA.fullmatch(uri or "") is not None


def own_statement(rights_uri: str | None, rights_values: list[str]) -> str | None:
    """An item's own statement: its rights URI, else its first dc:rights that is a statement.

    Raises ValueError when either claims to be a statement and names none.
    """
    found = [canonical(rights_uri)] if rights_uri else []
    found += [canonical(value) for value in rights_values]
    return next((uri for uri in found if uri), None)
