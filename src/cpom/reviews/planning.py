"""The management reviews a contract calls for, computed from its start, its duration and the authority's rules.

Pure: no Django. What the sources say (seed-contract-followup §5.1):

- a yearly dialogue « entre mai et octobre » where the authority holds them yearly (seed 000 L346, L874, L884);
- at least « à mi-parcours (3e année) » and « à la fin du CPOM (lors de la 5e année) » (seed 003 L5833-5836);
- a supplementary dialogue in the 4th year « en cas de difficultés particulières » (seed 003 L5836-5838): here, when
  the contract has open alerts;
- the N+4 dialogue, « premier bilan du CPOM sur 4 ans, prévoir les derniers correctifs de la 5° année et préparer
  le CPOM suivant » (seed 002 L317): the review that prepares the renewal, in the year before the last.

One meeting per contract year: when several rules call for a review in the same year (year 3 is yearly and
mid-term), the meeting carries every purpose, the first one naming it. Where the sources are silent (the day in the
window, a contract shorter than five years) the :class:`Rules` say, from the settings.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

ANNUAL = "annual"
MID_TERM = "mid_term"
FINAL = "final"
RENEWAL = "renewal"
EXTRA = "extra"

# The order in which purposes name a meeting (the first one found is its kind).
PRIORITY = (FINAL, MID_TERM, RENEWAL, EXTRA, ANNUAL)
LABELS = {
    ANNUAL: "annuel",
    MID_TERM: "mi-parcours",
    FINAL: "fin de contrat",
    RENEWAL: "préparation du renouvellement",
    EXTRA: "supplémentaire",
}


@dataclass(frozen=True)
class Rules:
    """``CPOM_REVIEWS`` as plain data (see the settings for the sources of each value)."""

    yearly: bool = True
    window: tuple[int, int] = (5, 10)  # first and last month of the window, both included
    preferred_month: int = 10
    preferred_day: int = 15
    mid_term_year: int = 3
    final_year: int = 5
    final_in_last_year: bool = True  # a contract shorter than final_year ends with its own end-of-contract review
    renewal_review: bool = True
    renewal_years_before_end: int = 1  # N+4 of a 5-year contract: its 4th year
    extra_year: int = 4
    extra_when_alerts: bool = True

    @classmethod
    def of(cls, values: dict) -> "Rules":
        known = {name: values[name] for name in cls.__dataclass_fields__ if name in values}
        if "window" in known:
            known["window"] = tuple(known["window"])
        return cls(**known)

    def in_window(self, day: date) -> bool:
        first, last = self.window
        return first <= day.month <= last


@dataclass(frozen=True)
class PlannedReview:
    year: int  # the contract's year, 1 to its duration
    day: date
    purposes: tuple[str, ...] = field(default=())

    @property
    def kind(self) -> str:
        return self.purposes[0]

    @property
    def label(self) -> str:
        return f"Dialogue de gestion de l'année {self.year} ({', '.join(LABELS[p] for p in self.purposes)})"


def add_years(day: date, years: int) -> date:
    year = day.year + years
    return date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


def contract_year_bounds(start: date, year: int) -> tuple[date, date]:
    """The first and last day of the contract's ``year`` (1 is the year that starts on ``start``)."""
    return add_years(start, year - 1), add_years(start, year) - timedelta(days=1)


def review_day(start: date, year: int, rules: Rules) -> date:
    """The preferred day of the window inside the contract's ``year``, else the window's day nearest to it.

    A contract year spans twelve months, so it holds at least one day of every month: of the window too."""
    first, last = contract_year_bounds(start, year)
    for calendar_year in (first.year, last.year):
        month_days = calendar.monthrange(calendar_year, rules.preferred_month)[1]
        preferred = date(calendar_year, rules.preferred_month, min(rules.preferred_day, month_days))
        if first <= preferred <= last:
            break
    candidates = []
    day = first
    while day <= last:
        if rules.in_window(day):
            candidates.append(day)
        day += timedelta(days=1)
    return min(candidates, key=lambda d: (abs((d - preferred).days), d))


def purposes_of(year: int, duration: int, rules: Rules, alerts_open: bool) -> tuple[str, ...]:
    found = set()
    if rules.yearly:
        found.add(ANNUAL)
    if year == rules.mid_term_year:
        found.add(MID_TERM)
    if year == rules.final_year or (rules.final_in_last_year and duration < rules.final_year and year == duration):
        found.add(FINAL)
    if rules.renewal_review and year == duration - rules.renewal_years_before_end:
        found.add(RENEWAL)
    if rules.extra_when_alerts and alerts_open and year == rules.extra_year:
        found.add(EXTRA)
    return tuple(p for p in PRIORITY if p in found)


def plan(start: date, duration: int, rules: Rules, alerts_open: bool = False) -> list[PlannedReview]:
    """The reviews of a contract starting on ``start`` for ``duration`` years (1 to 5), by year."""
    if not 1 <= duration <= 5:
        raise ValueError("Durée du contrat : de 1 à 5 ans.")
    planned = []
    for year in range(1, duration + 1):
        purposes = purposes_of(year, duration, rules, alerts_open)
        if purposes:
            planned.append(PlannedReview(year, review_day(start, year, rules), purposes))
    return planned
