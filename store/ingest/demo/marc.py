"""A MARC 21 source record for a demo book, so that marc21 export has real records to show."""

from __future__ import annotations

from pymarc import Field, Indicators, Record, Subfield

from store.ingest.marc import record_to_marcxml
from store.records import ItemInput

_BLANK = Indicators(" ", " ")


def _name(value: str) -> list[Subfield]:
    name, _, dates = value.partition(", ")
    return [Subfield("a", f"{name}," if dates else name)] + \
        ([Subfield("d", dates)] if dates else [])


def book_marcxml(item: ItemInput) -> str:
    """MARCXML of a demo book, made from its Dublin Core values (UTF-8, Leader/09 'a')."""
    values: dict[str, list[str]] = {}
    for value in item.metadata:
        values.setdefault(value.element, []).append(value.value)
    first = values.get
    year = (first("date") or ["    "])[0][:4]
    languages = [v for v in first("language") or [] if len(v) == 3] or ["vie"]
    record = Record(force_utf8=True, leader="00000nam a2200000 i 4500")
    record.add_field(Field("001", data=item.item_id))
    record.add_field(Field("008", data=f"240101s{year}    vm            000 0 {languages[0]} d"))
    for isbn in (v for v in first("identifier") or [] if v.startswith("ISBN ")):
        record.add_field(Field("020", _BLANK, [Subfield("a", isbn[5:])]))
    record.add_field(Field("040", _BLANK, [Subfield("a", "VN-HP"), Subfield("b", "vie"),
                                           Subfield("e", "rda")]))
    if len(languages) > 1:
        record.add_field(Field("041", Indicators("0", " "),
                               [Subfield("a", code) for code in languages]))
    creators = first("creator") or []
    if creators:
        record.add_field(Field("100", Indicators("1", " "), _name(creators[0])))
    title = [Subfield("a", (first("title") or [item.item_id])[0] + (" :" if item.subtitle
                                                                      else ""))]
    if item.subtitle:
        title.append(Subfield("b", item.subtitle))
    record.add_field(Field("245", Indicators("1" if creators else "0", "0"), title))
    record.add_field(Field("264", Indicators(" ", "1"), [
        Subfield("a", f"{(first('coverage') or ['Hà Nội'])[0]} :"),
        Subfield("b", f"{(first('publisher') or ['[s.n.]'])[0]},"), Subfield("c", year)]))
    for description in first("description") or []:
        record.add_field(Field("520", _BLANK, [Subfield("a", description)]))
    for subject in first("subject") or []:
        record.add_field(Field("650", Indicators(" ", "7"), [Subfield("a", subject),
                                                              Subfield("2", "vnbl")]))
    for creator in creators[1:]:
        record.add_field(Field("700", Indicators("1", " "), _name(creator)))
    for contributor in first("contributor") or []:
        name = contributor.removesuffix(" (dịch)")
        record.add_field(Field("700", Indicators("1", " "),
                               [*_name(name), Subfield("e", "dịch giả")]))
    if item.rights_uri:
        record.add_ordered_field(Field("540", _BLANK, [Subfield("u", item.rights_uri)]))
    return record_to_marcxml(record)
