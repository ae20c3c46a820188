"""The national mean cost per place, per category and year: the reference i-47 compares each cost with.

Stored as the category-level data element ``cout_moyen_national`` (one DataValue per category and year,
with no establishment), which the indicator engine spreads over the establishments of that category.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from cpom.audit.services import record
from cpom.core.locking import StaleWrite, fingerprint
from cpom.core.numbers import grouped, read_decimal
from cpom.indicators.models import DataValue
from cpom.registry.categories import CATEGORIES, CATEGORY_BY_CODE

ELEMENT = "cout_moyen_national"
FIRST_YEAR = 2000
MAX_AMOUNT = Decimal("10000000")  # €/place: anything above is a typing error (cents typed as euros…)


class ReferenceCostError(ValueError):
    """Mean costs that cannot be saved; ``errors`` maps each category in error to its French message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ; ".join(f"{code} : {message}" for code, message in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class MeanCost:
    category: str
    label: str
    value: Decimal | None


def last_closed_year() -> int:
    return date.today().year - 1


def is_valid_year(year: int) -> bool:
    return FIRST_YEAR <= year <= date.today().year + 5


def read_as(year: int) -> str:
    """What the page shows of the year, as a fingerprint: a save over someone else's change is refused."""
    stored = DataValue.objects.filter(element=ELEMENT, year=year).exclude(category="").order_by("category")
    return fingerprint(list(stored.values_list("category", "value")))


def mean_costs(year: int) -> list[MeanCost]:
    """Every category, with its mean cost for the year when one was entered."""
    stored = dict(
        DataValue.objects.filter(element=ELEMENT, year=year).exclude(category="").values_list("category", "value")
    )
    return [MeanCost(c.code, c.label, stored.get(c.code)) for c in CATEGORIES]


def latest_year() -> int:
    """The last year with a mean cost entered, or the last closed year."""
    years = DataValue.objects.filter(element=ELEMENT).exclude(category="").values_list("year", flat=True)
    return max(years, default=last_closed_year())


def parse_amount(text: str) -> Decimal | None:
    """A French amount (« 52 300,50 », « 52300.5 », « 52 300 € ») or None for an empty field."""
    try:
        amount = read_decimal(text)
    except ValueError:
        raise ValueError(f"« {text.strip()} » n'est pas un montant (exemple : 52 300,50).") from None
    if amount is None:
        return None
    if not amount.is_finite() or amount <= 0:
        raise ValueError(f"« {text.strip()} » : le coût moyen doit être un montant positif.")
    if amount >= MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"« {text.strip()} » : au plus 9 999 999,99 € et deux décimales.")
    return amount


def parse_mean_costs(entries: dict[str, str]) -> dict[str, Decimal | None]:
    """Every category's entry checked; all errors are reported together, per category."""
    values, errors = {}, {}
    for code, text in entries.items():
        if code not in CATEGORY_BY_CODE:
            errors[code] = "catégorie inconnue."
            continue
        try:
            values[code] = parse_amount(text)
        except ValueError as error:
            errors[code] = str(error)
    if errors:
        raise ReferenceCostError(errors)
    return values


@transaction.atomic
def save_mean_costs(user, year: int, entries: dict[str, str], seen: str | None) -> int:
    """Saves the year's mean costs all or nothing (an empty entry removes the value); returns the changes.

    ``seen`` is the :func:`read_as` of the page the user filled: if the year changed since, nothing is saved.
    """
    if not is_valid_year(year):
        raise ReferenceCostError({"année": f"{year} n'est pas une année possible."})
    values = parse_mean_costs(entries)
    existing = {v.category: v for v in DataValue.objects.select_for_update().filter(element=ELEMENT, year=year)}
    if seen != read_as(year):
        raise StaleWrite
    changes = 0
    for code, value in values.items():
        changes += _save_one(user, code, year, existing.get(code), value)
    return changes


def _save_one(user, code: str, year: int, stored: DataValue | None, value: Decimal | None) -> int:
    before = stored.value if stored is not None else None
    if before == value:
        return 0
    action = f"Coût moyen national {code} {year}"
    if value is None:
        record(user, stored, action, {"valeur": before}, None)
        stored.delete()
        return 1
    if stored is None:
        stored = DataValue.objects.create(category=code, year=year, element=ELEMENT, value=value)
    else:
        stored.value = value
        stored.save(update_fields=["value"])
    record(user, stored, action, None if before is None else {"valeur": before}, {"valeur": value})
    return 1


def format_amount(value: Decimal | None) -> str:
    """« 52 300,50 », or an empty text."""
    return "" if value is None else grouped(value)


def mean_cost_command(category: str, year: int, value: str, user=None) -> str:
    """Sets (or, with an empty value, removes) the national mean cost per place of a category for a year."""
    code = category.strip().upper()
    # One command, one read: there is no page whose copy could be outdated.
    changes = save_mean_costs(user, year, {code: value}, read_as(year))
    amount = parse_amount(value)
    if not changes:
        return f"Coût moyen national {code} {year} inchangé."
    if amount is None:
        return f"Coût moyen national {code} {year} supprimé."
    return f"Coût moyen national {code} {year} : {format_amount(amount)} € par place."
