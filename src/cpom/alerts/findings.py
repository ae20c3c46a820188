"""What raises an alert, computed over plain facts (no Django): each function turns the facts a service read into
:class:`Finding` values, one per cause, each with a stable key so that a new computation finds the same alert again.

The rules, where the sources are silent (seed-contract-followup §7), are the settings' (``CPOM_ALERTS``):
- a milestone is overdue once its date has passed and it is not done;
- a value is implausible when the engine flagged it out of the indicator's plausible bounds;
- under-activity: the occupancy rate of a year below the lead authority's threshold (the sources name the
  occupancy rate as the activity indicator but give no threshold: 95 % is a chosen default);
- a deficit against the trajectory: a year's result from the accounts below zero and below the result the retained
  scenario planned for that year (a deficit the parties planned, met or bettered, is no alert);
- missing data: a line of an open campaign's grid without a value for the reviewed year, from ``missing_data_days``
  (two weeks) before the managing body's report deadline until the campaign is submitted;
- an indicator not met (NR) or in progress but off track, on the latest campaign's grid: the level confirmed by a
  person, else the one the follow-up's rule (cpom.followup.levels) proposes.
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
    cause_query: str = ""  # « annee=2025 »: what the cause's page is asked to show


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


# A value's cause is its establishment's indicators page for that year (the value's own detail is a fragment of it).
VALUE_PAGE = "indicators:establishment"


def _value_cause(value: ValueFact) -> tuple:
    return (value.finess,)


def implausible_values(values: Iterable[ValueFact], flag: str) -> list[Finding]:
    """The values the engine flagged with ``flag`` (benchmarks.OUT_OF_BOUNDS, passed in by the service)."""
    return [
        Finding(
            IMPLAUSIBLE,
            f"{v.indicator_code}-{v.indicator_id}/{v.finess}/{v.year}",
            v.year,
            f"Valeur invraisemblable pour {v.establishment} en {v.year} : {v.indicator} = "
            f"{measure(v.value, v.unit) if v.value is not None else 'non calculée'} ({v.flag}).",
            VALUE_PAGE,
            _value_cause(v),
            v.establishment_id,
            f"annee={v.year}",
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
            VALUE_PAGE,
            _value_cause(v),
            v.establishment_id,
            f"annee={v.year}",
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


@dataclass(frozen=True)
class LineFact:
    """A line of a campaign's grid: its level (confirmed, else proposed), the proposal's track, and whether the
    reviewed year has a value."""

    contract_id: int
    campaign_id: int
    reviewed_year: int
    indicator_id: int
    indicator: str
    category: str  # "" for the consolidated line
    category_label: str
    level: str  # R, NR or EC
    track: str  # on_track, off_track or ""
    explanation: str
    has_value: bool


NOT_MET = "NR"
IN_PROGRESS = "EC"
OFF_TRACK = "off_track"


def _line_key(line: LineFact) -> str:
    return f"{line.indicator_id}/{line.category or 'consolide'}"


def _line_cause(line: LineFact) -> tuple:
    return (line.contract_id, line.campaign_id)


def indicators_off_track(lines: Iterable[LineFact]) -> list[Finding]:
    found = []
    for line in lines:
        if line.level == NOT_MET:
            state = "non atteint"
        elif line.level == IN_PROGRESS and line.track == OFF_TRACK:
            state = "hors trajectoire"
        else:
            continue
        because = f" : {line.explanation}" if line.explanation else ""
        found.append(
            Finding(
                INDICATOR,
                _line_key(line),
                line.reviewed_year,
                f"Indicateur {state} ({line.category_label}) : {line.indicator}{because}.",
                "followup:campaign",
                _line_cause(line),
            )
        )
    return found


def missing_data(lines: Iterable[LineFact], deadline: date, today: date, days_before: int) -> list[Finding]:
    """Lines without a value for the reviewed year, from ``days_before`` days before the report's deadline on."""
    if (deadline - today).days > days_before:
        return []
    return [
        Finding(
            MISSING_DATA,
            f"{line.campaign_id}/{_line_key(line)}",
            line.reviewed_year,
            f"Donnée manquante pour {line.reviewed_year} ({line.category_label}) : {line.indicator} ; le bilan est "
            f"attendu le {_french_date(deadline)}.",
            "followup:campaign",
            _line_cause(line),
        )
        for line in lines
        if not line.has_value
    ]
