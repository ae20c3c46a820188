"""Workbook cells: a text is a string cell holding exactly the text, whatever it starts with; pure, no database."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from cpom.core.workbooks import append, sheet_title, write

pytestmark = pytest.mark.pure

TYPED_LIKE_FORMULAS = [
    "=2+3",
    '=HYPERLINK("http://exemple.fr/?"&A1,"Cliquez ici")',
    "+33 2 40 00 00 00",
    "-2",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "#N/A",
    "=",
    "Foyer = maison",
]


def _read_back(workbook):
    buffer = BytesIO()
    workbook.save(buffer)
    return load_workbook(BytesIO(buffer.getvalue()))


@pytest.mark.parametrize("text", TYPED_LIKE_FORMULAS)
def test_a_text_is_read_back_as_the_same_text_in_a_string_cell(text):
    workbook = Workbook()
    write(workbook.active, 2, 3, text)
    cell = _read_back(workbook).active["C2"]
    assert (cell.value, cell.data_type) == (text, "s")
    assert cell.quotePrefix == text.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_numbers_dates_and_blanks_keep_their_type_and_rows_follow_each_other():
    workbook = Workbook()
    sheet = workbook.active
    append(sheet, ["FINESS", "440005015", Decimal("-1250.50"), 3, date(2026, 12, 31), None])
    append(sheet, [])
    append(sheet, ["code"])
    sheet = _read_back(workbook).active
    assert [c.data_type for c in sheet[1]] == ["s", "s", "n", "n", "d"]
    assert sheet["C1"].value == -1250.5 and sheet["B1"].value == "440005015"
    assert sheet["A2"].value is None and sheet["A3"].value == "code"


def test_a_control_character_does_not_reach_the_workbook():
    workbook = Workbook()
    write(workbook.active, 1, 1, "Taux\x08 régional\x0b2027")
    assert _read_back(workbook).active["A1"].value == "Taux régional\n2027"


def test_sheet_titles_are_ones_excel_accepts_and_unique():
    taken: set[str] = set()
    assert sheet_title("Comparaison", taken, "Comparaison") == "Comparaison"
    assert sheet_title("Taux [régional]: 1/2 ?", taken, "Scénario") == "Taux -régional-- 1-2 -"
    assert sheet_title("comparaison", taken, "Scénario") == "comparaison (2)"
    assert sheet_title("'\x08'", taken, "Scénario") == "Scénario"
    assert len(sheet_title("x" * 40, taken, "Scénario")) == 31
