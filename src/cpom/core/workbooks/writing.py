"""Writing Excel workbooks: every text is a text, never a formula; pure, no Django.

openpyxl turns any string that starts with « = » into a formula, so a scenario named
``=HYPERLINK("http://…"&A1,"Cliquez ici")`` or a contract reference ``=2+3`` would run in the reader's Excel. Every
workbook writer goes through :func:`write` or :func:`append`: a string is stored as a string cell holding exactly
the text (control characters aside, which Excel cannot hold), with the quote prefix when it starts like a formula so
that editing the cell in Excel keeps it a text. Numbers, dates and empty cells stay what they are.
"""

import re

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from cpom.core.text import clean_text

# What a spreadsheet may read as the start of a formula, in Excel or LibreOffice (OWASP's « CSV injection » list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
FORBIDDEN_IN_TITLES = re.compile(r"[\[\]:*?/\\]")
TITLE_LENGTH = 31  # Excel's limit


def _hold(cell: Cell, value) -> Cell:
    if isinstance(value, str):
        text = clean_text(value)
        cell.value = text
        cell.data_type = "s"  # set after the value: openpyxl has just guessed « f » for a leading « = »
        if text.startswith(FORMULA_START):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def write(sheet: Worksheet, row: int, column: int, value) -> Cell:
    """The cell at (row, column) holding ``value``; a text is written as a text."""
    return _hold(sheet.cell(row=row, column=column), value)


def append(sheet: Worksheet, values: list) -> list[Cell]:
    """``values`` as a new row under the last one, as :func:`write` writes them (an empty list leaves a blank row)."""
    cells = [_hold(Cell(sheet), value) for value in values]
    sheet.append(cells)
    return cells


def sheet_title(name: str, taken: set[str], fallback: str) -> str:
    """A sheet title Excel accepts (no []:*?/\\, no apostrophe at either end, 31 characters), unique in the
    workbook (``taken`` holds the titles already given, in lower case, and receives this one)."""
    base = (
        FORBIDDEN_IN_TITLES.sub("-", clean_text(name)).strip().strip("'")[:TITLE_LENGTH].strip().strip("'") or fallback
    )
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: TITLE_LENGTH - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title
