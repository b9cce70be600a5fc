"""Builders of small MARC, MARCXML and Dublin Core files for the import tests."""

from __future__ import annotations

from pathlib import Path

from pymarc import Field, Indicators, Record, Subfield, XMLWriter

DATA = Path(__file__).resolve().parents[2] / "data" / "import"
OAI = "http://www.openarchives.org/OAI/2.0/"
DC_HEAD = ('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/">')


def marc_record(control: str | None, title: str = "Truyện Kiều", status: str = "n",
                extra: list[Field] | None = None) -> Record:
    """A UTF-8 book record with the usual fields; `control` None leaves out the 001."""
    record = Record(force_utf8=True)
    record.leader = f"00000{status}am a2200000 a 4500"
    if control is not None:
        record.add_field(Field("001", data=control))
    record.add_field(Field("008", data="240101s1925    vm            000 0 vie d"))
    record.add_field(Field("040", Indicators(" ", " "), [Subfield("a", "VN-HP"),
                                                          Subfield("b", "vie")]))
    record.add_field(Field("100", Indicators("1", " "), [Subfield("a", "Nguyễn Du,"),
                                                          Subfield("d", "1765-1820.")]))
    record.add_field(Field("245", Indicators("1", "0"), [
        Subfield("a", f"{title} :"), Subfield("b", "đoạn trường tân thanh /"),
        Subfield("c", "Nguyễn Du.")]))
    record.add_field(Field("260", Indicators(" ", " "), [
        Subfield("a", "Hà Nội :"), Subfield("b", "Văn học,"), Subfield("c", "1925.")]))
    record.add_field(Field("650", Indicators(" ", "7"), [Subfield("a", "Văn học Việt Nam"),
                                                          Subfield("y", "Thế kỷ 19")]))
    for field in extra or []:
        record.add_field(field)
    return record


def write_marcxml(path: Path, records: list[Record]) -> Path:
    writer = XMLWriter(open(path, "wb"))  # noqa: SIM115 - XMLWriter closes it
    for record in records:
        writer.write(record)
    writer.close()
    return path


def write_mrc(path: Path, records: list[Record]) -> Path:
    path.write_bytes(b"".join(r.as_marc() for r in records))
    return path


def dc_record(values: list[tuple[str, str]]) -> str:
    body = "".join(f"<dc:{name}>{value}</dc:{name}>" for name, value in values)
    return f"{DC_HEAD}{body}</oai_dc:dc>"


def oai_record(identifier: str, values: list[tuple[str, str]] | None,
               deleted: bool = False) -> str:
    status = ' status="deleted"' if deleted else ""
    header = (f"<header{status}><identifier>{identifier}</identifier>"
              "<datestamp>2024-01-01</datestamp></header>")
    metadata = f"<metadata>{dc_record(values)}</metadata>" if values is not None else ""
    return f"<record>{header}{metadata}</record>"


def list_records(records: list[str]) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<OAI-PMH xmlns="{OAI}"><responseDate>2024-01-01T00:00:00Z</responseDate>'
            '<request verb="ListRecords">http://example.org/oai</request>'
            f'<ListRecords>{"".join(records)}</ListRecords></OAI-PMH>').encode()


def marc8_record() -> bytes:
    """A Vietnamese book record in MARC-8 (ANSEL combining marks precede their letter)."""
    hook, grave, circ, tilde, dot = "\xe0", "\xe1", "\xe3", "\xe4", "\xf2"
    d_bar_cap, u_horn, o_horn = "\xa3", "\xbd", "\xbc"
    record = Record(to_unicode=False)  # Leader/09 blank: MARC-8
    record.leader = "00000nam  2200000 a 4500"
    record.add_field(Field("001", data="  hp-marc8-01  "))
    record.add_field(Field("008", data="240101s1925    vm            000 0 vie d"))
    record.add_field(Field("245", Indicators("1", "0"), [
        Subfield("a", f"Truy{circ}{dot}en Ki{circ}{grave}eu :"),
        Subfield("b", f"{d_bar_cap}o{dot}an tr{u_horn}{grave}{o_horn}ng t{circ}an thanh")]))
    record.add_field(Field("100", Indicators("1", " "), [
        Subfield("a", f"Nguy{circ}{tilde}en Du")]))
    record.add_field(Field("260", Indicators(" ", " "), [
        Subfield("a", f"H{hook}ai Ph{grave}ong :"),
        Subfield("b", f"Nh{grave}a in {d_bar_cap}{circ}ong D{u_horn}{o_horn}ng")]))
    record.add_field(Field("650", Indicators(" ", "4"), [Subfield("a", f"Th{o_horn} ca")]))
    return record.as_marc()
