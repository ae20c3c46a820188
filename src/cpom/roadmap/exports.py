"""Each table of the portfolio as an Excel workbook, the same rows as the page (texts stay texts: cpom.core.workbooks)."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from cpom.core.workbooks.writing import append, sheet_title

BOLD = Font(bold=True)
DATE = "DD/MM/YYYY"

# slug in the address: (sheet's title, file name's part)
TABLES = {
    "contrats": "Contrats",
    "a-transmettre": "À transmettre",
    "actions-en-retard": "Actions en retard",
    "decisions": "Décisions",
}


def _rows(table: str, portfolio) -> tuple[list[str], list[list]]:
    if table == "contrats":
        return (
            ["Référence", "Intitulé", "Autorités", "État", "Date d'effet", "Date de fin", "Prochaine échéance", "Le"],
            [
                [
                    row.contract.reference,
                    row.contract.title,
                    row.authorities,
                    row.contract.get_state_display(),
                    row.contract.start_date,
                    row.contract.end_date,
                    row.next_due.label if row.next_due else "",
                    row.next_due.day if row.next_due else None,
                ]
                for row in portfolio.contracts
            ],
        )
    if table in ("a-transmettre", "decisions"):
        rows = portfolio.to_send if table == "a-transmettre" else portfolio.decisions
        return (
            ["Pour le", "Contrat", "Nature", "Échéance", "En retard"],
            [[row.due.day, row.reference, row.kind_label, row.due.label, "oui" if row.late else "non"] for row in rows],
        )
    return (
        ["Prévu le", "Contrat", "Nature", "Objectif", "Quoi", "Jours de retard"],
        [[row.due, row.reference, row.what, row.objective, row.label, row.days] for row in portfolio.late],
    )


def table_workbook(table: str, portfolio) -> bytes:
    header, rows = _rows(table, portfolio)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(TABLES[table], set(), "Tableau")
    append(sheet, [f"{TABLES[table]} — {portfolio.managing_body.name}"])[0].font = BOLD
    for cell in append(sheet, header):
        cell.font = BOLD
    for values in rows:
        for cell in append(sheet, values):
            if hasattr(cell.value, "year"):
                cell.number_format = DATE
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
