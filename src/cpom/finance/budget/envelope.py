"""The envelope arithmetic of the reference budget: rounding, shares, monthly instalments and growth.

Plain computation on Decimal, no database: :mod:`cpom.finance.budget.services` reads the lines and calls it. A yearly
envelope is rounded to the cent, half up, when it is set (an arrêté fixes an amount in euros and cents, and the next
year's rate applies to that amount); shares and percentages are exact and rounded only for display, except where
this module says how the cents are shared so that a total adds up exactly.
"""

from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
MONTHS = 12
GROUPS = (1, 2, 3)
TARIFF_GROUP = 1

# The growth modes of the model contract (the values of models.GrowthMode).
AUTHORITY_RATE, ZERO_RATE, ANNUAL_AMENDMENT, REGIONAL_RATE = (
    "authority_rate",
    "zero_rate",
    "annual_amendment",
    "regional_rate",
)
GROWTH_MODES = (AUTHORITY_RATE, ZERO_RATE, ANNUAL_AMENDMENT, REGIONAL_RATE)


def booked(amount: Decimal) -> Decimal:
    """An amount as it is fixed: to the cent, half up."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def apportion(total: Decimal, weights: list[Decimal], unit: Decimal = CENT) -> list[Decimal]:
    """``total`` shared in proportion to ``weights``, in whole ``unit``s, adding up exactly to ``total``.

    Largest remainder: each part is first rounded down, then the units left over go one by one to the parts that
    lost the most (the earlier part on a tie), so no part is off by more than one unit.
    """
    whole = sum(weights, Decimal(0))
    exact = [total * weight / whole for weight in weights]
    parts = [(value / unit).to_integral_value(ROUND_FLOOR) * unit for value in exact]
    left = int((total - sum(parts, Decimal(0))) / unit)
    by_loss = sorted(range(len(parts)), key=lambda i: exact[i] - parts[i], reverse=True)
    for index in by_loss[:left]:
        parts[index] += unit
    return parts


@dataclass(frozen=True)
class BudgetAmounts:
    """Expenses and income per functional group (as in the model contract's table), tariff income per funder."""

    expenses: dict[int, Decimal]
    income: dict[int, Decimal]
    tariff: dict[str, Decimal]

    @property
    def total_expenses(self) -> Decimal:
        return sum(self.expenses.values(), ZERO)

    @property
    def total_income(self) -> Decimal:
        return sum(self.income.values(), ZERO)

    @property
    def result(self) -> Decimal:
        return self.total_income - self.total_expenses

    @property
    def net_expenses(self) -> Decimal:
        """What the tariff must cover: expenses less the income of groups II and III."""
        return self.total_expenses - self.income[2] - self.income[3]


@dataclass(frozen=True)
class MonthlyInstalments:
    """The douzièmes of a year: eleven equal ones rounded to the cent, the twelfth takes what the rounding left."""

    regular: Decimal
    last: Decimal

    @property
    def year_total(self) -> Decimal:
        return self.regular * (MONTHS - 1) + self.last


def monthly_instalment(amount: Decimal) -> MonthlyInstalments:
    regular = booked(amount / MONTHS)
    return MonthlyInstalments(regular, amount - regular * (MONTHS - 1))


@dataclass(frozen=True)
class EnvelopeShare:
    """An establishment's quote-part: its tariff income from the funder, its exact percentage and the one shown."""

    establishment: Any  # what the share belongs to (an establishment)
    amount: Decimal
    percentage: Decimal
    shown_percentage: Decimal  # to 0.01 %, the shown ones add up to exactly 100 %
    instalments: MonthlyInstalments


def envelope_shares(amounts: list[tuple[Any, Decimal]]) -> list[EnvelopeShare]:
    total = sum((amount for _, amount in amounts), ZERO)
    shown = apportion(HUNDRED, [amount for _, amount in amounts])
    return [
        EnvelopeShare(establishment, amount, amount * HUNDRED / total, percent, monthly_instalment(amount))
        for (establishment, amount), percent in zip(amounts, shown, strict=True)
    ]


@dataclass(frozen=True)
class EnvelopeYear:
    index: int  # 0 for the contract's first year (N)
    year: int
    rate: Decimal | None  # None: set by amendment
    amount: Decimal | None

    @property
    def label(self) -> str:
        return "N" if self.index == 0 else f"N+{self.index}"


def growth_rates(mode: str, rate: Decimal, zero_rate_years: int, duration: int) -> list[Decimal | None]:
    """The rate (%) applied each contract year; None where an amendment sets the amount."""
    if mode == ANNUAL_AMENDMENT:
        return [None] * duration
    if mode == ZERO_RATE:
        frozen = min(zero_rate_years, duration)
        return [ZERO] * frozen + [rate] * (duration - frozen)
    # The authority's rate and the regional rate both apply the rate given each year; the regional rate is
    # revised by each year's budget campaign, so the projection uses the one known today.
    return [rate] * duration


def envelope_growth(amount: Decimal, rates: list[Decimal | None], first_year: int) -> list[EnvelopeYear]:
    """The envelope of each contract year: year N applies its rate to the reference, each later year to the
    year before, rounded to the cent each time. Once a year is set by amendment, the following ones are too."""
    years, current = [], amount
    for index, rate in enumerate(rates):
        if rate is None or current is None:
            current = None
        else:
            current = booked(current * (HUNDRED + rate) / HUNDRED)
        years.append(EnvelopeYear(index, first_year + index, rate, current))
    return years
