"""The portfolio's tables in Excel, and the programming as the annex of an arrêté de programmation (Word and Excel).

Each workbook sheet holds one :class:`cpom.portfolios.tables.Table` as the page shows it: its title on the first line,
what it covers on the second, its header on the fourth, one line per row, then its total line. Texts go through
:mod:`cpom.core.workbooks` (a text is never a formula).
"""

from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from cpom.core.workbooks import append, sheet_title, write
from cpom.documents.layout import Document, Heading, Text
from cpom.documents.layout import Table as LayoutTable
from cpom.documents.word import to_docx

from .tables import Table, plain

HEADER_ROW = 4


def _sheet(workbook: Workbook, table: Table, context: str, taken: set[str]) -> None:
    sheet = workbook.create_sheet(sheet_title(table.title, taken, table.slug))
    write(sheet, 1, 1, table.title).font = Font(bold=True, size=13)
    write(sheet, 2, 1, context)
    sheet.append([])
    header = append(sheet, table.header)
    for cell in header:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in table.rows:
        for cell in append(sheet, [plain(value) for value in row]):
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    if table.footer:
        for cell in append(sheet, [plain(value) for value in table.footer]):
            cell.font = Font(bold=True)
    for index in range(1, len(table.header) + 1):
        sheet.column_dimensions[sheet.cell(row=HEADER_ROW, column=index).column_letter].width = 22
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)


def workbook(tables: list[Table], context: str) -> bytes:
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for table in tables:
        _sheet(book, table, context, taken)
    output = BytesIO()
    book.save(output)
    return output.getvalue()


def annex_title(authority, years: list[int]) -> str:
    return f"Annexe à l'arrêté de programmation des CPOM {years[0]}-{years[-1]}"


def annex_docx(programming, today: date) -> bytes:
    """The annex of the arrêté de programmation: per year, the managing bodies and their establishments whose CPOM
    is to be signed that year, and the authorities concerned (the usual content of such orders, seed §6.1)."""
    authority, years = programming.authority, programming.years
    blocks = [
        Heading(annex_title(authority, years), 0),
        Text(authority.name, "Autorité"),
        Text(
            f"{len(programming.entries)} organismes gestionnaires, {programming.establishment_count} établissements "
            "et services",
            "Programmation",
        ),
        Text(today.strftime("%d/%m/%Y"), "Édité le"),
    ]
    columns = [1, 2, 3, 6, 7, 8, 9, 11]  # body, SIREN, establishments, authorities, the 3 factors, contract
    header = [programming.table.header[i] for i in columns]
    for year, _entries in programming.by_year():
        blocks.append(Heading(f"Signatures visées en {year}", 1))
        rows = [[str(plain(row[i])) for i in columns] for row in programming.table.rows if row[0] == year]
        if rows:
            blocks.append(LayoutTable(header, rows, (2.6, 1.4, 3.6, 2.4, 1.2, 1.8, 2.2, 1.6)))
        else:
            blocks.append(Text("Aucun organisme gestionnaire programmé cette année."))
    document = Document(
        title=annex_title(authority, years),
        footer=f"{authority.name} – {annex_title(authority, years)}",
        blocks=blocks,
    )
    return to_docx(document)


def annex_xlsx(programming, today: date) -> bytes:
    context = f"{programming.authority.name} – édité le {today.strftime('%d/%m/%Y')}"
    table = programming.table
    table.title = annex_title(programming.authority, programming.years)
    return workbook([table], context)
