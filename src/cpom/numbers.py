"""Numbers the way French users type and read them: « 12 500,50 », « 1,2 % », « 12500.5 »."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

NBSP = "\u00a0"
_SPACES = re.compile(r"[\s\u00a0\u202f]")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def read_decimal(text: str | None) -> Decimal | None:
    """The number in ``text`` (spaces between thousands, a decimal comma or point, a trailing € or %), None when
    empty; a ValueError with a French message for anything else (« environ 10 », « 12,5,3 »)."""
    cleaned = _SPACES.sub("", text or "").removesuffix("€").removesuffix("%").replace(",", ".")
    if not cleaned:
        return None
    if not _NUMBER.fullmatch(cleaned):
        raise ValueError(f"« {(text or '').strip()} » n'est pas un nombre (exemples acceptés : 12 ; 12,5 ; 12 500,50).")
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"« {(text or '').strip()} » n'est pas un nombre.") from None


def grouped(value: Decimal, places: int = 2) -> str:
    """« 12 500,50 »: thousands grouped by non-breaking spaces, a decimal comma, rounded half up."""
    quantum = Decimal(1).scaleb(-places)
    text = f"{Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"
    return text.replace(",", NBSP).replace(".", ",")
