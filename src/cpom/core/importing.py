"""A refused data file, said the same way by every reader: the file's name, then each problem with its line and
column (« ligne 12, colonne debit : … »), and the promise that nothing was written. Pure, no Django."""

from dataclasses import dataclass, field

from .numbers import count

MAX_REPORTED_ERRORS = 50


@dataclass
class DataImportError(Exception):
    """All the problems found in a file, each naming its line and column."""

    file_name: str
    problems: list[str] = field(default_factory=list)
    # Where a reader knows them, each problem's (row, column, message) apart: the API points at the field.
    located: list[tuple[int, str, str]] = field(default_factory=list)

    def __str__(self) -> str:
        more = "" if len(self.problems) < MAX_REPORTED_ERRORS else " (liste tronquée)"
        return f"Fichier {self.file_name} refusé, rien n'a été importé{more} :\n- " + "\n- ".join(self.problems)


def refuse(file_name: str, *problems: str) -> DataImportError:
    return DataImportError(file_name, list(problems[:MAX_REPORTED_ERRORS]))


def at(line: int, column: str | None = None) -> str:
    """« ligne 12, colonne debit », the place a problem is reported at."""
    return f"ligne {count(line)}" + (f", colonne {column}" if column else "")


def quoted(value, limit: int = 40) -> str:
    """« 20251301 », cut when long; an empty zone shows as « »."""
    text = "" if value is None else str(value)
    if not text:
        return "« »"
    return f"« {text if len(text) <= limit else text[: limit - 1] + '…'} »"
