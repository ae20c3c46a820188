"""Imports of data elements: a long CSV file, or the Excel template cpom generates per establishment.

All or nothing: every line is checked first; any error (file, line, column, in French)
refuses the whole file and writes nothing. Accepted values replace earlier ones for
the same establishment, year and element, and remember which import they came from.
"""

import csv
import getpass
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from cpom.audit.services import record
from cpom.core import workbooks
from cpom.core.importing import MAX_REPORTED_ERRORS, DataImportError
from cpom.core.numbers import read_decimal_or_none
from cpom.core.text import agreed, plural
from cpom.core.workbooks import append
from cpom.import_slots import import_slot, imported
from cpom.registry.models import Establishment, ManagingBody

from . import rules
from .catalogues import known_element
from .models import DataElement, DataValue, ImportBatch

CSV_COLUMNS = ["finess", "annee", "element", "valeur"]
# Head-office data: the same file keyed by the managing body's SIREN.
HEAD_OFFICE_COLUMNS = ["siren", "annee", "element", "valeur"]
YEAR_RANGE = range(1990, 2101)
TEMPLATE_COLUMNS = ["code", "libelle", "unite", "valeur"]


@dataclass(frozen=True)
class Row:
    line: int
    holder: str  # FINESS of an establishment, or SIREN of a managing body for head-office data
    year: int
    element: str
    value: Decimal


@dataclass
class ImportReport:
    batch: ImportBatch
    created: int
    updated: int


def _in_file(line: int, column: str | None = None) -> str:
    return f"ligne {line}" + (f", colonne {column}" if column else "")


class _Checker:
    """Checks rows one by one, collecting every problem with its place."""

    def __init__(self, file_name: str, level: str = "establishment", place=_in_file):
        self.error = DataImportError(file_name)
        self.place = place  # how a row is named in the messages: « ligne 12 » in a file
        self.level = level
        self.known_elements = set(DataElement.objects.filter(level=level).values_list("code", flat=True))
        if level == "establishment":
            self.holders = set(Establishment.objects.values_list("finess", flat=True))
        else:
            self.holders = set(ManagingBody.objects.values_list("siren", flat=True))
        self.seen: dict[tuple, int] = {}
        self.rows: list[Row] = []

    def problem(self, line: int, column: str, message: str) -> None:
        if len(self.error.problems) < MAX_REPORTED_ERRORS:
            self.error.problems.append(f"{self.place(line, column)} : {message}")
            self.error.located.append((line, column, message))

    def check(self, line: int, holder: str, year: str, element: str, value: str, columns: dict[str, str]) -> None:
        before = len(self.error.problems)
        holder, element = (holder or "").strip().upper(), (element or "").strip()
        if holder not in self.holders:
            if self.level == "establishment":
                self.problem(
                    line, columns["finess"], f"établissement inconnu « {holder} » (numéro FINESS absent du référentiel)"
                )
            else:
                self.problem(
                    line, columns["siren"], f"organisme gestionnaire inconnu « {holder} » (SIREN absent du référentiel)"
                )
        year_text = str(year or "").strip()
        if not year_text.isdigit() or int(year_text) not in YEAR_RANGE:
            self.problem(
                line, columns["annee"], f"année invalide « {year_text} » (attendu : quatre chiffres, par exemple 2025)"
            )
        known = (
            known_element(element, self.known_elements)
            if self.level == "establishment"
            else element in self.known_elements
        )
        if not known:
            where = "" if self.level == "establishment" else " au niveau du siège"
            self.problem(
                line, columns["element"], f"donnée inconnue{where} « {element} » (voir cpom indicateurs donnees)"
            )
        number = read_decimal_or_none(str(value) if value is not None else "")
        if number is None:
            self.problem(line, columns["valeur"], f"valeur non numérique « {value if value is not None else ''} »")
        if len(self.error.problems) > before:
            return
        key = (holder, int(year_text), element)
        if key in self.seen:
            self.problem(
                line,
                columns["element"],
                f"doublon : {holder}, {year_text}, {element} figure déjà {self.place(self.seen[key])}",
            )
            return
        self.seen[key] = line
        self.rows.append(Row(line, *key, number))

    def result(self) -> list[Row]:
        if self.error.problems:
            raise self.error
        if not self.rows:
            raise DataImportError(self.error.file_name, ["aucune ligne de données"])
        return self.rows


def _decode(content: bytes, file_name: str) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise DataImportError(file_name, [f"ligne {line} : le fichier n'est pas encodé en UTF-8"]) from None


def read_csv(content: bytes, file_name: str) -> tuple[list[Row], str]:
    """The rows of a long CSV and their level: establishments (finess column) or head offices (siren)."""
    reader = csv.reader(io.StringIO(_decode(content, file_name)), delimiter=";")
    header = [h.strip().lower() for h in next(reader, [])]
    expected = HEAD_OFFICE_COLUMNS if "siren" in header and "finess" not in header else CSV_COLUMNS
    missing = [c for c in expected if c not in header]
    if missing:
        found = ";".join(header) if header else "rien"
        raise DataImportError(
            file_name,
            [
                f"ligne 1 : {agreed(len(missing), 'colonne absente', 'colonnes absentes')} {', '.join(missing)} ; en-tête attendu « {';'.join(CSV_COLUMNS)} » (ou « {';'.join(HEAD_OFFICE_COLUMNS)} » pour le siège), trouvé « {found} »"
            ],
        )
    level = "establishment" if expected is CSV_COLUMNS else "managing_body"
    index = {c: header.index(c) for c in expected}
    checker = _Checker(file_name, level)
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            checker.problem(
                line,
                expected[len(row)] if len(row) < 4 else "?",
                f"{plural(len(row), 'colonne')} au lieu de {len(header)}",
            )
            continue
        checker.check(line, *(row[index[c]] for c in expected), columns={c: c for c in expected})
    return checker.result(), level


def template_workbook(establishment: Establishment, year: int) -> Workbook:
    """The Excel sheet an establishment fills in: one row per element with its French label."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Données"
    append(sheet, ["FINESS", establishment.finess, establishment.name])
    append(sheet, ["Année", year])
    append(sheet, [])
    append(sheet, TEMPLATE_COLUMNS)
    bold = Font(bold=True)
    for cell in sheet[4]:
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="DDDDDD")
    for element in DataElement.objects.filter(level="establishment").order_by("code"):
        append(sheet, [element.code, element.label, element.unit, None])
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 70
    sheet.column_dimensions["D"].width = 16
    return workbook


def read_template(content: bytes, file_name: str) -> list[Row]:
    try:
        rows = list(workbooks.first_sheet_rows(content))
    except workbooks.WorkbookRefused as refused:
        raise DataImportError(file_name, [str(refused)]) from None
    finess = str(rows[0][1]).strip() if rows and len(rows[0]) > 1 and rows[0][1] is not None else ""
    year = str(rows[1][1]).strip() if len(rows) > 1 and len(rows[1]) > 1 and rows[1][1] is not None else ""
    header = [str(c).strip().lower() if c is not None else "" for c in (rows[3] if len(rows) > 3 else [])]
    missing = [c for c in TEMPLATE_COLUMNS if c not in header]
    if missing:
        raise DataImportError(
            file_name,
            [
                f"ligne 4 : {agreed(len(missing), 'colonne absente', 'colonnes absentes')} {', '.join(missing)} (attendu : {', '.join(TEMPLATE_COLUMNS)})"
            ],
        )
    code_at, value_at = header.index("code"), header.index("valeur")
    letters = {"finess": "B1", "annee": "B2", "element": _letter(code_at), "valeur": _letter(value_at)}
    checker = _Checker(file_name)
    for line, row in enumerate(rows[4:], start=5):
        code = row[code_at] if len(row) > code_at else None
        value = row[value_at] if len(row) > value_at else None
        if code in (None, "") or value in (None, ""):
            continue  # elements left blank are simply not provided
        checker.check(line, finess, year, str(code), value, columns=letters)
    return checker.result()


def _letter(index: int) -> str:
    return chr(ord("A") + index)


# The API's rows (cpom.api.indicator_data): the long CSV's columns, named in English as the rest of the API is.
ROW_FIELDS = {"finess": "finess", "siren": "siren", "annee": "year", "element": "element", "valeur": "value"}
API_SOURCE = "envoi par l'API"
API_KIND = "API (JSON)"


def _in_rows(index: int, column: str | None = None) -> str:
    return f"#/rows/{index}" + (f"/{column}" if column else "")


def _text(value) -> str:
    return "" if value is None else str(value)


def read_rows(rows: list) -> tuple[list[Row], str]:
    """Rows sent as data (one object per row), checked as a file's lines are; each problem is placed by its JSON
    pointer (« #/rows/3/year »). Head-office rows name a ``siren`` and no ``finess``, as in the head-office CSV."""
    head_office = bool(rows) and all(isinstance(row, dict) and "siren" in row and "finess" not in row for row in rows)
    level, holder = ("managing_body", "siren") if head_office else ("establishment", "finess")
    columns = {**ROW_FIELDS, holder: holder}
    expected = [holder, "year", "element", "value"]
    checker = _Checker(API_SOURCE, level, place=_in_rows)
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            checker.problem(index, "", f"objet attendu ({', '.join(expected)})")
            continue
        missing = [name for name in expected if name not in row]
        for name in missing + sorted(set(row) - set(expected)):
            checker.problem(index, name, "champ absent" if name in missing else "champ inconnu")
        if missing:
            continue
        checker.check(index, *(_text(row[name]) for name in expected[:3]), row["value"], columns=columns)
    return checker.result(), level


def read_content(content: bytes, file_name: str) -> tuple[list[Row], str]:
    """The file's rows and level, read while holding one of the platform's import slots (ImportsBusy when all are
    taken): the Excel template, else a long CSV."""
    with import_slot(file_name):
        if file_name.lower().endswith(".xlsx"):
            return read_template(content, file_name), "establishment"
        return read_csv(content, file_name)


def _system_account() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in this environment (a container without USER)
        return "inconnu"


def record_import(user, batch: ImportBatch, action: str, before: dict, after: dict) -> None:
    """The audit entry of an import: who (the person on screen, or the system account on the command line), the
    file, and the values it replaced (before) and wrote (after), so that what an import overwrote is never lost."""
    who = user.get_username() if user is not None else f"ligne de commande (compte système {_system_account()})"
    record(user, batch, action, before, {"fichier": batch.file_name, "type": batch.kind, "par": who, **after})


def _counted(number: int, word: str) -> str:
    return f"{number} {word}{'s' if number > 1 else ''}"


def _key(holder: str, year: int, element: str) -> str:
    return f"{holder} {year} {element}"


@transaction.atomic
def store(rows: list[Row], file_name: str, kind: str, user=None, level: str = "establishment") -> ImportReport:
    batch = ImportBatch.objects.create(file_name=file_name, kind=kind, user=user, rows=len(rows))
    holders = {r.holder for r in rows}
    if level == "establishment":
        field, ids = (
            "establishment_id",
            dict(Establishment.objects.filter(finess__in=holders).values_list("finess", "id")),
        )
    else:
        field, ids = "managing_body_id", dict(ManagingBody.objects.filter(siren__in=holders).values_list("siren", "id"))
    existing = {
        (getattr(v, field), v.year, v.element): v
        for v in DataValue.objects.filter(**{f"{field}__in": ids.values()}, year__in={r.year for r in rows})
    }
    to_create, to_update, replaced = [], [], {}
    for row in rows:
        current = existing.get((ids[row.holder], row.year, row.element))
        if current is None:
            to_create.append(
                DataValue(**{field: ids[row.holder]}, year=row.year, element=row.element, value=row.value, batch=batch)
            )
        else:
            replaced[_key(row.holder, row.year, row.element)] = {"valeur": current.value, "import": current.batch_id}
            current.value, current.batch = row.value, batch
            to_update.append(current)
    DataValue.objects.bulk_create(to_create, batch_size=2000)
    DataValue.objects.bulk_update(to_update, ["value", "batch"], batch_size=2000)
    holders = sorted({f"{r.holder} ({r.year})" for r in rows})
    shown = ", ".join(holders[:5]) + (f" et {len(holders) - 5} autres" if len(holders) > 5 else "")
    record_import(
        user,
        batch,
        f"Import {kind} {file_name} : {_counted(len(rows), 'valeur')} ({_counted(len(to_create), 'nouvelle')}, "
        f"{_counted(len(to_update), 'remplacée')}) pour {shown}",
        {"valeurs": replaced},
        {"valeurs": {_key(r.holder, r.year, r.element): r.value for r in rows}, "porteurs": holders},
    )
    concerned = (
        ids.values()
        if level == "establishment"
        else Establishment.objects.filter(managing_body_id__in=ids.values()).values_list("pk", flat=True)
    )
    imported(concerned, {r.year for r in rows})
    return ImportReport(batch, len(to_create), len(to_update))


class DataRefused(Exception):
    """The data are well formed but the person may not send them (another body's establishments): nothing written."""


def _require_holders(user, rows: list[Row], level: str) -> None:
    """The rule of who sends data for whom (cpom.indicators.rules), for a person; the command line is the operator."""
    if user is None:
        return
    refusal = rules.holders_refusal(user, level, {row.holder for row in rows})
    if refusal:
        raise DataRefused(refusal)


def import_content(content: bytes, file_name: str, user=None) -> ImportReport:
    """A data file (long CSV or Excel template) checked whole, then stored: all or nothing."""
    rows, level = read_content(content, file_name)
    _require_holders(user, rows, level)
    xlsx = file_name.lower().endswith(".xlsx")
    kind = "modèle Excel" if xlsx else "CSV long" if level == "establishment" else "CSV siège"
    return store(rows, file_name, kind, user, level)


def import_rows(rows: list, user) -> ImportReport:
    """Rows sent through the API, checked whole as a file is, then stored: all or nothing."""
    checked, level = read_rows(rows)
    _require_holders(user, checked, level)
    return store(checked, API_SOURCE, API_KIND, user, level)


def import_file(path: Path, user=None) -> ImportReport:
    return import_content(path.read_bytes(), path.name, user)
