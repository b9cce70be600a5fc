"""MARC 21 to Dublin Core, after the Library of Congress MARC to Dublin Core crosswalk.

Titles, statements and notes are tagged with a language where the record says it: the title with
the item's language (008/35-37, else the first 041 $a), subjects and notes with the language of
cataloguing (040 $b). 245 $b is kept apart as the subtitle.
"""

from __future__ import annotations

from collections.abc import Iterable

from pymarc import Field, Record

from store.records import DCValue, whole_number

# MARC language codes (ISO 639-2/B) to the BCP 47 tags the store uses for xml:lang.
LANG_TAGS = {
    "vie": "vi", "eng": "en", "fre": "fr", "chi": "zh", "ger": "de", "rus": "ru", "jpn": "ja",
    "kor": "ko", "lat": "la", "spa": "es", "ita": "it", "tha": "th", "khm": "km", "lao": "lo",
}
TYPE_OF_RECORD = {
    "a": "Text", "c": "Text", "d": "Text", "t": "Text", "e": "Image", "f": "Image", "g": "Image",
    "k": "Image", "i": "Sound", "j": "Sound", "m": "Software", "o": "Collection",
    "p": "Collection", "r": "PhysicalObject",
}
NAME_TAGS = ("100", "110", "111", "700", "710", "711", "720")
SUBJECT_TAGS = ("600", "610", "611", "630", "650", "653")
COVERAGE_TAGS = ("651", "662", "752")
NOTE_SKIP = {"506", "530", "540", "546"}
LINK_TAGS = tuple(str(t) for t in range(760, 788))
AUTHOR_ROLES = ("aut", "author", "tác giả", "tac gia", "cre")
_TRAILING = " /:;,=."


class Indexed:
    """A record's fields by tag, so that each lookup does not scan the whole record."""

    def __init__(self, record: Record) -> None:
        self.fields, self.leader = record.fields, record.leader
        self._by_tag: dict[str, list[Field]] = {}
        for field in record.fields:
            self._by_tag.setdefault(field.tag, []).append(field)

    def get_fields(self, *tags: str) -> list[Field]:
        """Fields with these tags, in record order."""
        if len(tags) == 1:
            return self._by_tag.get(tags[0], [])
        wanted = set(tags)
        return [f for f in self.fields if f.tag in wanted]


def tidy(value: str) -> str:
    """A subfield value without ISBD punctuation at its end (keeps 'Jr.'-like abbreviations)."""
    value = " ".join(value.split())
    while value and value[-1] in _TRAILING:
        if value[-1] == "." and (len(value) < 3 or value[-3] == " " or value[-2].isupper()):
            break
        value = value[:-1].rstrip()
    return value


def _join(field: Field, codes: str, sep: str = " ") -> str:
    """Subfields joined; with " " their own punctuation is kept, except at the very end."""
    parts = [v if sep == " " else tidy(v) for v in field.get_subfields(*codes)]
    return tidy(sep.join(p.strip() for p in parts if p.strip()))


def lang_tag(code: str | None) -> str | None:
    """The BCP 47 tag of a MARC language code, None when unknown or missing."""
    return LANG_TAGS.get((code or "").strip().lower()[:3])


def item_language(record: Record | Indexed) -> str | None:
    """The MARC code of the item's language: 008/35-37, else the first 041 $a."""
    for field in record.get_fields("008"):
        code = (field.data or "")[35:38].strip().lower()
        if len(code) == 3 and code not in ("|||", "und", "zxx", "mul"):
            return code
    for field in record.get_fields("041"):
        for code in field.get_subfields("a"):
            if code.strip():
                return code.strip().lower()[:3]
    return None


def _cataloguing_language(record: Indexed) -> str | None:
    for field in record.get_fields("040"):
        for code in field.get_subfields("b"):
            return lang_tag(code)
    return None


def _languages(record: Indexed, main: str | None) -> list[str]:
    codes = [main] if main else []
    for field in record.get_fields("041"):
        for value in field.get_subfields(*"abdefghj"):
            codes.extend(value[i:i + 3].lower() for i in range(0, len(value.strip()), 3))
    seen: list[str] = []
    for code in codes:
        if code and code.strip() and code not in seen:
            seen.append(code)
    return seen


def _names(record: Indexed) -> Iterable[DCValue]:
    for field in record.get_fields(*NAME_TAGS):
        name = _join(field, "abcdq" if field.tag[1:] in ("00", "20") else "abcdn")
        if not name:
            continue
        roles = [tidy(r).lower() for r in field.get_subfields("e", "4")]
        author = not roles or any(r.startswith(AUTHOR_ROLES) for r in roles)
        element = "creator" if author or field.tag[0] == "1" else "contributor"
        yield DCValue(element, name)


def _dates(record: Indexed) -> list[str]:
    dates = [_join(f, "c") for f in record.get_fields("260", "264") if f.get_subfields("c")]
    dates = [d.strip("[]©℗ ") for d in dates if d.strip("[]©℗ ")]
    if not dates:
        for field in record.get_fields("008"):
            year = (field.data or "")[7:11]
            if whole_number(year) is not None:
                dates.append(year)
    return dates


def marc_to_dc(marc: Record) -> tuple[tuple[DCValue, ...], str | None]:
    """The Dublin Core values of a MARC record, and its subtitle (245 $b)."""
    record = Indexed(marc)
    language = item_language(record)
    title_lang, note_lang = lang_tag(language), _cataloguing_language(record)
    out: list[DCValue] = []
    subtitle = None
    for field in record.get_fields("245"):
        title = _join(field, "afgknp")
        if title:
            out.append(DCValue("title", title, title_lang))
        subtitle = _join(field, "b") or None
    for field in record.get_fields("246"):
        if _join(field, "ab"):
            out.append(DCValue("title", _join(field, "ab"), title_lang))
    out.extend(_names(record))
    for field in record.get_fields(*SUBJECT_TAGS):
        subject = _join(field, "abcdqtvxyz", " -- ") if field.tag != "653" else _join(field, "a")
        if subject:
            out.append(DCValue("subject", subject, note_lang))
    for field in record.get_fields("520"):
        if _join(field, "ab"):
            out.append(DCValue("description", _join(field, "ab"), note_lang))
    for field in record.fields:
        if field.tag.startswith("5") and field.tag not in NOTE_SKIP | {"520", "534"} \
                and not field.is_control_field() and _join(field, "a"):
            out.append(DCValue("description", _join(field, "a"), note_lang))
    for field in record.get_fields("260", "264"):
        if field.tag == "264" and field.indicator2 not in ("1", " "):
            continue
        publisher = _join(field, "ab", " : ")
        if publisher:
            out.append(DCValue("publisher", publisher))
    out.extend(DCValue("date", d) for d in _dates(record))
    kind = TYPE_OF_RECORD.get(record.leader[6:7]) if record.leader else None
    if kind:
        out.append(DCValue("type", kind))
    out.extend(DCValue("type", _join(f, "a")) for f in record.get_fields("655") if _join(f, "a"))
    out.extend(DCValue("format", _join(f, "a")) for f in record.get_fields("340")
               if _join(f, "a"))
    out.extend(DCValue("format", _join(f, "q")) for f in record.get_fields("856")
               if _join(f, "q"))
    for tag, codes in (("020", "a"), ("022", "a"), ("024", "a"), ("856", "u")):
        for field in record.get_fields(tag):
            for value in field.get_subfields(*codes):
                value = value.strip()
                if value:
                    out.append(DCValue("identifier", f"ISBN {value}" if tag == "020" else
                                       f"ISSN {value}" if tag == "022" else value))
    out.extend(DCValue("source", _join(f, "t")) for f in record.get_fields("534")
               if _join(f, "t"))
    out.extend(DCValue("language", code) for code in _languages(record, language))
    out.extend(DCValue("relation", _join(f, "a")) for f in record.get_fields("530")
               if _join(f, "a"))
    out.extend(DCValue("relation", _join(f, "ot")) for f in record.get_fields(*LINK_TAGS)
               if _join(f, "ot"))
    out.extend(DCValue("coverage", _join(f, "abcdvxyz", " -- ")) for f in
               record.get_fields(*COVERAGE_TAGS) if _join(f, "abcdvxyz", " -- "))
    out.extend(DCValue("rights", _join(f, "a")) for f in record.get_fields("506", "540")
               if _join(f, "a"))
    return tuple(out), subtitle
