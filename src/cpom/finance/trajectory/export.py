"""The trajectory workbook: the scenarios side by side, then one sheet per scenario, amounts as real numbers in euros;
every cell through :mod:`cpom.core.workbooks`, so that a name typed like a formula stays a text."""

from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cpom.contracts.models import Contract
from cpom.core import numbers
from cpom.core.workbooks import sheet_title, write
from cpom.finance.trajectory.projection import Sums, yearly_rates
from cpom.finance.trajectory.services import ScenarioRun, comparison, given_rates

EUROS = '#,##0.00 "€"'
BOLD = Font(bold=True)

ESTABLISHMENT_HEADERS = [
    "Établissement",
    "FINESS",
    "Année",
    "Enveloppe (€)",
    "dont convergence (€)",
    "dont mesures nouvelles (€)",
    "Autres produits (€)",
    "Dépenses (€)",
    "dont mesures nouvelles (€)",
    "Résultat (€)",
]
ALLOCATION_HEADERS = [
    "Année",
    "Résultat de l'année (€)",
    "Report de l'année précédente (€)",
    "Résultat à affecter (€)",
    "Affecté aux réserves (€)",
    "Affecté à l'investissement (€)",
    "Déficit couvert par les réserves (€)",
    "Report à nouveau (€)",
    "Réserves en fin d'année (€)",
]


def trajectory_workbook(contract: Contract, runs: list[ScenarioRun]) -> bytes:
    workbook = Workbook()
    titles: set[str] = set()
    _comparison(workbook.active, contract, runs, sheet_title("Comparaison", titles, "Comparaison"))
    for run in runs:
        _scenario_sheet(workbook.create_sheet(sheet_title(run.scenario.name, titles, "Scénario")), run)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header(sheet: Worksheet, row: int, headers: list[str]) -> None:
    for column, text in enumerate(headers, start=1):
        write(sheet, row, column, text).font = BOLD


def _row(sheet: Worksheet, row: int, labels: list, amounts: list[Decimal | None], bold: bool = False) -> None:
    for column, value in enumerate([*labels, *amounts], start=1):
        cell = write(sheet, row, column, value)
        if column > len(labels):
            cell.number_format = EUROS
        if bold:
            cell.font = BOLD


def _widths(sheet: Worksheet, widths: list[int]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def _comparison(sheet: Worksheet, contract: Contract, runs: list[ScenarioRun], title: str) -> None:
    sheet.title = title
    _header(sheet, 1, ["Grandeur", "Année", *(run.scenario.name for run in runs)])
    sheet.freeze_panes = "C2"
    lines = comparison(runs)
    for row, line in enumerate(lines, start=2):
        _row(sheet, row, [line.quantity, line.label], line.amounts, bold=line.is_total)
    write(sheet, len(lines) + 3, 1, f"{contract.reference} – {contract.managing_body}")
    _widths(sheet, [34, 18, *([26] * len(runs))])


def _sums_amounts(sums: Sums) -> list[Decimal]:
    return [
        sums.envelope,
        sums.convergence,
        sums.measures_envelope,
        sums.other_income,
        sums.expenses,
        sums.measures_expenses,
        sums.result,
    ]


def _scenario_sheet(sheet: Worksheet, run: ScenarioRun) -> None:
    trajectory, labels = run.trajectory, run.year_labels
    _header(sheet, 1, ESTABLISHMENT_HEADERS)
    sheet.freeze_panes = "D2"
    row = 2
    for base in trajectory.establishments:
        finess = run.establishments[base.key].finess
        for year in trajectory.rows[base.key]:
            _row(sheet, row, [base.name, finess, labels[year.year]], _sums_amounts(Sums.of([year])))
            row += 1
        _row(
            sheet,
            row,
            [base.name, finess, "Total du contrat"],
            _sums_amounts(trajectory.establishment_totals(base.key)),
            bold=True,
        )
        row += 1
    for year in trajectory.years:
        _row(sheet, row, ["Ensemble du contrat", "", labels[year.year]], _sums_amounts(year.sums), bold=True)
        row += 1
    _row(sheet, row, ["Ensemble du contrat", "", "Total du contrat"], _sums_amounts(trajectory.totals), bold=True)
    row = _allocation(sheet, row + 2, run)
    _assumptions(sheet, row + 2, run)
    _widths(sheet, [34, 12, 16, *([20] * (len(ESTABLISHMENT_HEADERS) - 3))])


def _allocation(sheet: Worksheet, row: int, run: ScenarioRun) -> int:
    """The allocation of the contract's result, year by year; returns the last row written."""
    trajectory = run.trajectory
    write(sheet, row, 1, "Affectation des résultats du contrat").font = BOLD
    _header(sheet, row + 1, ALLOCATION_HEADERS)
    row += 2
    _row(sheet, row, ["Début du contrat"], [None] * 7 + [trajectory.opening_reserves])
    for year in trajectory.years:
        row += 1
        _row(
            sheet,
            row,
            [run.year_labels[year.year]],
            [
                year.result,
                year.carried_in,
                year.to_allocate,
                year.to_reserves,
                year.to_investment,
                year.covered_by_reserves,
                year.carried_out,
                year.reserves,
            ],
        )
    row += 1
    _row(
        sheet,
        row,
        ["Total du contrat"],
        [
            trajectory.totals.result,
            None,
            None,
            trajectory.to_reserves,
            trajectory.to_investment,
            trajectory.covered_by_reserves,
            trajectory.carried_to_next_contract,
            trajectory.closing_reserves,
        ],
        bold=True,
    )
    return row


def _assumptions(sheet: Worksheet, row: int, run: ScenarioRun) -> None:
    scenario, duration = run.scenario, len(run.year_labels)
    write(sheet, row, 1, "Hypothèses du scénario").font = BOLD
    lines = [
        ("Taux d'évolution de l'enveloppe", yearly_rates(given_rates(scenario.envelope_rates), duration)),
        ("Taux d'évolution des dépenses", yearly_rates(given_rates(scenario.expense_rates), duration)),
    ]
    for label, rates in lines:
        row += 1
        write(sheet, row, 1, label)
        write(
            sheet,
            row,
            2,
            " ; ".join(f"{year} : {numbers.rate(value)}" for year, value in zip(run.year_labels, rates, strict=True)),
        )
    facts = [
        (
            "Coût cible à la place (€)",
            scenario.convergence_target if scenario.convergence_target is not None else "pas de convergence",
        ),
        ("Années de convergence", scenario.convergence_years),
        ("Affectation des excédents", scenario.get_surplus_rule_display()),
        ("Affectation des déficits", scenario.get_deficit_rule_display()),
        ("Réserves au début du contrat (€)", scenario.opening_reserves),
    ]
    for label, value in facts:
        row += 1
        write(sheet, row, 1, label)
        cell = write(sheet, row, 2, value)
        if isinstance(value, Decimal):
            cell.number_format = EUROS
