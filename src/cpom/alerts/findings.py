"""What raises an alert, computed over plain facts (no Django): each function turns the facts a service read into
:class:`Finding` values, one per cause, each with a stable key so that a new computation finds the same alert again.

The rules, where the sources are silent (seed-contract-followup §7), are the settings' (``CPOM_ALERTS``):
- a milestone is overdue once its date has passed and it is not done;
- a value is implausible when the engine flagged it out of the indicator's plausible bounds;
- under-activity: the occupancy rate of a year below the lead authority's threshold (the sources name the
  occupancy rate as the activity indicator but give no threshold: 95 % is a chosen default);
- a deficit against the trajectory: a year's result from the accounts below zero and below the result the retained
  scenario planned for that year (a deficit the parties planned, met or bettered, is no alert);
- missing data: a follow-up line without a value for the reviewed year, from the given days before the report
  deadline of an open campaign until it is submitted;
- an indicator not met (level NR) or in progress but off track, as the follow-up's level rule proposes it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cpom.core.numbers import measure, money
from cpom.core.text import of

INDICATOR = "indicator"
MILESTONE = "milestone"
MISSING_DATA = "missing_data"
IMPLAUSIBLE = "implausible"
UNDER_ACTIVITY = "under_activity"
DEFICIT = "deficit"


@dataclass(frozen=True)
class Finding:
    kind: str
    key: str
    year: int
    message: str
    cause_url_name: str
    cause_args: tuple
    establishment_id: int | None = None


@dataclass(frozen=True)
class MilestoneFact:
    contract_id: int
    objective_id: int
    objective: str
    milestone_id: int
    label: str
    due_date: date | None
    done: bool


@dataclass(frozen=True)
class ValueFact:
    """An engine value of one establishment and year."""

    establishment_id: int
    establishment: str
    finess: str
    indicator_id: int
    indicator_code: str
    indicator: str
    unit: str
    year: int
    value: float | None
    flag: str


@dataclass(frozen=True)
class ResultFact:
    """A contract year's result from the accounts of its establishments, beside what the retained scenario planned."""

    contract_id: int
    year: int
    actual: Decimal
    planned: Decimal
    scenario_id: int
    scenario: str


def _french_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def overdue_milestones(milestones: Iterable[MilestoneFact], today: date) -> list[Finding]:
    return [
        Finding(
            MILESTONE,
            f"jalon-{m.milestone_id}",
            m.due_date.year,
            f"Jalon en retard : « {m.label} » ({m.objective}), prévu le {_french_date(m.due_date)}, n'est pas réalisé.",
            "objectives:detail",
            (m.contract_id, m.objective_id),
        )
        for m in milestones
        if m.due_date is not None and m.due_date < today and not m.done
    ]


def _value_cause(value: ValueFact) -> tuple:
    return (value.finess, value.indicator_id, value.year)


def implausible_values(values: Iterable[ValueFact], flag: str) -> list[Finding]:
    """The values the engine flagged with ``flag`` (benchmarks.OUT_OF_BOUNDS, passed in by the service)."""
    return [
        Finding(
            IMPLAUSIBLE,
            f"{v.indicator_code}-{v.indicator_id}/{v.finess}/{v.year}",
            v.year,
            f"Valeur invraisemblable pour {v.establishment} en {v.year} : {v.indicator} = "
            f"{measure(v.value, v.unit) if v.value is not None else 'non calculée'} ({v.flag}).",
            "indicators:detail",
            _value_cause(v),
            v.establishment_id,
        )
        for v in values
        if v.flag == flag
    ]


def under_activity(values: Iterable[ValueFact], threshold: Decimal) -> list[Finding]:
    """The occupancy values below ``threshold`` (a percentage)."""
    return [
        Finding(
            UNDER_ACTIVITY,
            f"{v.indicator_code}-{v.indicator_id}/{v.finess}/{v.year}",
            v.year,
            f"Sous-activité {of(v.establishment)} en {v.year} : {v.indicator.lower()} de {measure(v.value, v.unit)}, "
            f"sous le seuil de {measure(threshold, '%')}.",
            "indicators:detail",
            _value_cause(v),
            v.establishment_id,
        )
        for v in values
        if v.value is not None and Decimal(repr(v.value)) < threshold
    ]


def deficits(results: Iterable[ResultFact]) -> list[Finding]:
    return [
        Finding(
            DEFICIT,
            f"resultat/{r.year}",
            r.year,
            f"Résultat déficitaire en {r.year} : {money(r.actual)} selon les comptes, pour {money(r.planned)} prévus "
            f"par la trajectoire retenue (« {r.scenario} »).",
            "finance:trajectory_detail",
            (r.contract_id, r.scenario_id),
        )
        for r in results
        if r.actual < 0 and r.actual < r.planned
    ]
