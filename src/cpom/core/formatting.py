"""French formatting shared by every document: money, dates, empty fields, short texts."""

import datetime
from decimal import Decimal

from cpom.core import numbers
from cpom.core.numbers import NBSP

NOT_FILLED = "Non renseigné"
DATE_TO_SET = "date à fixer"


def money(value: Decimal | None) -> str:
    """« 12 500,00 € », with non-breaking spaces so an amount never splits across lines."""
    return NOT_FILLED if value is None else numbers.money(value)


def french_date(value: datetime.date | None, missing: str = NOT_FILLED) -> str:
    return value.strftime("%d/%m/%Y") if value else missing


def filled(text: str | None) -> str:
    return (text or "").strip() or NOT_FILLED


def label(text: str) -> str:
    """A field's label, with the French non-breaking space before the colon."""
    return f"{text}{NBSP}:"


def shorten(text: str, limit: int = 200) -> str:
    """A long free text cut at a word boundary, for the summaries."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def years(count: int) -> str:
    return f"{count} an{'s' if count > 1 else ''}"
