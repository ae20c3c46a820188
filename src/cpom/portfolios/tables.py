"""A table of the portfolio, written once and shown twice: on the page and in its Excel export; pure, no Django.

The page and the workbook read the same rows, so they cannot disagree: what the page counts, the export lists.
A cell is a text, a whole number, a :class:`Rate` or a :class:`Figure` (None shows « – »), or a :class:`Link` (a
text with its page).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from cpom.core.numbers import grouped, percent


@dataclass(frozen=True)
class Link:
    text: str
    url: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Rate:
    """A percentage (None when there is nothing to divide by)."""

    value: Decimal | None

    def __str__(self) -> str:
        return "–" if self.value is None else percent(self.value)


@dataclass(frozen=True)
class Figure:
    """A decimal figure (an average), to ``places`` decimals; None shows « – »."""

    value: Decimal | None
    places: int = 1

    def __str__(self) -> str:
        return "–" if self.value is None else grouped(self.value, self.places)


@dataclass
class Table:
    slug: str  # the export's address: « couverture », « contrats »…
    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    footer: list | None = None  # a total line, shown last and exported last

    @property
    def count(self) -> int:
        return len(self.rows)


def plain(cell):
    """A cell as the workbook holds it: numbers stay numbers (a rate in percent), texts are texts."""
    if isinstance(cell, Link):
        return cell.text
    if isinstance(cell, Rate | Figure):
        return None if cell.value is None else float(cell.value)
    if cell is None:
        return ""
    return cell
