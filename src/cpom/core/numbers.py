"""Numbers the way French users type and read them: « 12 500,50 », « 1,2 % », « −3 », « 12500.5 ».

Written numbers group thousands with non-breaking spaces, use a decimal comma and the minus sign « − » (U+2212,
the typographic sign, where a hyphen « - » would look like a dash); reading takes either sign back.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

NBSP = "\u00a0"
MINUS = "\u2212"
_SPACES = re.compile(r"[\s\u00a0\u202f]")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")  # « 12 », « 12,5 », « 12, » and « ,5 » as typed


def read_decimal(text: str | None) -> Decimal | None:
    """The number in ``text`` (spaces between thousands, a decimal comma or point, a trailing € or %), None when
    empty; a ValueError with a French message for anything else (« environ 10 », « 12,5,3 »)."""
    cleaned = _SPACES.sub("", text or "").removesuffix("€").removesuffix("%").replace(",", ".").replace(MINUS, "-")
    if not cleaned:
        return None
    if not _NUMBER.fullmatch(cleaned):
        raise ValueError(f"« {(text or '').strip()} » n'est pas un nombre (exemples acceptés : 12 ; 12,5 ; 12 500,50).")
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"« {(text or '').strip()} » n'est pas un nombre.") from None


def _signed(text: str, negative: bool) -> str:
    return MINUS + text if negative else text


def grouped(value: Decimal | int, places: int = 2) -> str:
    """« 12 500,50 », « −3,00 »: thousands grouped by non-breaking spaces, a decimal comma, rounded half up."""
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    text = f"{abs(rounded):,.{places}f}".replace(",", NBSP).replace(".", ",")
    return _signed(text, rounded < 0)


def count(number: int) -> str:
    """« 1 000 000 »: a count, grouped by non-breaking spaces."""
    return grouped(number, 0)


def read_decimal_or_none(text: str | None) -> Decimal | None:
    """:func:`read_decimal`, with None for what is not a number as for an empty text (a data file's cell)."""
    try:
        return read_decimal(text)
    except ValueError:
        return None


def plain(value: Decimal) -> str:
    """« 12,5 », « −0,25 », « 100 »: as many decimals as the value has, no grouping (a rate, a value typed)."""
    normal = Decimal(value).normalize()
    text = format(abs(normal), "f").replace(".", ",")
    return _signed(text, normal < 0)


def rate(value: Decimal) -> str:
    """« 1,2 % », « −0,5 % »: a rate as it was typed, without trailing zeros."""
    return plain(value) + NBSP + "%"


def percent(value: Decimal, places: int = 2) -> str:
    """« 33,33 % »: a share, to a fixed number of decimals."""
    return grouped(value, places) + NBSP + "%"


def money(value: Decimal) -> str:
    """« 12 500,00 € », with non-breaking spaces so an amount never splits across lines."""
    return grouped(value) + NBSP + "€"


# Units that count things: a whole count is written without decimals, and « nombre » says nothing a count does not.
COUNT_UNITS = {"nombre", "personnes", "places"}
SILENT_UNITS = {"nombre"}


def measure(value: float | Decimal, unit: str = "") -> str:
    """An indicator's value as French users read it: « 94,50 % », « 1 250 € », « 8 » (a count), « 12,5 jours »;
    two decimals below 100, one below 1 000, none above."""
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    magnitude = abs(number)
    digits = 0 if magnitude >= 1000 else 2 if magnitude < 100 else 1
    if unit in COUNT_UNITS and number == number.to_integral_value():
        digits = 0
    text = grouped(number, digits)
    return f"{text}{NBSP}{unit}" if unit and unit not in SILENT_UNITS else text
