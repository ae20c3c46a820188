"""A campaign's follow-up grid, computed: what every page, workbook, report and alert of the follow-up reads.

The grid reads the contract as it is in force (the live objectives, indicators and targets of a signed contract are
the consolidated ones: each applied amendment wrote its changes into them, cpom.amendments), the engine's stored
values and what people added on the campaign (cpom.followup.models.GridEntry). It never writes: ``recompute``
(cpom.followup.services) stores the proposals it makes.

Lines. One per follow-up indicator and homogeneous category of the objective's perimeter (its establishments, or the
contract's when it names none), restricted to the categories a catalogue indicator applies to; plus the consolidated
line (« Ensemble du périmètre ») when the perimeter holds more than one category, where it would only repeat the one.

Values. A catalogue indicator the engine computes takes, for each year from N−1 to the reviewed year, the engine's
value of the category (Σ numerators ÷ Σ denominators over its establishments, cpom.indicators.engine.consolidate,
as ``consolidated_for`` gives it), with the files its establishments' data came from. A declared indicator (or a
contract's own indicator) takes the value the managing body declared on the campaign that reviewed that year.
The rule judges the value as it is shown: rounded to two decimals.

Baseline. The indicator's situation at signature as the contract gives it; for a category line of a computed
indicator, the engine's value of N−1 for that category when it exists (the état des lieux the contract started from).

Due year of a line: its objective's échéance, else its parent's, else the contract's last year (seed 000 L1037).
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import polars as pl

from cpom.core.numbers import measure, plain
from cpom.indicators.catalogues import spec_of
from cpom.indicators.engine import consolidate
from cpom.indicators.explain import batch_text
from cpom.indicators.models import DataValue, ImportBatch, IndicatorValue
from cpom.objectives.models import FollowUpIndicator, Level, Objective, Status
from cpom.registry.categories import CATEGORY_BY_CODE

from . import levels
from .models import CONSOLIDATED, CONSOLIDATED_LABEL, Campaign, GridEntry, MilestoneProgress

CENT = Decimal("0.01")


@dataclass(frozen=True)
class YearValue:
    """One year of a line: the value as the rule reads it (normalised text), as shown, and where it came from."""

    year: int
    text: str
    shown: str
    engine_value: float | None = None  # the engine's stored value, unrounded (computed indicators)
    reason: str = ""  # why the engine could not compute it
    provenance: tuple[str, ...] = ()  # « fichier, importé le jj/mm/aaaa (qui) », one per file


@dataclass
class Line:
    indicator: FollowUpIndicator
    category: str  # "" for the consolidated line
    due_offset: int
    computed: bool  # from the engine; otherwise declared by the managing body
    targets: dict[int, str]
    baseline: str
    values: list[YearValue]
    assessment: levels.Assessment  # what the rule proposes now
    entry: GridEntry | None  # what people added on the campaign, and the stored proposal and confirmation

    @property
    def key(self) -> tuple[int, str]:
        return (self.indicator.pk, self.category)

    @property
    def category_label(self) -> str:
        return CATEGORY_BY_CODE[self.category].label if self.category else CONSOLIDATED_LABEL

    @property
    def target(self) -> str:
        found = levels.target_for(self.targets, self.due_offset)
        return found[1] if found else ""

    @property
    def confirmed_level(self) -> str:
        return self.entry.confirmed_level if self.entry else ""

    @property
    def level(self) -> str:
        """The level that counts: the confirmed one, else the proposal."""
        return self.confirmed_level or self.assessment.level

    @property
    def proposal_changed(self) -> bool:
        """A confirmed level whose proposal has moved since: shown beside it, never applied without a new
        confirmation."""
        return bool(self.confirmed_level) and self.entry.confirmed_proposal != self.assessment.level

    @property
    def current_situation(self) -> str:
        return self.entry.current_situation if self.entry else ""

    @property
    def comment(self) -> str:
        return self.entry.comment if self.entry else ""

    def value_of(self, year: int) -> YearValue | None:
        return next((v for v in self.values if v.year == year), None)


@dataclass(frozen=True)
class MilestoneLine:
    milestone_id: int
    label: str
    due_date: date | None
    done_on: date | None
    state: str
    comment: str
    progress: MilestoneProgress | None

    @property
    def state_label(self) -> str:
        return levels.MILESTONE_LABELS[self.state]


@dataclass
class OperationalRow:
    """An operational objective (or a strategic objective's own indicators) with its lines and milestones."""

    objective: Objective
    due_offset: int
    lines: list[Line]
    milestones: list[MilestoneLine]

    @property
    def level(self) -> str:
        return levels.combined([line.level for line in self.lines])

    @property
    def span(self) -> int:
        """The table rows it takes (its merged cell): one per line, one when it has none."""
        return max(1, len(self.lines))


@dataclass
class StrategicRow:
    objective: Objective
    rows: list[OperationalRow]

    @property
    def span(self) -> int:
        return max(1, sum(row.span for row in self.rows))

    @property
    def level(self) -> str:
        return levels.combined([row.level for row in self.rows])


@dataclass
class Grid:
    campaign: Campaign
    start_year: int
    years: list[int]  # N−1 (the situation at signature) to the reviewed year
    strategic: list[StrategicRow] = field(default_factory=list)

    @property
    def reviewed_year(self) -> int:
        return self.campaign.reviewed_year

    @property
    def operational(self) -> list[OperationalRow]:
        return [row for strategic in self.strategic for row in strategic.rows]

    @property
    def lines(self) -> list[Line]:
        return [line for row in self.operational for line in row.lines]

    @property
    def milestones(self) -> list[MilestoneLine]:
        return [m for row in self.operational for m in row.milestones]

    @property
    def achievement_rate(self) -> Decimal | None:
        """The share of the operational objectives judged R, among those judged (levels.achievement_rate)."""
        return levels.achievement_rate([row.level for row in self.operational])

    def line(self, indicator_id: int, category: str = CONSOLIDATED) -> Line | None:
        return next((line for line in self.lines if line.key == (indicator_id, category)), None)


def _rounded_text(value: float) -> str:
    return plain(Decimal(repr(value)).quantize(CENT, rounding=ROUND_HALF_UP))


def _in_force(contract) -> list[Objective]:
    return list(
        Objective.objects.filter(contract=contract)
        .exclude(status=Status.REJECTED)
        .prefetch_related("establishments", "milestones")
        .order_by("pk")
    )


def _perimeter(objective: Objective, by_id: dict[int, Objective], contract_establishments: list) -> list:
    """The objective's establishments, or its parent's, or the contract's."""
    while objective is not None:
        own = list(objective.establishments.all())
        if own:
            return own
        objective = by_id.get(objective.parent_id)
    return contract_establishments


def _due_offset(objective: Objective, by_id: dict[int, Objective], last: int) -> int:
    while objective is not None:
        if objective.due_year is not None:
            return objective.due_year
        objective = by_id.get(objective.parent_id)
    return last


def _categories(indicator: FollowUpIndicator, perimeter: list) -> list[str]:
    present = sorted({e.category for e in perimeter})
    if indicator.catalogue_indicator_id:
        present = [c for c in present if indicator.catalogue_indicator.applies_to(c)]
    return present + [CONSOLIDATED] if len(present) > 1 else present or [CONSOLIDATED]


class _EngineValues:
    """The engine's stored values of a set of indicators over perimeters, per category and consolidated, with the
    files the data came from: one query for the values, one for the files, per perimeter."""

    def __init__(self, years: list[int]):
        self.years = years
        self._values: dict[tuple, tuple[float | None, str]] = {}
        self._files: dict[tuple, tuple[str, ...]] = {}

    def load(self, perimeter: list, indicators: list) -> None:
        key = frozenset(e.pk for e in perimeter)
        if not indicators:
            return
        finess = {e.pk: e.finess for e in perimeter}
        stored = list(
            IndicatorValue.objects.filter(
                establishment__in=perimeter, indicator__in=indicators, year__in=self.years
            ).values_list("establishment_id", "indicator_id", "year", "value", "numerator", "denominator")
        )
        if stored:
            frame = pl.DataFrame(
                [(finess[e], str(i), y, v, n, d) for e, i, y, v, n, d in stored],
                schema={
                    "establishment": pl.Utf8,
                    "code": pl.Utf8,
                    "year": pl.Int64,
                    "value": pl.Float64,
                    "numerator": pl.Float64,
                    "denominator": pl.Float64,
                },
                orient="row",
            )
            groups = pl.DataFrame(
                [(e.finess, e.category) for e in perimeter] + [(e.finess, CONSOLIDATED) for e in perimeter],
                schema={"establishment": pl.Utf8, "group": pl.Utf8},
                orient="row",
            )
            specs = [replace(spec_of(i), code=str(i.pk)) for i in indicators]
            for row in consolidate(frame, groups, specs).iter_rows(named=True):
                self._values[(key, int(row["code"]), row["group"], row["year"])] = (row["value"], row["reason"])
        batches = defaultdict(set)
        for category, year, batch_id in (
            DataValue.objects.filter(establishment__in=perimeter, year__in=self.years, batch__isnull=False)
            .values_list("establishment__category", "year", "batch_id")
            .distinct()
        ):
            batches[(category, year)].add(batch_id)
            batches[(CONSOLIDATED, year)].add(batch_id)
        known = ImportBatch.objects.select_related("user").in_bulk({b for ids in batches.values() for b in ids})
        for (category, year), ids in batches.items():
            self._files[(key, category, year)] = tuple(batch_text(known[b]) for b in sorted(ids))

    def value(self, perimeter: list, indicator_id: int, category: str, year: int) -> tuple[float | None, str] | None:
        return self._values.get((frozenset(e.pk for e in perimeter), indicator_id, category, year))

    def files(self, perimeter: list, category: str, year: int) -> tuple[str, ...]:
        return self._files.get((frozenset(e.pk for e in perimeter), category, year), ())


def _declared(campaign: Campaign) -> dict[tuple[int, str, int], str]:
    """What the managing body declared, by (indicator, category, reviewed year), on this campaign and the earlier ones."""
    return {
        (indicator_id, category, year): value
        for indicator_id, category, year, value in GridEntry.objects.filter(
            campaign__contract=campaign.contract, campaign__year__lte=campaign.year
        )
        .exclude(declared_value="")
        .values_list("indicator_id", "category", "campaign__reviewed_year", "declared_value")
    }


def grid_for(campaign: Campaign) -> Grid:
    """The campaign's grid as the data holds it now (see the module's docstring)."""
    contract = campaign.contract
    start_year = contract.start_date.year
    years = list(range(start_year - 1, campaign.reviewed_year + 1))
    objectives = _in_force(contract)
    by_id = {o.pk: o for o in objectives}
    contract_establishments = list(contract.establishments.all())
    indicators = list(
        FollowUpIndicator.objects.filter(objective__in=objectives)
        .select_related("catalogue_indicator")
        .prefetch_related("targets")
        .order_by("objective_id", "pk")
    )
    entries = {(e.indicator_id, e.category): e for e in campaign.entries.select_related("confirmed_by")}
    progress = {p.milestone_id: p for p in campaign.milestones.all()}
    declared = _declared(campaign)
    engine = _EngineValues(years)
    last_offset = contract.duration_years - 1
    as_of = date(campaign.reviewed_year, 12, 31)

    def computed(indicator: FollowUpIndicator) -> bool:
        return bool(indicator.catalogue_indicator_id) and not indicator.catalogue_indicator.declared

    by_objective = defaultdict(list)
    for indicator in indicators:
        by_objective[indicator.objective_id].append(indicator)
    perimeters = {o.pk: _perimeter(o, by_id, contract_establishments) for o in objectives}
    # One load per distinct perimeter, with every computed indicator read over it.
    to_load = defaultdict(dict)
    for objective in objectives:
        key = frozenset(e.pk for e in perimeters[objective.pk])
        to_load[key]["perimeter"] = perimeters[objective.pk]
        to_load[key].setdefault("indicators", {}).update(
            {i.catalogue_indicator_id: i.catalogue_indicator for i in by_objective[objective.pk] if computed(i)}
        )
    for load in to_load.values():
        engine.load(load["perimeter"], list(load["indicators"].values()))

    def line(indicator: FollowUpIndicator, category: str, perimeter: list, due: int) -> Line:
        targets = {t.due_year: t.value for t in indicator.targets.all()}
        values = []
        for year in years:
            if computed(indicator):
                stored = engine.value(perimeter, indicator.catalogue_indicator_id, category, year)
                files = engine.files(perimeter, category, year)
                if stored is None:
                    values.append(YearValue(year, "", "", provenance=files))
                    continue
                value, reason = stored
                text = _rounded_text(value) if value is not None else ""
                values.append(
                    YearValue(
                        year,
                        text,
                        measure(value, indicator.unit) if value is not None else "non calculable",
                        value,
                        reason,
                        files,
                    )
                )
            else:
                text = declared.get((indicator.pk, category, year), "")
                values.append(YearValue(year, text, levels.shown(indicator.value_type, text, indicator.unit)))
        baseline = indicator.baseline_value
        if computed(indicator) and category and values and values[0].text:
            baseline = values[0].text
        facts = levels.LineFacts(
            value_type=indicator.value_type,
            direction=indicator.direction,
            tolerance=indicator.tolerance,
            baseline=baseline,
            targets=targets,
            values={v.year: v.text for v in values},
            start_year=start_year,
            due_offset=due,
            reviewed_year=campaign.reviewed_year,
            unit=indicator.unit,
        )
        return Line(
            indicator,
            category,
            due,
            computed(indicator),
            targets,
            baseline,
            values,
            levels.assess(facts),
            entries.get((indicator.pk, category)),
        )

    def milestone_lines(objective: Objective) -> list[MilestoneLine]:
        result = []
        for milestone in objective.milestones.all():
            done = progress.get(milestone.pk)
            done_on = done.done_on if done else None
            result.append(
                MilestoneLine(
                    milestone.pk,
                    milestone.label,
                    milestone.due_date,
                    done_on,
                    levels.milestone_state(milestone.due_date, done_on, as_of),
                    done.comment if done else "",
                    done,
                )
            )
        return result

    def row(objective: Objective, members: list[Objective]) -> OperationalRow:
        due = _due_offset(objective, by_id, last_offset)
        lines = [
            line(indicator, category, perimeters[member.pk], _due_offset(member, by_id, last_offset))
            for member in members
            for indicator in by_objective[member.pk]
            for category in _categories(indicator, perimeters[member.pk])
        ]
        milestones = [m for member in members for m in milestone_lines(member)]
        return OperationalRow(objective, due, lines, milestones)

    children = defaultdict(list)
    for objective in objectives:
        children[objective.parent_id].append(objective)
    grid = Grid(campaign, start_year, years)
    for strategic in (o for o in objectives if o.level == Level.STRATEGIC):
        rows = []
        if by_objective[strategic.pk] or strategic.milestones.all():
            rows.append(row(strategic, [strategic]))
        for operational in children[strategic.pk]:
            actions = [a for a in children[operational.pk] if a.level == Level.ACTION]
            rows.append(row(operational, [operational, *actions]))
        grid.strategic.append(StrategicRow(strategic, rows))
    return grid
