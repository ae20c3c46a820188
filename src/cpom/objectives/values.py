"""Reading a baseline or a target typed by a person, according to the indicator's type of value."""

import re
from datetime import date, datetime
from decimal import Decimal

from cpom.core.numbers import plain, read_decimal
from cpom.indicators.models import ValueType

# Words that say a value is not decided yet; the survey found them in a fifth of signed contracts.
PLACEHOLDERS = re.compile(
    r"^\s*(?:à\s*préciser|a\s*preciser|à\s*définir|a\s*definir|à\s*venir|a\s*venir|à\s*déterminer|a\s*determiner|"
    r"nc|n\.c\.|nd|n\.d\.|\?+|-+|tbd|xx+|néant)\s*\.?\s*$",
    re.IGNORECASE,
)
PLACEHOLDER_ANYWHERE = re.compile(
    r"(à|a)\s*(préciser|preciser|définir|definir|venir|déterminer|determiner)", re.IGNORECASE
)
BOOLEANS = {"oui": "oui", "non": "non", "o": "oui", "n": "non", "vrai": "oui", "faux": "non"}


class ValueRefused(ValueError):
    """A value that does not fit the indicator; the message says so in French."""


def is_unspecified(raw: str) -> bool:
    """Empty, or a placeholder such as « à préciser » or « moyenne régionale (à venir) »."""
    return not raw.strip() or bool(PLACEHOLDERS.match(raw)) or bool(PLACEHOLDER_ANYWHERE.search(raw))


def parse_number(raw: str) -> Decimal:
    """« 12,5 », « 1 200 », « 85 % » and « 12.5 » are numbers; « environ 10 » is not."""
    try:
        number = read_decimal(raw)
    except ValueError as refused:
        raise ValueRefused(str(refused)) from None
    if number is None:
        raise ValueRefused("Indiquez un nombre.")
    return number


def parse_date(raw: str) -> date:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(raw.strip(), pattern).date()
        except ValueError:
            continue
    raise ValueRefused(f"« {raw.strip()} » n'est pas une date au format JJ/MM/AAAA.")


def normalise(value_type: str, raw: str) -> str:
    """The value as it will be stored and shown, or :class:`ValueRefused`. Empty stays empty (not decided yet)."""
    if not raw.strip():
        return ""
    if value_type in (ValueType.NUMBER, ValueType.PERCENTAGE):
        return plain(parse_number(raw))
    if value_type == ValueType.DATE:
        return parse_date(raw).strftime("%d/%m/%Y")
    if value_type == ValueType.BOOLEAN:
        try:
            return BOOLEANS[raw.strip().lower()]
        except KeyError:
            raise ValueRefused(f"« {raw.strip()} » : répondez par oui ou non.") from None
    return raw.strip()
