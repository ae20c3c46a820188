"""The follow-up grid as an Excel workbook, both ways, laid out like the authority's grid « Suivi du CPOM »
(seed 000 L893-977); pure, no Django.

Writing (:func:`write_grid`): the title, the two header rows repeated on every printed page (« Echéance » N..N+4
and « Niveau de réalisation » R / NR / EC as sub-columns), one row per grid line with its objective cells merged
over their lines, the baseline and the values of every year so far, then the « ELEMENTS CONCLUSIFS PARTAGES » block
and the signature blocks. The sheet is protected: only the input cells (a declared indicator's « Situation
actuelle », every line's « Commentaires ») are open, and shown as such. Two hidden columns carry, per row, the
line's stable key and a fingerprint of its computed cells as exported.

Reading (:func:`read_grid`): the import finds each line by its key, never by its labels. A computed cell whose text
no longer matches the row's fingerprint was edited in the file (protection can be lifted without a password): it is
refused, naming the cell. The fingerprint, rather than a comparison with the grid of today, is what tells an edit
from a grid recomputed since the export (a new import of accounts changes the values, not the person's file).
Every problem is collected with its sheet, row and column, and the whole file is refused at once
(:class:`cpom.core.importing.DataImportError`); nothing here knows the database.
"""

import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter

from cpom.core import workbooks
from cpom.core.importing import MAX_REPORTED_ERRORS, DataImportError, quoted
from cpom.core.numbers import plain
from cpom.core.text import clean_text
from cpom.core.workbooks import write

SHEET_TITLE = "Suivi du CPOM"
DUE_LABELS = ["N", "N+1", "N+2", "N+3", "N+4"]
LEVEL_LABELS = ["R", "NR", "EC"]
MARK = "X"

STRATEGIC = "Objectifs stratégiques"
OPERATIONAL = "Objectifs opérationnels"
INDICATOR = "Indicateurs"
CATEGORY = "Catégorie"
SITUATION = "Situation actuelle"
DETAILS = "Précisions sur la situation"
TARGET = "Cible"
COMMENT = "Commentaires"
BASELINE = "Valeur initiale"
KEY = "Clé de ligne (ne pas modifier)"
FINGERPRINT = "Contrôle (ne pas modifier)"
IDENTITY = "Grille cpom"  # the hidden cell that names the campaign, above the key column

FIXED_BEFORE = [
    STRATEGIC,
    OPERATIONAL,
    *DUE_LABELS,
    *LEVEL_LABELS,
    INDICATOR,
    CATEGORY,
    SITUATION,
    DETAILS,
    TARGET,
    COMMENT,
]
INPUTS = (SITUATION, DETAILS, COMMENT)
REQUIRED = [*FIXED_BEFORE, BASELINE, KEY, FINGERPRINT]

TITLE_ROW, SUBTITLE_ROW, CONTEXT_ROW = 1, 2, 3
GROUP_ROW, HEADER_ROW = 5, 6
FIRST_LINE_ROW = 7
HEADER_SEARCH_ROWS = 30

# A grid has a few hundred lines; a comment is a paragraph or two (the sources ask for comments that explain gaps).
MAX_COMMENT_LENGTH = 4000
MAX_SITUATION_LENGTH = 100  # the declared value's column
# The grid of a 7-establishment contract weighs some 30 kB: far below, a file has nothing of a grid.
MAX_FILE_BYTES = 5 * 2**20

# Excel writes a control character of a text as « _x0007_ » and shows it back as the character; openpyxl leaves the
# escape as it is, so a control character reaches the import in this form.
EXCEL_CONTROL_ESCAPE = re.compile(r"_x(?:000[0-8]|000[bBcCeEfF]|001[0-9a-fA-F])_")

INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
COMPUTED_FILL = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
OPEN = Protection(locked=False)
WIDTHS = {
    STRATEGIC: 28,
    OPERATIONAL: 32,
    INDICATOR: 40,
    CATEGORY: 16,
    SITUATION: 16,
    DETAILS: 30,
    TARGET: 16,
    COMMENT: 40,
}


@dataclass(frozen=True)
class SheetLine:
    """One row of the grid as the workbook shows it: ``situation`` (the reviewed year's value) is typed in the file
    when ``situation_is_input`` (a declared indicator), else it is the engine's, as is every year of ``values``;
    ``details`` (what explains the situation) and ``comment`` are typed on every line."""

    key: str
    strategic: str
    operational: str
    due_offset: int | None
    level: str  # R, NR, EC or empty: the confirmed level, else the proposed one
    indicator: str
    category: str
    situation: object
    situation_is_input: bool
    target: str
    details: str
    comment: str
    baseline: object = None
    values: dict[int, object] = field(default_factory=dict)
    unit: str = ""


@dataclass(frozen=True)
class SheetGrid:
    identity: str  # « campagne 12 » : which campaign the file belongs to
    title: str  # « CPOM-PDL-2024-049-07 – campagne 2026 (exercice 2025) »
    years: list[int]
    lines: list[SheetLine]
    conclusions: str = ""
    signatures: list[tuple[str, str]] = field(default_factory=list)  # (party, who signed and when, or "")


@dataclass(frozen=True)
class ReadLine:
    """What the file says of one line's input cells, with where they are."""

    key: str
    row: int
    situation: str  # normalised by the caller's rule for the line's value type; empty on a computed line
    details: str
    comment: str


def cell_text(value) -> str:
    """A cell's value as one text, the same whether written by cpom or read back from the file: a number as
    « 12,5 », a date as « 30/06/2026 », a text as it is (trimmed), nothing as « »."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, (int, float, Decimal)):
        # Excel holds a double: what is written is what comes back (a float's shortest text), hence via float.
        return plain(Decimal(repr(float(value))))
    return str(value).strip()


def _computed_columns(years: list[int]) -> list[str]:
    return [label for label in [*FIXED_BEFORE, BASELINE, *(str(y) for y in years)] if label not in INPUTS]


def _fingerprint(texts: list[str]) -> str:
    return hashlib.sha256("\x1f".join(texts).encode()).hexdigest()[:24]


def _row_cells(line: SheetLine, years: list[int], first_of_strategic: bool, first_of_operational: bool) -> dict:
    cells = {
        STRATEGIC: line.strategic if first_of_strategic else None,
        OPERATIONAL: line.operational if first_of_operational else None,
        **{due: MARK if line.due_offset == n else None for n, due in enumerate(DUE_LABELS)},
        **{level: MARK if line.level == level else None for level in LEVEL_LABELS},
        INDICATOR: line.indicator,
        CATEGORY: line.category,
        SITUATION: line.situation,
        DETAILS: line.details,
        TARGET: line.target,
        COMMENT: line.comment,
        BASELINE: line.baseline,
        **{str(year): line.values.get(year) for year in years},
    }
    return cells


def _computed_texts(cells: dict, columns: list[str], situation_is_input: bool) -> list[str]:
    texts = [cell_text(cells.get(label)) for label in columns]
    # A declared indicator's situation is typed in the file; a computed one is part of the fingerprint.
    return [*texts, "" if situation_is_input else cell_text(cells.get(SITUATION))]


def _header(sheet, columns: list[str], years: list[int]) -> None:
    groups = {
        "Echéance": DUE_LABELS,
        "Niveau de réalisation": LEVEL_LABELS,
        "Valeurs par année": [str(y) for y in years],
    }
    index = {label: n for n, label in enumerate(columns, start=1)}
    for label, column in index.items():
        for row in (GROUP_ROW, HEADER_ROW):
            cell = sheet.cell(row=row, column=column)
            cell.font, cell.fill, cell.border, cell.alignment = Font(bold=True), HEADER_FILL, BORDER, CENTRE
        group = next((name for name, members in groups.items() if label in members), None)
        if group is None:
            write(sheet, GROUP_ROW, column, label)
            sheet.merge_cells(start_row=GROUP_ROW, end_row=HEADER_ROW, start_column=column, end_column=column)
        else:
            write(sheet, HEADER_ROW, column, label)
    for name, members in groups.items():
        if members:
            first, last = index[members[0]], index[members[-1]]
            write(sheet, GROUP_ROW, first, name)
            if last > first:
                sheet.merge_cells(start_row=GROUP_ROW, end_row=GROUP_ROW, start_column=first, end_column=last)
    sheet.print_title_rows = f"{GROUP_ROW}:{HEADER_ROW}"


def _merge_runs(sheet, column: int, runs: list[tuple[int, int]]) -> None:
    for first, last in runs:
        if last > first:
            sheet.merge_cells(start_row=first, end_row=last, start_column=column, end_column=column)


def _runs(values: list[str]) -> list[tuple[int, int]]:
    """Consecutive equal values as (first row, last row) runs of the grid's rows."""
    runs: list[tuple[int, int]] = []
    for offset, value in enumerate(values):
        row = FIRST_LINE_ROW + offset
        if runs and values[offset - 1] == value:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


def _footer(sheet, grid: SheetGrid, row: int, width: int) -> None:
    write(sheet, row, 1, "ELEMENTS CONCLUSIFS PARTAGES").font = Font(bold=True)
    block = write(sheet, row + 1, 1, grid.conclusions)
    block.alignment, block.border = WRAP, BORDER
    sheet.merge_cells(start_row=row + 1, end_row=row + 4, start_column=1, end_column=width)
    row += 6
    write(sheet, row, 1, "Signature :").font = Font(bold=True)
    for n, (party, signed) in enumerate(grid.signatures):
        column = 1 + n * 4
        write(sheet, row + 1, column, party).font = Font(bold=True)
        write(sheet, row + 2, column, signed).alignment = WRAP
        sheet.merge_cells(start_row=row + 2, end_row=row + 5, start_column=column, end_column=column + 2)


def write_grid(grid: SheetGrid) -> bytes:
    """The grid's workbook (.xlsx bytes)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    columns = [*FIXED_BEFORE, BASELINE, *(str(y) for y in grid.years), KEY, FINGERPRINT]
    index = {label: n for n, label in enumerate(columns, start=1)}
    write(sheet, TITLE_ROW, 1, "2 – Dialogue de gestion du CPOM").font = Font(bold=True, size=14)
    write(sheet, SUBTITLE_ROW, 1, "Suivi du CPOM").font = Font(bold=True, size=12)
    write(sheet, CONTEXT_ROW, 1, grid.title)
    write(
        sheet, CONTEXT_ROW + 1, 1, "Les cellules jaunes se remplissent ; les autres sont calculées par cpom."
    ).font = Font(italic=True)
    write(sheet, CONTEXT_ROW, index[KEY], IDENTITY)
    write(sheet, CONTEXT_ROW, index[FINGERPRINT], grid.identity)
    _header(sheet, columns, grid.years)
    computed = _computed_columns(grid.years)
    previous: SheetLine | None = None
    for offset, line in enumerate(grid.lines):
        row = FIRST_LINE_ROW + offset
        new_strategic = previous is None or previous.strategic != line.strategic
        new_operational = new_strategic or previous.operational != line.operational
        cells = _row_cells(line, grid.years, new_strategic, new_operational)
        for label, value in cells.items():
            cell = write(sheet, row, index[label], value)
            cell.border, cell.alignment = BORDER, CENTRE if label in DUE_LABELS + LEVEL_LABELS else WRAP
            if label in (DETAILS, COMMENT) or (label == SITUATION and line.situation_is_input):
                cell.protection, cell.fill = OPEN, INPUT_FILL
            elif label not in (STRATEGIC, OPERATIONAL):
                cell.fill = COMPUTED_FILL
            if isinstance(value, (int, float, Decimal)) and line.unit:
                cell.number_format = f'0.##" {line.unit}"' if line.unit != "%" else '0.##" %"'
        write(sheet, row, index[KEY], line.key)
        write(sheet, row, index[FINGERPRINT], _fingerprint(_computed_texts(cells, computed, line.situation_is_input)))
        previous = line
    # Merged like the authority's grid: an objective's cell spans its lines (the anchor row alone holds the text).
    _merge_runs(sheet, index[STRATEGIC], _runs([line.strategic for line in grid.lines]))
    _merge_runs(sheet, index[OPERATIONAL], _runs([f"{line.strategic}\x1f{line.operational}" for line in grid.lines]))
    _footer(sheet, grid, FIRST_LINE_ROW + len(grid.lines) + 1, index[COMMENT])
    for label, column in index.items():
        sheet.column_dimensions[get_column_letter(column)].width = WIDTHS.get(label, 6 if len(label) <= 4 else 12)
    for label in (KEY, FINGERPRINT):
        sheet.column_dimensions[get_column_letter(index[label])].hidden = True
    sheet.freeze_panes = sheet.cell(row=FIRST_LINE_ROW, column=index[INDICATOR])
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    # Protected without a password (it would sit in cpom's code): the fingerprints are what hold the computed cells.
    sheet.protection.sheet = True
    sheet.protection.formatColumns = sheet.protection.formatRows = False
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Reading ----------------------------------------------------------------------------------------------------


class _Problems:
    def __init__(self, file_name: str):
        self.error = DataImportError(file_name)

    def add(self, row: int, column: int | None, label: str | None, message: str) -> None:
        if len(self.error.problems) >= MAX_REPORTED_ERRORS:
            return
        place = f"feuille « {SHEET_TITLE} », ligne {row}"
        if column is not None:
            place += f", colonne {get_column_letter(column)}" + (f" ({label})" if label else "")
        self.error.problems.append(f"{place} : {message}")


def _labels(group: list, header: list) -> dict[str, int]:
    """Each column's label (its sub-header, else its header) → its 0-based index."""
    found: dict[str, int] = {}
    for n in range(max(len(group), len(header))):
        sub = cell_text(header[n]) if n < len(header) else ""
        top = cell_text(group[n]) if n < len(group) else ""
        label = sub or top
        if label and label not in found:
            found[label] = n
    return found


def _group_row(rows: list[list]) -> int | None:
    """The 0-based index of the first header row (the one that names « Indicateurs », merged over both)."""
    for n, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if any(cell_text(value) == INDICATOR for value in row):
            return n
    return None


def _at(row: list, index: int | None):
    return row[index] if index is not None and index < len(row) else None


def _changed_cells(problems, line_row, row, computed, labels, expected: SheetLine | None, years) -> None:
    """Names the computed cells of a row whose fingerprint no longer matches: those that differ from the grid
    of today when it is known, else the whole row."""
    if expected is not None:
        cells = _row_cells(expected, years, True, True)
        named = False
        for label in [*computed, SITUATION]:
            if label == SITUATION and expected.situation_is_input:
                continue
            if label in (STRATEGIC, OPERATIONAL) and cell_text(_at(row, labels.get(label))) == "":
                continue  # a merged objective cell below its anchor holds nothing
            found, wanted = cell_text(_at(row, labels.get(label))), cell_text(cells.get(label))
            if found != wanted:
                problems.add(
                    line_row,
                    labels[label] + 1,
                    label,
                    f"cellule calculée par cpom modifiée dans le fichier ({quoted(found)} au lieu de {quoted(wanted)}) :"
                    " seules les cellules jaunes se remplissent",
                )
                named = True
        if named:
            return
    problems.add(
        line_row,
        None,
        None,
        "une cellule calculée par cpom a été modifiée dans le fichier : seules les cellules jaunes se remplissent "
        "(repartez d'une grille téléchargée à nouveau)",
    )


NOT_A_GRID = (
    f"feuille « {SHEET_TITLE} », ligne {HEADER_ROW} : en-tête de la grille introuvable (colonne « {INDICATOR} ») : "
    "ce classeur n'est pas une grille de suivi téléchargée depuis cpom"
)


def _layout(content: bytes, file_name: str) -> tuple[list[list], int, dict[str, int], str]:
    """The sheet's rows, the index of its first header row, its columns by label and the identity it names."""
    if len(content) > MAX_FILE_BYTES:
        raise DataImportError(
            file_name,
            [f"fichier de {len(content) // 2**20} Mo, {MAX_FILE_BYTES // 2**20} Mo au plus pour une grille de suivi"],
        )
    try:
        rows = list(workbooks.first_sheet_rows(content))
    except workbooks.WorkbookRefused as refused:
        raise DataImportError(
            file_name, [f"{refused} (le fichier doit être la grille téléchargée depuis cpom)"]
        ) from None
    group_at = _group_row(rows)
    if group_at is None or group_at + 1 >= len(rows):
        raise DataImportError(file_name, [NOT_A_GRID])
    labels = _labels(rows[group_at], rows[group_at + 1])
    problems = _Problems(file_name)
    for label in REQUIRED:
        if label not in labels:
            problems.add(
                group_at + 2, None, None, f"colonne « {label} » absente : ne supprimez aucune colonne de la grille"
            )
    if problems.error.problems:
        raise problems.error
    identity_row = next((row for row in rows[:group_at] if cell_text(_at(row, labels[KEY])) == IDENTITY), None)
    return rows, group_at, labels, cell_text(_at(identity_row, labels[FINGERPRINT])) if identity_row else ""


def identity_of(content: bytes, file_name: str) -> str:
    """Which campaign a grid file names (« campagne 12 »), or DataImportError when it is no grid."""
    return _layout(content, file_name)[3]


def read_grid(
    content: bytes,
    file_name: str,
    expected: list[SheetLine],
    normalise: Callable[[str, str], str],
) -> list[ReadLine]:
    """The file's input cells, line by line, or :class:`DataImportError` naming every bad cell.

    ``expected`` is the grid as it stands (its keys are the lines the file may carry); ``normalise(key, text)``
    returns a declared value as stored, or raises ValueError with a French message (the indicator's value type).
    """
    rows, group_at, labels, _ = _layout(content, file_name)
    header_at = group_at + 1
    years = sorted(int(label) for label in labels if label.isdigit() and len(label) == 4)
    computed = _computed_columns(years)
    problems = _Problems(file_name)
    by_key = {line.key: line for line in expected}
    seen: dict[str, int] = {}
    read: list[ReadLine] = []
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        key = cell_text(_at(row, labels[KEY]))
        if not key:
            continue  # the conclusions, the signatures, blank rows
        if key not in by_key:
            problems.add(
                number,
                labels[KEY] + 1,
                KEY,
                f"ligne inconnue {quoted(key)} : elle n'est pas dans la grille de cette campagne",
            )
            continue
        if key in seen:
            problems.add(number, labels[KEY] + 1, KEY, f"ligne {quoted(key)} déjà présente ligne {seen[key]}")
            continue
        seen[key] = number
        line = by_key[key]
        cells = {label: _at(row, labels[label]) for label in [*computed, SITUATION]}
        texts = _computed_texts(cells, computed, line.situation_is_input)
        if _fingerprint(texts) != cell_text(_at(row, labels[FINGERPRINT])):
            _changed_cells(problems, number, row, computed, labels, line, years)
            continue
        situation = _input(problems, number, labels, SITUATION, _at(row, labels[SITUATION]), MAX_SITUATION_LENGTH)
        details = _input(problems, number, labels, DETAILS, _at(row, labels[DETAILS]), MAX_COMMENT_LENGTH)
        comment = _input(problems, number, labels, COMMENT, _at(row, labels[COMMENT]), MAX_COMMENT_LENGTH)
        if situation and line.situation_is_input:
            try:
                situation = normalise(key, situation)
            except ValueError as refused:
                problems.add(number, labels[SITUATION] + 1, SITUATION, str(refused))
                continue
        read.append(ReadLine(key, number, situation if line.situation_is_input else "", details or "", comment or ""))
    if problems.error.problems:
        raise problems.error
    return read


def _input(problems, number: int, labels: dict, label: str, value, limit: int) -> str | None:
    """An input cell's text; a problem (and None) for a control character or a text beyond ``limit``."""
    text = cell_text(value)
    if clean_text(text) != text or EXCEL_CONTROL_ESCAPE.search(text):
        problems.add(
            number, labels[label] + 1, label, "caractère de contrôle invisible dans la cellule : retapez le texte"
        )
        return None
    if len(text) > limit:
        problems.add(number, labels[label] + 1, label, f"texte de {len(text)} caractères, {limit} au plus")
        return None
    return text
