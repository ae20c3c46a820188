"""Hostile workbooks, made here in a few kilobytes: each is refused before openpyxl spends anything on it, with a
French message naming the file; an honest workbook with a stray far cell is still read."""

import io
import time
import zipfile

import pytest

from cpom.core.importing import DataImportError
from cpom.finance.accounting.trial_balance import read_trial_balance
from cpom.indicators.importers import read_template

pytestmark = pytest.mark.pure

MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        '<sheet name="Balance" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    ),
}
HEADER = (
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>compte</t></is></c><c r="B1" t="inlineStr"><is><t>libelle</t></is></c>'
    b'<c r="C1" t="inlineStr"><is><t>debit</t></is></c><c r="D1" t="inlineStr"><is><t>credit</t></is></c></row>'
)


def account(row: int, extra: bytes = b"") -> bytes:
    return (
        (
            f'<row r="{row}"><c r="A{row}"><v>606100</v></c><c r="B{row}" t="inlineStr"><is><t>Électricité</t></is></c>'
            f'<c r="C{row}"><v>1250.5</v></c><c r="D{row}"><v>0</v></c>'
        ).encode()
        + extra
        + b"</row>"
    )


def xlsx(rows: bytes, shared_strings: bytes = b"", dimension: bytes = b"", prefix: bytes = b"") -> bytes:
    """A workbook from the raw XML of its sheet's rows: the kind of file an attacker writes by hand."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        for name, xml in PARTS.items():
            package.writestr(name, xml)
        dimension_xml = b'<dimension ref="%s"/>' % dimension if dimension else b""
        package.writestr(
            "xl/worksheets/sheet1.xml",
            b"<worksheet " + MAIN + b">" + dimension_xml + b"<sheetData>" + rows + b"</sheetData></worksheet>",
        )
        package.writestr("xl/sharedStrings.xml", b"<sst " + MAIN + b">" + shared_strings + b"</sst>")
    return out.getvalue()


def refusal(content: bytes, file_name="balance.xlsx") -> tuple[str, float]:
    started = time.perf_counter()
    with pytest.raises(DataImportError) as refused:
        read_trial_balance(content, file_name)
    return str(refused.value), time.perf_counter() - started


def test_an_honest_hand_made_workbook_is_read():
    balance = read_trial_balance(xlsx(HEADER + account(2)), "balance.xlsx")
    assert [(a.number, a.label, a.debit) for a in balance.accounts] == [("606100", "Électricité", 1250.5)]


def test_two_million_empty_rows_in_a_few_kilobytes_are_refused_before_parsing():
    content = xlsx(HEADER + account(2) + b"<row/>" * 2_000_000)
    assert len(content) < 50_000
    message, seconds = refusal(content, "balance-2025.xlsx")
    assert message == (
        "Fichier balance-2025.xlsx refusé, rien n'a été importé :\n- ce classeur compte 2\u00a0000\u00a0002 lignes, "
        "100\u00a0000 au plus : enregistrez les seules données à importer dans un nouveau classeur, sans lignes vides "
        "mises en forme en dessous"
    )
    assert seconds < 4


def test_rows_hidden_behind_a_namespace_prefix_are_counted_too():
    rows = HEADER + b"".join(
        b'<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>' for _ in range(100_000)
    )
    assert "ce classeur compte 100\u00a0001 lignes" in refusal(xlsx(rows))[0]


def test_a_huge_shared_strings_table_is_refused_before_openpyxl_loads_it():
    content = xlsx(HEADER + account(2), shared_strings=b"<si><t>x</t></si>" * 600_000)
    assert len(content) < 50_000
    message, seconds = refusal(content)
    assert "ce classeur compte 600\u00a0000 textes différents, 500\u00a0000 au plus" in message
    assert seconds < 4


def test_a_declared_dimension_of_two_million_rows_is_refused():
    message, _ = refusal(xlsx(HEADER + account(2), dimension=b"A1:XFD2000000"))
    assert "ce classeur compte 2\u00a0000\u00a0000 lignes déclarées, 100\u00a0000 au plus" in message


def test_parts_that_would_inflate_beyond_the_bound_are_refused_from_the_zip_directory():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        for name, xml in PARTS.items():
            package.writestr(name, xml)
        package.writestr("xl/media/image1.xml", b"\0" * (70 * 2**20))
    message, seconds = refusal(out.getvalue())
    assert "une fois décompressé, ce classeur ferait 70 Mo, 64 Mo au plus" in message
    assert seconds < 4


def test_a_row_numbered_far_below_the_data_is_refused_without_reading_a_million_empty_rows():
    message, seconds = refusal(xlsx(HEADER + account(2) + account(1_000_000)))
    assert "ce classeur compte 100\u00a0001 lignes au moins, 100\u00a0000 au plus" in message
    assert seconds < 4


def test_a_stray_cell_in_the_last_column_costs_nothing_and_the_balance_is_read():
    stray = b'<c r="XFD%d" t="inlineStr"><is><t>note</t></is></c>'
    rows = HEADER + b"".join(
        account(n, stray % n).replace(b"<v>606100</v>", f"<v>{606100 + n}</v>".encode()) for n in range(2, 2002)
    )
    started = time.perf_counter()
    balance = read_trial_balance(xlsx(rows), "balance.xlsx")
    assert len(balance.accounts) == 2000 and time.perf_counter() - started < 4


def test_an_entity_expansion_bomb_is_refused_as_unreadable():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lollollollollollollollollollol">'
        + b"".join(b'<!ENTITY lol%d "%s">' % (i + 1, b"&lol%d;" % i * 10 if i else b"&lol;" * 10) for i in range(9))
        + b"]>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, xml in PARTS.items():
            package.writestr(name, xml)
        package.writestr(
            "xl/worksheets/sheet1.xml",
            bomb
            + b"<worksheet "
            + MAIN
            + b"><sheetData>"
            + HEADER
            + b'<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>',
        )
        package.writestr("xl/sharedStrings.xml", b"<sst " + MAIN + b"/>")
    message, seconds = refusal(out.getvalue())
    assert message.endswith("- ce classeur Excel (.xlsx) est illisible ou endommagé")
    assert seconds < 4


def test_the_indicator_template_is_bounded_the_same_way():
    with pytest.raises(DataImportError) as refused:
        read_template(xlsx(b"<row/>" * 200_000), "donnees-440005015.xlsx")
    assert str(refused.value).startswith(
        "Fichier donnees-440005015.xlsx refusé, rien n'a été importé :\n- ce classeur compte 200\u00a0000 lignes"
    )
