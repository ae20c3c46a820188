"""The FEC reader: the legal export of every accounting entry of a fiscal year, added up into a trial balance.

The format is set by article A.47 A-1 of the livre des procédures fiscales: a header naming 18 columns,
separated by a pipe or a tab, dates as AAAAMMJJ, amounts with a decimal comma and no thousands separator.
Columns 12 and 13 are either Debit and Credit, or Montant and Sens (D or C; +1 or -1 in the administration's
commentary). Each check runs over whole columns with polars (a million lines take about a second) and reports
the first line that fails it; a file with any problem is refused whole.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import polars as pl

from cpom.core.formatting import money
from cpom.core.importing import at, quoted, refuse
from cpom.core.numbers import count
from cpom.core.text import agreed, plural
from cpom.finance.accounting.trial_balance import (
    ACCOUNT_NUMBER,
    ACCOUNT_RULE,
    AccountTotal,
    Decoded,
    TrialBalance,
    decode,
)

KIND = "FEC"
LEGAL_COLUMNS = (
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
)
AMOUNT_AND_DIRECTION = ("Montant", "Sens")
SEPARATORS = {"|": "barre verticale « | »", "\t": "tabulation"}
# The columns the balances are computed from; the others are only counted.
USED_COLUMNS = (
    "JournalCode",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "Debit",
    "Credit",
    "Montant",
    "Sens",
)
DIRECTIONS = {"D": "debit", "+1": "debit", "C": "credit", "-1": "credit"}
# Thirteen digits before the comma: ten thousand billion euros, far above any establishment's accounts.
AMOUNT = r"^[+-]?[0-9]{1,13}(?:[.,][0-9]{0,2})?$"
AMOUNT_RULE = "chiffres, virgule décimale, deux décimales au plus, sans séparateur de milliers"
# Int64 cents add up without overflow as long as the sum of absolute amounts stays below this.
SAFE_TOTAL_CENTS = 9e18
INCOMPLETE_MARGIN = timedelta(days=31)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class FiscalYear:
    start: date
    end: date

    @classmethod
    def calendar(cls, year: int) -> "FiscalYear":
        return cls(date(year, 1, 1), date(year, 12, 31))

    def __str__(self) -> str:
        return f"du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}"


@dataclass(frozen=True)
class Header:
    separator: str
    columns: list[str]  # the legal names, in the file's order
    with_direction: bool  # the Montant / Sens variant

    @property
    def separator_label(self) -> str:
        return SEPARATORS[self.separator]


def read_fec(content: bytes, file_name: str, fiscal_year: FiscalYear, progress: Progress | None = None) -> TrialBalance:
    """Every line checked, every entry balanced, then the debit and credit totals of each account."""
    say = progress or (lambda message: None)
    decoded = decode(content, file_name)
    header = _header(_first_line(decoded), file_name)
    say(f"Encodage {decoded.encoding}, séparateur : {header.separator_label}.")
    frame = _frame(decoded, header, file_name)
    say(f"{count(frame.height)} lignes lues.")
    if frame.is_empty():
        raise refuse(file_name, "aucune écriture sous la ligne d'en-tête")
    frame, problems = _amounts(frame, header)
    dates, accounts = _distinct_dates(frame), _accounts(frame)
    problems += [*_required(frame), *_date_problems(dates, fiscal_year), *_account_problems(accounts)]
    if problems:
        raise refuse(file_name, *problems)
    entries = _entries(frame)
    problems = _unbalanced(entries)
    if problems:
        raise refuse(file_name, *problems)
    say(f"{count(frame.height)} lignes contrôlées, {count(entries.height)} écritures équilibrées.")
    return _trial_balance(frame.height, accounts, dates, entries.height, decoded, header, file_name, fiscal_year)


# --- Header and lines ----------------------------------------------------------------------------------------------


def _first_line(decoded: Decoded) -> str:
    end = decoded.body.find(b"\n")
    return decoded.body[: end if end >= 0 else len(decoded.body)].decode("utf-8").rstrip("\r")


def _not_a_fec(file_name: str, line: str):
    hint = " ; séparateur « ; » : est-ce une balance générale ?" if ";" in line else ""
    return refuse(
        file_name,
        "ligne 1 : ce fichier n'est pas un FEC : sa première ligne doit nommer les 18 colonnes légales "
        f"({'|'.join(LEGAL_COLUMNS)}), séparées par « | » ou une tabulation ; trouvé {quoted(line, 80)}{hint}",
    )


def _header(line: str, file_name: str) -> Header:
    separator = "|" if "|" in line else "\t" if "\t" in line else None
    if separator is None:
        raise _not_a_fec(file_name, line)
    names = [name.strip() for name in line.split(separator)]
    lowered = [name.lower() for name in names]
    with_direction = "sens" in lowered or ("montant" in lowered and "debit" not in lowered and "credit" not in lowered)
    expected = list(LEGAL_COLUMNS)
    if with_direction:
        expected[11:13] = AMOUNT_AND_DIRECTION
    legal = {name.lower(): name for name in expected}
    if not with_direction and "montantdevise" not in lowered:
        legal["montant"] = "Montantdevise"  # a common shorthand for column 17 when Debit and Credit are given
    if sum(name in legal for name in lowered) < len(expected) // 2:
        raise _not_a_fec(file_name, line)
    problems, columns = [], []
    for position, name in enumerate(names, start=1):
        canonical = legal.get(name.lower())
        if canonical is None:
            problems.append(f"ligne 1, colonne {position} : colonne inconnue {quoted(name)} pour un FEC")
        elif canonical in columns:
            problems.append(f"ligne 1, colonne {position} : colonne {canonical} en double")
        columns.append(canonical or f"?{position}")
    missing = [name for name in expected if name not in columns]
    if missing:
        variant = " (variante Montant et Sens)" if with_direction else ""
        problems.insert(
            0,
            f"ligne 1 : {agreed(len(missing), 'colonne absente', 'colonnes absentes')}{variant} : {', '.join(missing)}",
        )
    if problems:
        raise refuse(file_name, *problems)
    return Header(separator, columns, with_direction)


def _frame(decoded: Decoded, header: Header, file_name: str) -> pl.DataFrame:
    """One row per non-empty line with the columns the balances need, and the line's number (header = 1).

    Every line is measured first over the raw bytes (numpy): the first of the wrong width is refused with its
    number before anything is parsed. polars' multithreaded reader then only meets lines of the header's width
    or empty ones, so that each of its rows is known to be one line; no line is ever read one by one in
    Python. A lone carriage return is a character of its zone, as polars reads it; a carriage return before
    the line feed ends the line.
    """
    used = [name for name in header.columns if name in USED_COLUMNS]
    if decoded.body.find(b"\n") in (-1, len(decoded.body) - 1):  # the header and nothing under it
        return pl.DataFrame(schema={"line": pl.UInt32} | dict.fromkeys(used, pl.String))
    empty = _empty_lines(decoded.body, header, file_name)
    try:
        frame = pl.read_csv(
            decoded.body,
            separator=header.separator,
            has_header=False,
            skip_rows=1,
            quote_char=None,
            schema=dict.fromkeys(header.columns, pl.String),
            columns=[header.columns.index(name) for name in used],
            truncate_ragged_lines=True,  # only an empty line can be ragged now: « |||||| » of any length
        )
    except pl.exceptions.PolarsError:
        frame = None
    if frame is None or frame.height != len(empty):
        # Not seen on a file whose lines all have the header's width: said plainly rather than guessed at.
        raise refuse(
            file_name, "fichier illisible : ses lignes n'ont pas pu être séparées en zones ; vérifiez le séparateur"
        )
    return frame.with_row_index("line", offset=2).filter(pl.Series(~empty)).select("line", *used)


def _empty_lines(body: bytes, header: Header, file_name: str) -> np.ndarray:
    """For each line below the header, whether it is empty (nothing but separators); refuses a line of the wrong width."""
    raw = np.frombuffer(body, dtype=np.uint8)
    mask = np.equal(raw, ord("\n"))  # one byte per byte of the file, used twice: a large allocation costs
    ends = np.flatnonzero(mask)
    if not body.endswith(b"\n"):
        ends = np.append(ends, len(body))
    starts = np.concatenate(([0], ends[:-1] + 1))
    separator = header.separator.encode()
    # Each line's separators, added up in one byte (no copy of the file in a wider type); only a line of 256
    # bytes or more can hold enough to wrap, and those few are counted again exactly.
    np.equal(raw, ord(separator), out=mask)
    separators = np.add.reduceat(mask.view(np.uint8), starts, dtype=np.uint8).astype(np.int64)
    del mask
    lengths = ends - starts
    for index in np.flatnonzero(lengths > np.iinfo(np.uint8).max):
        separators[index] = body.count(separator, starts[index], ends[index])
    lengths -= (lengths > 0) & (raw[np.maximum(ends - 1, 0)] == ord("\r"))  # one \r before \n ends the line
    empty = (lengths == separators)[1:]
    wrong = np.flatnonzero(~empty & (separators[1:] + 1 != len(header.columns)))
    if len(wrong):
        index = int(wrong[0]) + 1
        raise refuse(
            file_name,
            f"{at(index + 1)} : {plural(int(separators[index]) + 1, 'champ')} au lieu de {len(header.columns)} "
            f"(séparateur : {header.separator_label})",
        )
    return empty


# --- Checks --------------------------------------------------------------------------------------------------------


def _text(column: str) -> pl.Expr:
    return pl.col(column).fill_null("").str.strip_chars()


def _with_cents(frame: pl.DataFrame, column: str, name: str) -> pl.DataFrame:
    """Adds ``name``: the amount in integer cents, exactly (no float); 0 when empty; null when not an amount.

    Nearly every FEC writes « 1234,56 »: dropping the comma gives the cents in one cast. Only when some
    line writes it otherwise (no or one decimal, a dot, spaces around) are the other forms read.
    """
    raw = frame.get_column(column)
    usual = raw.str.contains(r"^-?[0-9]{1,13},[0-9]{2}$").fill_null(False)
    cents = raw.str.replace(",", "", literal=True).cast(pl.Int64, strict=False)
    if not usual.all():
        cents = frame.select(pl.when(usual).then(cents).otherwise(_any_cents(column))).to_series()
    return frame.with_columns(cents.alias(name))


def _any_cents(column: str) -> pl.Expr:
    text = _text(column)
    cents = (text.str.replace(",", ".", literal=True).cast(pl.Decimal(16, 2), strict=False) * 100).cast(pl.Int64)
    return pl.when(text == "").then(0).when(text.str.contains(AMOUNT)).then(cents).otherwise(None)


def _first_bad(frame: pl.DataFrame, bad: pl.Expr, column: str) -> tuple[int, str] | None:
    """The first line where ``bad`` holds, and the raw value of ``column`` there."""
    found = frame.filter(bad).select("line", pl.col(column).fill_null("")).head(1)
    return None if found.is_empty() else found.row(0)


def _amounts(frame: pl.DataFrame, header: Header) -> tuple[pl.DataFrame, list[str]]:
    """Adds integer ``debit`` and ``credit`` columns in cents (null where the amount is bad), and the problems."""
    if header.with_direction:
        direction = _text("Sens").str.to_uppercase().replace_strict(DIRECTIONS, default=None)
        frame = _with_cents(frame, "Montant", "amount").with_columns(direction.alias("direction"))
        frame = frame.with_columns(
            pl.when(pl.col("direction") == "debit").then(pl.col("amount")).otherwise(0).alias("debit"),
            pl.when(pl.col("direction") == "credit").then(pl.col("amount")).otherwise(0).alias("credit"),
        )
        checks = [
            (pl.col("amount").is_null(), "Montant", f"n'est pas un montant ({AMOUNT_RULE})"),
            (pl.col("direction").is_null() & (pl.col("amount") != 0), "Sens", "n'est pas un sens (D ou C)"),
        ]
    else:
        frame = _with_cents(_with_cents(frame, "Debit", "debit"), "Credit", "credit")
        checks = [
            (pl.col("debit").is_null(), "Debit", f"n'est pas un montant ({AMOUNT_RULE})"),
            (pl.col("credit").is_null(), "Credit", f"n'est pas un montant ({AMOUNT_RULE})"),
        ]
    problems = []
    for bad, column, message in checks:
        found = _first_bad(frame, bad, column)
        if found:
            problems.append(f"{at(found[0], column)} : {quoted(found[1])} {message}")
    total = frame.select(
        pl.col("debit").abs().cast(pl.Float64).sum() + pl.col("credit").abs().cast(pl.Float64).sum()
    ).item()
    if total >= SAFE_TOTAL_CENTS:
        problems.append(
            "les montants additionnés dépassent ce que cpom sait compter : vérifiez les colonnes de montants"
        )
    return frame, problems


def _required(frame: pl.DataFrame) -> list[str]:
    problems = []
    for column in ("JournalCode", "EcritureNum"):
        found = _first_bad(frame, _text(column) == "", column)
        if found:
            problems.append(f"{at(found[0], column)} : la zone est vide (obligatoire dans un FEC)")
    return problems


def _distinct_dates(frame: pl.DataFrame) -> pl.DataFrame:
    """Each distinct EcritureDate (a few hundred) with its first line, parsed once: null when not AAAAMMJJ."""
    text = _text("EcritureDate")
    parsed = text.str.strptime(pl.Date, "%Y%m%d", strict=False)
    return (
        frame.group_by("EcritureDate")
        .agg(pl.col("line").min())
        .with_columns(text.alias("text"), pl.when(text.str.contains(r"^[0-9]{8}$")).then(parsed).alias("date"))
        .sort("line")
    )


def _date_problems(dates: pl.DataFrame, fiscal_year: FiscalYear) -> list[str]:
    malformed = dates.filter(pl.col("date").is_null())
    if not malformed.is_empty():
        line, value = malformed.select("line", "text").row(0)
        return [f"{at(line, 'EcritureDate')} : {quoted(value)} n'est pas une date AAAAMMJJ"]
    outside = dates.filter((pl.col("date") < fiscal_year.start) | (pl.col("date") > fiscal_year.end))
    if not outside.is_empty():
        # Shown from its digits: a date of year 0 has no Python equivalent.
        line, digits = outside.select("line", "text").row(0)
        day = f"{digits[6:8]}/{digits[4:6]}/{digits[:4]}"
        return [f"{at(line, 'EcritureDate')} : le {day} est hors de l'exercice ({fiscal_year})"]
    return []


def _accounts(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per account number: its first line and label, its debit and credit totals in cents."""
    return (
        frame.group_by(_text("CompteNum").alias("number"))
        .agg(
            pl.col("line").min(),
            pl.col("CompteLib").fill_null("").str.strip_chars().first().alias("label"),
            pl.col("debit").sum(),
            pl.col("credit").sum(),
        )
        .sort("number")
    )


def _account_problems(accounts: pl.DataFrame) -> list[str]:
    bad = accounts.filter(~pl.col("number").str.contains(f"^{ACCOUNT_NUMBER.pattern}$")).sort("line")
    if bad.is_empty():
        return []
    line, number = bad.select("line", "number").row(0)
    return [f"{at(line, 'CompteNum')} : {quoted(number)} n'est pas un numéro de compte ({ACCOUNT_RULE})"]


def _lines_label(first: int, last: int) -> str:
    return f"ligne {count(first)}" if first == last else f"lignes {count(first)} à {count(last)}"


def _entries(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per entry (EcritureNum within a JournalCode): its totals and the lines it spans."""
    return frame.group_by(_text("JournalCode").alias("journal"), _text("EcritureNum").alias("number")).agg(
        pl.col("debit").sum(),
        pl.col("credit").sum(),
        pl.col("line").min().alias("first"),
        pl.col("line").max().alias("last"),
    )


def _unbalanced(entries: pl.DataFrame) -> list[str]:
    unbalanced = entries.filter(pl.col("debit") != pl.col("credit")).sort("first")
    if unbalanced.is_empty():
        return []
    journal, number, debit, credit, first, last = unbalanced.select(
        "journal", "number", "debit", "credit", "first", "last"
    ).row(0)
    others = unbalanced.height - 1
    more = (
        f" (et {count(others)} {agreed(others, 'autre écriture déséquilibrée', 'autres écritures déséquilibrées')})"
        if others
        else ""
    )
    return [
        f"écriture {number} du journal {journal} ({_lines_label(first, last)}) : débit {money(_euros(debit))} ≠ "
        f"crédit {money(_euros(credit))}{more}"
    ]


# --- Result --------------------------------------------------------------------------------------------------------


def _euros(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _trial_balance(
    lines: int,
    accounts: pl.DataFrame,
    dates: pl.DataFrame,
    entries: int,
    decoded: Decoded,
    header: Header,
    file_name: str,
    fiscal_year: FiscalYear,
) -> TrialBalance:
    totals = [
        AccountTotal(number, label, _euros(debit), _euros(credit), line)
        for number, line, label, debit, credit in accounts.select(
            "number", "line", "label", "debit", "credit"
        ).iter_rows()
    ]
    first, last = dates.select(pl.col("date").min().alias("first"), pl.col("date").max().alias("last")).row(0)
    balance = TrialBalance(
        file_name,
        KIND,
        decoded.encoding,
        header.separator_label,
        lines,
        totals,
        entries=entries,
        first_date=first,
        last_date=last,
    )
    if first > fiscal_year.start + INCOMPLETE_MARGIN or last < fiscal_year.end - INCOMPLETE_MARGIN:
        balance.warnings.append(
            f"Les écritures vont du {first:%d/%m/%Y} au {last:%d/%m/%Y} : l'exercice ({fiscal_year}) semble incomplet."
        )
    return balance
