"""MARC to MODS 3.7, after the Library of Congress MARC21slim2MODS3-7 stylesheet (main fields)."""

from __future__ import annotations

from lxml import etree

from oai.formats.mods_base import M, related
from oai.marcxml import DataField, MarcRecord
from oai.xmlutil import sub
from store.records import whole_number

_TYPE_OF_RESOURCE = {
    "a": "text", "t": "text", "e": "cartographic", "f": "cartographic", "c": "notated music",
    "d": "notated music", "i": "sound recording-nonmusical", "j": "sound recording-musical",
    "k": "still image", "g": "moving image", "r": "three dimensional object",
    "m": "software, multimedia", "p": "mixed material", "o": "mixed material",
}
_NAME_TYPES = {"00": "personal", "10": "corporate", "11": "conference"}
_NOTE_TAGS = ("500", "501", "502", "504", "508", "511", "518", "530", "533", "534", "538",
              "546", "550", "580", "586")
_PUNCTUATION = " /:;,=+"


def trimmed(value: str) -> str:
    """A subfield without the ISBD punctuation that closes it."""
    value = value.strip().rstrip(_PUNCTUATION)
    if value.endswith(".") and not value.endswith("..") and len(value) > 3 \
            and not value[-3:-1].isupper():
        value = value[:-1]
    return value.strip()


def _joined(field: DataField, codes: str) -> str:
    return " ".join(trimmed(v) for c, v in field.subfields if c in codes and v.strip())


def mods_from_marc(mods: etree._Element, marc: MarcRecord) -> None:
    """Fill an empty <mods:mods> from a MARC record."""
    leader = marc.leader.ljust(24)
    kind = _TYPE_OF_RESOURCE.get(leader[6])
    if kind:
        sub(mods, M["typeOfResource"], kind, {"collection": "yes"} if leader[7] == "c" else None)
    for field in marc.fields("245"):
        _title(mods, field, None)
    for field in marc.fields("130", "240"):
        _title(mods, field, "uniform")
    for field in marc.fields("246"):
        _title(mods, field, "alternative")
    for field in marc.fields("100", "110", "111", "700", "710", "711"):
        _name(mods, field)
    _origin(mods, marc)
    _language(mods, marc)
    for field in marc.fields("300"):
        sub(sub(mods, M["physicalDescription"]), M["extent"], _joined(field, "abcefg"))
    for field in marc.fields("520"):
        sub(mods, M["abstract"], _joined(field, "ab"))
    for field in marc.fields("505"):
        sub(mods, M["tableOfContents"], _joined(field, "agrt"))
    for field in marc.fields(*_NOTE_TAGS):
        sub(mods, M["note"], _joined(field, "abcdefghijklmnopqrstuvwxyz3"))
    for field in marc.fields("600", "610", "611", "630", "648", "650", "651", "653"):
        _subject(mods, field)
    for field in marc.fields("655"):
        sub(mods, M["genre"], _joined(field, "abvxyz"))
    for tag, kind in (("020", "isbn"), ("022", "issn"), ("024", None)):
        for field in marc.fields(tag):
            for value in field.get("a"):
                sub(mods, M["identifier"], trimmed(value), {"type": kind} if kind else None)
    for field in marc.fields("506", "540"):
        sub(mods, M["accessCondition"], _joined(field, "abcdu"),
            {"type": "restriction on access" if field.tag == "506" else "use and reproduction"})
    for field in marc.fields("490", "440", "800", "810", "830"):
        related(mods, _joined(field, "anpv"), "series")
    for field in marc.fields("773"):
        related(mods, _joined(field, "agt"), "host")
    for field in marc.fields("856"):
        for url in field.get("u"):
            sub(sub(mods, M["location"]), M["url"], url.strip())
    info = sub(mods, M["recordInfo"])
    for field in marc.fields("040"):
        for value in field.get("a"):
            sub(info, M["recordContentSource"], value, {"authority": "marcorg"})
    if len(info) == 0:
        mods.remove(info)


def _title(mods: etree._Element, field: DataField, kind: str | None) -> None:
    info = sub(mods, M["titleInfo"], attrib={"type": kind} if kind else None)
    main = _joined(field, "a") or _joined(field, "kfgs")
    skip = (whole_number(field.ind2) or 0) if field.tag == "245" else 0
    if 0 < skip < len(main):
        sub(info, M["nonSort"], main[:skip])
        main = main[skip:]
    sub(info, M["title"], main)
    for code, tag in (("b", "subTitle"), ("n", "partNumber"), ("p", "partName")):
        for value in field.get(code):
            sub(info, M[tag], trimmed(value))


def _name(mods: etree._Element, field: DataField) -> None:
    name = sub(mods, M["name"], attrib={"type": _NAME_TYPES.get(field.tag[1:], "personal")})
    if field.tag.startswith("1"):
        name.set("usage", "primary")
    sub(name, M["namePart"], _joined(field, "abcq") if field.tag[1:] == "00"
        else _joined(field, "abcdn"))
    if field.tag[1:] == "00":
        for value in field.get("d"):
            sub(name, M["namePart"], trimmed(value), {"type": "date"})
    for value in field.get("e"):
        sub(sub(name, M["role"]), M["roleTerm"], trimmed(value), {"type": "text"})
    for value in field.get("4"):
        sub(sub(name, M["role"]), M["roleTerm"], trimmed(value),
            {"type": "code", "authority": "marcrelator"})


def _origin(mods: etree._Element, marc: MarcRecord) -> None:
    origin = sub(mods, M["originInfo"])
    for field in marc.fields("260", "264"):
        for value in field.get("a"):
            sub(sub(origin, M["place"]), M["placeTerm"], trimmed(value), {"type": "text"})
        for value in field.get("b"):
            sub(origin, M["publisher"], trimmed(value))
        for value in field.get("c"):
            sub(origin, M["dateIssued"], trimmed(value))
    for field in marc.fields("250"):
        sub(origin, M["edition"], _joined(field, "ab"))
    fixed = marc.control("008") or ""
    if len(fixed) >= 11 and whole_number(fixed[7:11].strip()) is not None:
        sub(origin, M["dateIssued"], fixed[7:11], {"encoding": "marc"})
    if len(origin) == 0:
        mods.remove(origin)


def _language(mods: etree._Element, marc: MarcRecord) -> None:
    codes: list[str] = []
    fixed = marc.control("008") or ""
    if len(fixed) >= 38 and fixed[35:38].isalpha():
        codes.append(fixed[35:38].lower())
    for field in marc.fields("041"):
        codes.extend(v.strip().lower() for v in field.get("a") if v.strip().isalpha())
    for code in dict.fromkeys(codes):
        sub(sub(mods, M["language"]), M["languageTerm"], code,
            {"type": "code", "authority": "iso639-2b"})


def _subject(mods: etree._Element, field: DataField) -> None:
    subject = sub(mods, M["subject"])
    if field.tag in ("600", "610", "611"):
        name = sub(subject, M["name"],
                   attrib={"type": _NAME_TYPES.get(field.tag[1:], "personal")})
        sub(name, M["namePart"], _joined(field, "abcdq"))
    elif field.tag == "651":
        sub(subject, M["geographic"], _joined(field, "a"))
    elif field.tag == "648":
        sub(subject, M["temporal"], _joined(field, "a"))
    else:
        sub(subject, M["topic"], _joined(field, "a"))
    for code, tag in (("x", "topic"), ("z", "geographic"), ("y", "temporal"), ("v", "genre")):
        for value in field.get(code):
            sub(subject, M[tag], trimmed(value))
    if len(subject) == 0:
        mods.remove(subject)
