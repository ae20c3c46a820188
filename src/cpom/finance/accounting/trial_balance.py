"""The trial balance (balance générale): one line per account with its debit and credit totals.

``TrialBalance`` is also what the FEC reader produces once it has added up the entries, so the
import service handles both kinds of file the same way. A trial balance file is a CSV
(``compte;libelle;debit;credit[;solde]``) or an Excel workbook with the same header in its first
sheet. Every problem is reported with its line and column; a file with any problem is refused whole.
"""

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property

import numpy as np
import polars as pl
from openpyxl.utils import get_column_letter

from cpom.core import workbooks
from cpom.core.formatting import money
from cpom.core.importing import MAX_REPORTED_ERRORS, DataImportError, at, quoted, refuse
from cpom.core.numbers import count, read_decimal_or_none
from cpom.core.text import agreed

KIND = "balance générale"
COLUMNS = ("compte", "libelle", "debit", "credit")
OPTIONAL_COLUMNS = ("solde",)
EXPECTED_HEADER = "compte;libelle;debit;credit (et, si vous le souhaitez, solde)"
# Digits only, class 1 to 8 first (9 is analytical accounting, outside the general ledger), 3 to 20 digits.
ACCOUNT_NUMBER = re.compile(r"[1-8][0-9]{2,19}")
ACCOUNT_RULE = "un numéro de compte s'écrit avec 3 à 20 chiffres, le premier de 1 à 8"
CENTS = Decimal("0.01")
ZIP_MAGIC = b"PK\x03\x04"
OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"
PDF_MAGIC = b"%PDF"


@dataclass(frozen=True)
class AccountTotal:
    number: str
    label: str
    debit: Decimal
    credit: Decimal
    line: int  # where the account first appears in the file

    @property
    def balance(self) -> Decimal:
        """Debit − credit: what the indicator engine reads as ``compte:<number>``."""
        return self.debit - self.credit


@dataclass
class TrialBalance:
    file_name: str
    kind: str
    encoding: str
    separator: str
    lines: int
    accounts: list[AccountTotal]
    entries: int | None = None  # FEC only: entries (EcritureNum within a JournalCode)
    first_date: date | None = None  # FEC only: the period the entries cover
    last_date: date | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def total_debit(self) -> Decimal:
        return sum((a.debit for a in self.accounts), Decimal(0))

    @property
    def total_credit(self) -> Decimal:
        return sum((a.credit for a in self.accounts), Decimal(0))


def is_account_number(text: str) -> bool:
    return ACCOUNT_NUMBER.fullmatch(text) is not None


# --- Encoding ------------------------------------------------------------------------------------------------------


@dataclass
class Decoded:
    """A text file's content as UTF-8 bytes (for polars) and the encoding it was written in."""

    body: bytes
    encoding: str

    @cached_property
    def text(self) -> str:
        return self.body.decode("utf-8")


def _line_of(content: bytes, offset: int) -> int:
    return content.count(b"\n", 0, offset) + 1


def _is_utf8(content: bytes) -> bool:
    # polars validates UTF-8 with SIMD: ten times faster than bytes.decode on a file of a million lines.
    try:
        pl.Series([content], dtype=pl.Binary).cast(pl.String)
    except pl.exceptions.PolarsError:
        return False
    return True


def _has_windows_characters(content: bytes) -> bool:
    """Any byte from 0x80 to 0x9F (numpy: eight times faster than a regular expression on a large file)."""
    return bool(((np.frombuffer(content, dtype=np.uint8) - 0x80) < 0x20).any())


def decode(content: bytes, file_name: str) -> Decoded:
    """UTF-8 (with or without BOM) first; else ISO-8859-15, or Windows-1252 when its own characters appear.

    Both single-byte encodings accept almost any byte, so UTF-8 is tried strictly first. Bytes 0x80 to 0x9F are
    control characters in ISO-8859-15 and letters or signs in Windows-1252 (€, œ, ’): their presence decides.
    """
    if not content.strip():
        raise refuse(file_name, "le fichier est vide")
    if content[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise refuse(file_name, "ligne 1 : le fichier est encodé en UTF-16 ; enregistrez-le en UTF-8 ou en ISO-8859-15")
    nul = content.find(b"\x00")
    if nul >= 0:
        raise refuse(file_name, f"{at(_line_of(content, nul))} : caractère nul, ce fichier n'est pas un fichier texte")
    if content.startswith(b"\xef\xbb\xbf"):
        body = content[3:]
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as error:
            line = _line_of(body, error.start)
            raise refuse(
                file_name, f"{at(line)} : caractères invalides alors que le fichier se déclare en UTF-8 (marque BOM)"
            ) from None
        return Decoded(body, "UTF-8 avec BOM")
    if _is_utf8(content):
        return Decoded(content, "UTF-8")
    if UTF8_SEQUENCE.search(content):
        raise refuse(file_name, *_mixed_encoding_problems(content))
    encoding, label = ("cp1252", "Windows-1252") if _has_windows_characters(content) else ("iso-8859-15", "ISO-8859-15")
    try:
        text = content.decode(encoding)
    except UnicodeDecodeError as error:
        line = _line_of(content, error.start)
        raise refuse(
            file_name,
            f"{at(line)} : octet 0x{content[error.start]:02X} illisible ; encodage non reconnu "
            "(UTF-8, ISO-8859-15 ou Windows-1252 attendus)",
        ) from None
    decoded = Decoded(text.encode("utf-8"), label)
    decoded.text = text  # already known: spares decoding again
    return decoded


# French letters and punctuation as UTF-8 writes them: « é » is C3 A9, « ’ » E2 80 99, « œ » C5 93. Read as
# ISO-8859-15 or Windows-1252 they would be « Ã© », « â€™ », « Å“ »: no French text holds those, so finding one
# beside bytes that are not UTF-8 means a file mixing two encodings.
UTF8_SEQUENCE = re.compile(rb"\xc3[\x80-\xbf]|\xe2\x80[\x80-\xbf]|\xc5[\x92\x93]")
MIXED_REPORTED = 5


def _mixed_encoding_problems(content: bytes) -> list[str]:
    """The first lines whose bytes are not UTF-8 in a file otherwise written in UTF-8, with the zone of each.

    Decoding the whole file as ISO-8859-15 would turn every accent of the UTF-8 lines into « Ã© »; guessing a
    single-byte encoding for the odd lines alone would be a guess. The file is refused, as any other
    malformed file is, naming where to look.
    """
    view, offset, problems = memoryview(content), 0, []
    names, separator = _header_names(content)
    while len(problems) < MIXED_REPORTED:
        try:
            codecs.utf_8_decode(view[offset:], "strict", True)
            break
        except UnicodeDecodeError as error:
            position = offset + error.start
            line_start = content.rfind(b"\n", 0, position) + 1
            zone = content.count(separator, line_start, position) if separator else 0
            column = f", colonne {names[zone]}" if zone < len(names) else ""
            problems.append(
                f"{at(_line_of(content, position))}{column} : octet 0x{content[position]:02X} qui n'est pas de l'UTF-8, "
                "alors que le reste du fichier est en UTF-8 : enregistrez tout le fichier dans un seul encodage, "
                "UTF-8 de préférence"
            )
            offset = content.find(b"\n", position) + 1 or len(content)  # one problem per line
    return problems


def _header_names(content: bytes) -> tuple[list[str], bytes]:
    first = content[: content.find(b"\n") if b"\n" in content else len(content)].decode("utf-8", "replace").rstrip("\r")
    separator = next((s for s in ("|", "\t", ";") if s in first), "")
    return ([name.strip() for name in first.split(separator)] if separator else []), separator.encode()


# --- Amounts -------------------------------------------------------------------------------------------------------

_SPACES = re.compile(r"[\s\u00a0\u202f']")


def parse_amount(text: str) -> Decimal | None:
    """« 1 234,56 », « 1234.56 », « 1.234,56 » → Decimal; None when not an amount with at most two decimals.

    When both a dot and a comma appear, the last one is the decimal separator and the other groups thousands.
    """
    cleaned = _SPACES.sub("", text or "")
    if not cleaned:
        return Decimal(0)
    if "," in cleaned and "." in cleaned:
        thousands = "." if cleaned.rfind(",") > cleaned.rfind(".") else ","
        cleaned = cleaned.replace(thousands, "")
    if not re.fullmatch(r"[+-]?[0-9]+(?:[.,][0-9]*)?", cleaned):
        return None
    value = read_decimal_or_none(cleaned)
    if value is None or value != value.quantize(CENTS):
        return None
    return value


def _cell_amount(value) -> Decimal | None:
    """An Excel cell: a number (float noise such as 0.30000000000000004 rounds to the cent) or a text amount."""
    if value is None:
        return Decimal(0)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        exact = Decimal(repr(value))
        rounded = exact.quantize(CENTS)
        return rounded if exact.is_finite() and abs(exact - rounded) < Decimal("0.000001") else None
    return parse_amount(str(value))


def _cell_text(value) -> str:
    """Account numbers typed in Excel arrive as numbers: 6061 or 6061.0 both read « 6061 »."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- Reading -------------------------------------------------------------------------------------------------------


def _header_key(name) -> str:
    """« Libellé », « DEBIT », « Crédit » → libelle, debit, credit: case, accents and spaces do not matter."""
    text = unicodedata.normalize("NFKD", str(name or "")).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[\s_.\-]", "", text)


@dataclass
class _Columns:
    index: dict[str, int]
    names: list[str]  # how each column is named to the user: its header in a CSV, its letter in Excel


def _columns(header: list, file_name: str, line: int, names: list[str]) -> _Columns:
    keys = [_header_key(h) for h in header]
    known = set(COLUMNS) | set(OPTIONAL_COLUMNS)
    problems = []
    for position, key in enumerate(keys):
        if key and key not in known:
            problems.append(
                f"{at(line, names[position])} : colonne inconnue {quoted(header[position])} (attendu : {EXPECTED_HEADER})"
            )
        elif key and keys.index(key) != position:
            problems.append(f"{at(line, names[position])} : colonne {quoted(header[position])} en double")
    missing = [c for c in COLUMNS if c not in keys]
    if missing:
        problems.insert(
            0,
            f"{at(line)} : {agreed(len(missing), 'colonne absente', 'colonnes absentes')} {', '.join(missing)} "
            f"(en-tête attendu : {EXPECTED_HEADER})",
        )
    if problems:
        raise refuse(file_name, *problems)
    return _Columns({k: keys.index(k) for k in known if k in keys}, names)


class _Checker:
    """Checks each line of a trial balance and keeps the accounts; collects every problem with its place."""

    def __init__(self, file_name: str, columns: _Columns):
        self.file_name = file_name
        self.columns = columns
        self.problems: list[str] = []
        self.accounts: dict[str, AccountTotal] = {}
        self.lines = 0
        self.total_lines = 0

    def problem(self, line: int, column: str, message: str) -> None:
        if len(self.problems) < MAX_REPORTED_ERRORS:
            self.problems.append(f"{at(line, self.columns.names[self.columns.index[column]])} : {message}")

    def _cell(self, record: list, column: str):
        position = self.columns.index.get(column)
        return record[position] if position is not None and position < len(record) else None

    def _amount(self, line: int, record: list, column: str) -> Decimal | None:
        raw = self._cell(record, column)
        value = _cell_amount(raw)
        if value is None:
            self.problem(
                line,
                column,
                f"{quoted(raw)} n'est pas un montant (chiffres, virgule ou point décimal, deux décimales au plus)",
            )
        return value

    def check(self, line: int, record: list) -> None:
        if all(_cell_text(v) == "" for v in record):
            return
        number = _cell_text(self._cell(record, "compte"))
        if number.lower().startswith("total"):
            self.total_lines += 1  # subtotal lines of a printed balance: their accounts are already counted
            return
        self.lines += 1
        before = len(self.problems)
        if not is_account_number(number):
            self.problem(line, "compte", f"{quoted(number)} n'est pas un numéro de compte ({ACCOUNT_RULE})")
        debit, credit = self._amount(line, record, "debit"), self._amount(line, record, "credit")
        if "solde" in self.columns.index and self._cell(record, "solde") not in (None, ""):
            balance = self._amount(line, record, "solde")
            if None not in (balance, debit, credit) and balance != debit - credit:
                self.problem(line, "solde", f"solde {money(balance)} ≠ débit − crédit = {money(debit - credit)}")
        if len(self.problems) > before:
            return
        if number in self.accounts:
            first = self.accounts[number].line
            self.problem(line, "compte", f"compte {number} en double, lignes {count(first)} et {count(line)}")
            return
        label = _cell_text(self._cell(record, "libelle"))
        self.accounts[number] = AccountTotal(number, label, debit, credit, line)

    def result(self, encoding: str, separator: str) -> TrialBalance:
        if self.problems:
            raise DataImportError(self.file_name, self.problems)
        if not self.accounts:
            raise refuse(self.file_name, "aucune ligne de compte sous l'en-tête")
        balance = TrialBalance(
            self.file_name,
            KIND,
            encoding,
            separator,
            self.lines,
            sorted(self.accounts.values(), key=lambda a: a.number),
        )
        if self.total_lines:
            lines = f"{count(self.total_lines)} {agreed(self.total_lines, 'ligne de total ignorée', 'lignes de total ignorées')}"
            balance.warnings.append(f"{lines} : seuls les comptes sont importés.")
        if balance.total_debit != balance.total_credit:
            balance.warnings.append(
                f"La balance n'est pas équilibrée : total des débits {money(balance.total_debit)}, "
                f"total des crédits {money(balance.total_credit)}. C'est normal pour l'extrait d'une section "
                "analytique, pas pour une balance complète."
            )
        return balance


def _not_a_csv_balance(file_name: str, line: int, text: str) -> DataImportError:
    found = "une tabulation" if "\t" in text else "« , »" if "," in text else "aucun séparateur"
    return refuse(
        file_name,
        f"{at(line)} : ce fichier n'est pas une balance au format CSV : séparateur « ; » attendu, {found} trouvé "
        f"(en-tête attendu : {EXPECTED_HEADER})",
    )


def _read_csv(content: bytes, file_name: str) -> TrialBalance:
    decoded = decode(content, file_name)
    reader = csv.reader(io.StringIO(decoded.text), delimiter=";")
    try:
        header = [h.strip() for h in next((r for r in reader if any(c.strip() for c in r)), [])]
        header_line = max(reader.line_num, 1)
        if len(header) < 2:
            raise _not_a_csv_balance(file_name, header_line, ";".join(header))
        checker = _Checker(file_name, _columns(header, file_name, header_line, header))
        for record in reader:
            checker.check(reader.line_num, record)
    except csv.Error:
        raise refuse(
            file_name, f"{at(reader.line_num)} : ligne illisible (guillemet jamais refermé ou champ démesuré)"
        ) from None
    return checker.result(decoded.encoding, "point-virgule « ; »")


def _read_excel(content: bytes, file_name: str) -> TrialBalance:
    try:
        numbered = enumerate(workbooks.first_sheet_rows(content), start=1)
        header_line, header = next(((n, r) for n, r in numbered if any(_cell_text(v) for v in r)), (1, []))
        letters = [get_column_letter(i + 1) for i in range(len(header))]
        checker = _Checker(file_name, _columns(header, file_name, header_line, letters))
        for line, record in numbered:
            checker.check(line, record)
    except workbooks.WorkbookRefused as refused:
        raise refuse(file_name, str(refused)) from None
    return checker.result("classeur Excel", "")


def read_trial_balance(content: bytes, file_name: str) -> TrialBalance:
    """A CSV or Excel trial balance, checked line by line; DataImportError names every bad line and column."""
    if content.startswith(ZIP_MAGIC):
        return _read_excel(content, file_name)
    if content.startswith(OLD_EXCEL_MAGIC):
        raise refuse(file_name, "ancien format Excel (.xls) : enregistrez la balance au format .xlsx ou CSV")
    if content.startswith(PDF_MAGIC):
        raise refuse(file_name, "ce fichier est un PDF : la balance doit être un fichier CSV ou Excel (.xlsx)")
    return _read_csv(content, file_name)
