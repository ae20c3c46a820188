"""Trajectory scenarios: from a contract's reference budget and a scenario to the pure simulation, and the writes.

Who may write: every party to the contract with at least the contribution role (the managing body and each authority)
creates, edits and deletes scenarios and their new measures, until the contract is signed. Scenarios carry no author:
they are negotiation material shared by the parties, so every change is audited (who, when, before, after) instead.
An edit is refused if the scenario changed since the editor read it (optimistic locking on the scenario's content).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from cpom.audit.services import record
from cpom.contracts.models import Contract
from cpom.core import locking, numbers
from cpom.core.locking import StaleWrite
from cpom.finance.budget.services import (
    ENVELOPE_FUNDERS,
    GrowthChoice,
    growth_by_funder,
    paying_authority,
)
from cpom.finance.budget.services import yearly_rates as yearly_growth_rates
from cpom.finance.models import DeficitRule, NewMeasure, ReferenceBudget, Scenario, Side, SurplusRule
from cpom.finance.rules import funder_authorities, scenario_refusal
from cpom.finance.trajectory.projection import (
    Assumptions,
    DeficitAllocation,
    EstablishmentBase,
    Measure,
    SurplusAllocation,
    Trajectory,
    shares,
    simulate,
    yearly_rates,
)
from cpom.objectives.models import DUE_YEAR_LABELS, Funding, Level, ObjectiveSheet, Status
from cpom.registry.models import Establishment

MIN_RATE, MAX_RATE = Decimal(-10), Decimal(10)
RATE_DECIMALS = 4  # the precision of the budget's own growth rate
TARIFF_INCOME_GROUP = 1  # income group I: produits de la tarification, the envelope


class ScenarioRefused(Exception):
    """The rules forbid this write; the message says why, in French."""


class StaleScenario(StaleWrite, ScenarioRefused):
    """The scenario changed since the user read it."""


def _require_editor(user, contract: Contract) -> None:
    refusal = scenario_refusal(user, contract)
    if refusal:
        raise ScenarioRefused(refusal)


# ---------------------------------------------------------------------------------------------------- rates


def parse_rate(text: str) -> Decimal:
    """A rate as people type it, « 1,2 », « 1.2 » or « −0,5 % », checked against the bounds."""
    try:
        rate = numbers.read_decimal(text)
    except ValueError:
        rate = None
    if rate is None:
        raise ScenarioRefused(f"« {text.strip()} » n'est pas un taux : écrivez par exemple 1,2 ou −0,5.")
    check_rate(rate)
    return rate


def check_rate(value: Decimal) -> None:
    if not MIN_RATE <= value <= MAX_RATE:
        raise ScenarioRefused(
            f"Un taux d'évolution est compris entre {numbers.rate(MIN_RATE)} et +{numbers.rate(MAX_RATE)} : "
            f"{numbers.rate(value)} est hors limites."
        )
    if -value.as_tuple().exponent > RATE_DECIMALS:
        raise ScenarioRefused(f"Un taux a au plus {RATE_DECIMALS} décimales : {numbers.rate(value)} en a davantage.")


def given_rates(stored: dict) -> dict[int, Decimal]:
    """The rates a scenario stores, {"0": "1.2"}, as {0: Decimal("1.2")}."""
    return {int(year): Decimal(rate) for year, rate in stored.items()}


def _stored_rates(rates: dict[int, Decimal], duration: int) -> dict[str, str]:
    """The rates as stored: N, then only the years whose rate changes, so that one trajectory has one spelling."""
    resolved = yearly_rates(rates, duration)
    return {
        str(year): format(rate.normalize(), "f")
        for year, rate in enumerate(resolved)
        if year == 0 or rate != resolved[year - 1]
    }


def lead_growth(budget: ReferenceBudget) -> GrowthChoice:
    """The lead authority's growth: a scenario's envelope rates are assumptions on the lead's money (the other
    funders' parts follow their own choice, see :func:`funder_rates`)."""
    return growth_by_funder(budget)[0]


def default_envelope_rates(budget: ReferenceBudget) -> dict[int, Decimal]:
    """What the lead's growth mode says: its zero-rate years, then its growth rate."""
    growth = lead_growth(budget)
    rates = {year: Decimal(0) for year in range(growth.zero_rate_years)}
    rates[growth.zero_rate_years] = growth.rate
    return rates


def funder_rates(budget: ReferenceBudget, duration: int) -> dict[str, tuple[Decimal, ...]]:
    """Each funder but the lead that chose its growth, by key, with its rates year by year. A year an amendment sets
    projects no automatic growth (0 %): the amendment's amount is not known in advance."""
    return {
        str(growth.authority.pk): tuple(rate or Decimal(0) for rate in yearly_growth_rates(growth, duration))
        for growth in growth_by_funder(budget)[1:]
        if growth.mode
    }


# ---------------------------------------------------------------------------------------------------- running


def year_label(contract: Contract, year: int) -> str:
    return f"{contract.start_date.year + year} ({DUE_YEAR_LABELS[year]})"


@dataclass(frozen=True)
class ScenarioRun:
    """A scenario with its trajectory and what the screens and the workbook need to name things."""

    scenario: Scenario
    trajectory: Trajectory
    establishments: dict[int, Establishment]
    year_labels: tuple[str, ...]


def establishment_bases(budget: ReferenceBudget, extra: Iterable[int] = ()) -> list[EstablishmentBase]:
    """Each establishment of the reference budget: installed places, expenses (groups I to III), envelope (income
    group I) and other income (income groups II and III); each of ``extra`` too, with zeros where it has no lines
    (an establishment of the perimeter that only a new measure concerns).

    The amounts are added up here, in Decimal, rather than by the database: SQLite would add them as floats.
    """
    lines = list(budget.lines.all())
    establishments = (
        Establishment.objects.filter(pk__in={line.establishment_id for line in lines} | set(extra))
        .prefetch_related("funders")
        .order_by("name")
    )
    funders = funder_authorities(budget.contract)
    by_id = {e.pk: e for e in establishments}
    amounts: dict[int, dict[str, Decimal]] = {}
    paid: dict[int, dict[str, Decimal]] = {}  # each funder's part of the envelope, by establishment
    for line in lines:
        parts = amounts.setdefault(
            line.establishment_id, {"expenses": Decimal(0), "envelope": Decimal(0), "other_income": Decimal(0)}
        )
        if line.side == Side.EXPENSE:
            parts["expenses"] += line.amount
        elif line.group == TARIFF_INCOME_GROUP:
            parts["envelope"] += line.amount
            payer = paying_authority(by_id[line.establishment_id], line.funder, funders)
            if payer is not None and line.funder in ENVELOPE_FUNDERS:
                own = paid.setdefault(line.establishment_id, {})
                own[str(payer.pk)] = own.get(str(payer.pk), Decimal(0)) + line.amount
        else:
            parts["other_income"] += line.amount
    zero = {"expenses": Decimal(0), "envelope": Decimal(0), "other_income": Decimal(0)}
    return [
        EstablishmentBase(
            e.pk, e.name, e.installed_places, **amounts.get(e.pk, zero), funder_envelopes=paid.get(e.pk, {})
        )
        for e in establishments
    ]


def assumptions_for(scenario: Scenario, duration: int, others: dict[str, tuple[Decimal, ...]]) -> Assumptions:
    """The scenario's assumptions, with the other funders' own envelope rates (``others``, from
    :func:`funder_rates`, the same for every scenario of the budget) beside the scenario's (the lead's)."""
    return Assumptions(
        envelope_rates=yearly_rates(given_rates(scenario.envelope_rates), duration),
        expense_rates=yearly_rates(given_rates(scenario.expense_rates), duration),
        convergence_target=scenario.convergence_target,
        convergence_years=scenario.convergence_years,
        surplus=SurplusAllocation(scenario.surplus_rule),
        deficit=DeficitAllocation(scenario.deficit_rule),
        opening_reserves=scenario.opening_reserves,
        funder_envelope_rates=others,
    )


def _measure(row: NewMeasure) -> Measure:
    return Measure(row.establishment_id, row.label, row.start_year, row.managing_body_means, row.authority_means)


def runs(budget: ReferenceBudget) -> list[ScenarioRun]:
    """Every scenario of the budget, simulated over the same establishments so that they compare line by line."""
    contract = budget.contract
    scenarios = list(budget.scenarios.prefetch_related("measures"))
    bases = establishment_bases(budget, {m.establishment_id for s in scenarios for m in s.measures.all()})
    establishments = Establishment.objects.in_bulk([b.key for b in bases])
    labels = tuple(year_label(contract, year) for year in range(contract.duration_years))
    others = funder_rates(budget, contract.duration_years)
    return [
        ScenarioRun(
            scenario,
            simulate(
                bases,
                assumptions_for(scenario, contract.duration_years, others),
                [_measure(m) for m in scenario.measures.all()],
            ),
            establishments,
            labels,
        )
        for scenario in scenarios
    ]


def run(scenario: Scenario) -> ScenarioRun:
    return next(r for r in runs(scenario.budget) if r.scenario.pk == scenario.pk)


# What the scenarios are compared on: name → how to read it from a contract year, and whether a total makes sense.
COMPARED = [
    ("Enveloppe", lambda year: year.sums.envelope, True),
    ("Dépenses", lambda year: year.sums.expenses, True),
    ("Résultat", lambda year: year.result, True),
    ("Réserves en fin d'année", lambda year: year.reserves, False),
]


@dataclass(frozen=True)
class ComparedLine:
    quantity: str
    label: str  # the year, or « Total du contrat »
    amounts: list[Decimal]  # one per scenario
    is_total: bool = False


def comparison(scenario_runs: list[ScenarioRun]) -> list[ComparedLine]:
    """The scenarios side by side, quantity by quantity and year by year, with the contract's totals."""
    if not scenario_runs:
        return []
    lines = []
    for quantity, read, has_total in COMPARED:
        for year, label in enumerate(scenario_runs[0].year_labels):
            lines.append(ComparedLine(quantity, label, [read(r.trajectory.years[year]) for r in scenario_runs]))
        if has_total:
            totals = [sum((read(y) for y in r.trajectory.years), Decimal(0)) for r in scenario_runs]
            lines.append(ComparedLine(quantity, "Total du contrat", totals, is_total=True))
    lines.append(
        ComparedLine(
            "Report à nouveau en fin de contrat",
            "",
            [r.trajectory.carried_to_next_contract for r in scenario_runs],
            is_total=True,
        )
    )
    return lines


# ---------------------------------------------------------------------------------------------------- scenarios

SCENARIO_LABELS = {
    "name": "Nom",
    "envelope_rates": "Taux de l'enveloppe",
    "expense_rates": "Taux des dépenses",
    "convergence_target": "Coût cible à la place",
    "convergence_years": "Années de convergence",
    "surplus_rule": "Affectation des excédents",
    "deficit_rule": "Affectation des déficits",
    "opening_reserves": "Réserves au début du contrat",
    "retained": "Scénario retenu",
}


def _rates_snapshot(stored: dict) -> str:
    rates = given_rates(stored)
    return " ; ".join(
        f"{DUE_YEAR_LABELS[year]} : {numbers.rate(value)}" for year, value in sorted(rates.items())
    ) or numbers.rate(Decimal(0))


def scenario_snapshot(scenario: Scenario) -> dict:
    """The scenario as the audit log and the lost-update check compare it, with French keys."""
    return {
        SCENARIO_LABELS["name"]: scenario.name,
        SCENARIO_LABELS["envelope_rates"]: _rates_snapshot(scenario.envelope_rates),
        SCENARIO_LABELS["expense_rates"]: _rates_snapshot(scenario.expense_rates),
        SCENARIO_LABELS["convergence_target"]: ""
        if scenario.convergence_target is None
        else numbers.grouped(scenario.convergence_target),
        SCENARIO_LABELS["convergence_years"]: str(scenario.convergence_years),
        SCENARIO_LABELS["surplus_rule"]: SurplusRule(scenario.surplus_rule).label,
        SCENARIO_LABELS["deficit_rule"]: DeficitRule(scenario.deficit_rule).label,
        SCENARIO_LABELS["opening_reserves"]: numbers.grouped(scenario.opening_reserves),
        SCENARIO_LABELS["retained"]: "oui" if scenario.retained else "non",
    }


def fingerprint(scenario: Scenario) -> str:
    """A digest of the scenario as read; the scenario has no version column, its content serves as one."""
    return locking.fingerprint(scenario_snapshot(scenario))


def save_scenario(
    budget: ReferenceBudget, user, data: dict, scenario: Scenario | None = None, read_as: str = ""
) -> Scenario:
    """Creates (``scenario`` None) or updates a scenario; ``read_as`` is the fingerprint of the copy the user edited.

    ``data`` holds the model's fields, the rates as {year: Decimal} with only the years given.
    """
    _require_editor(user, budget.contract)
    for rate in [*data["envelope_rates"].values(), *data["expense_rates"].values()]:
        check_rate(rate)
    with transaction.atomic():
        if budget.scenarios.filter(name=data["name"]).exclude(pk=getattr(scenario, "pk", None)).exists():
            raise ScenarioRefused(f"Un scénario s'appelle déjà « {data['name']} » pour ce contrat.")
        if scenario is None:
            current, before = Scenario(budget=budget), None
        else:
            current = Scenario.objects.select_for_update().get(pk=scenario.pk, budget=budget)
            if fingerprint(current) != read_as:
                raise StaleScenario
            before = scenario_snapshot(current)
        duration = budget.contract.duration_years
        for name, value in data.items():
            setattr(current, name, _stored_rates(value, duration) if name.endswith("_rates") else value)
        current.save()
        record(
            user, current, "Scénario créé" if before is None else "Scénario modifié", before, scenario_snapshot(current)
        )
    return current


def retain_scenario(scenario: Scenario, user, read_as: str) -> Scenario:
    """Makes ``scenario`` the one the contract is signed on; the scenario retained before, if any, no longer is.

    ``read_as`` is the fingerprint of the scenario as the user read it: retaining assumptions someone has just
    changed is refused, as an edit would be.
    """
    budget = scenario.budget
    _require_editor(user, budget.contract)
    with transaction.atomic():
        current = Scenario.objects.select_for_update().get(pk=scenario.pk, budget=budget)
        if fingerprint(current) != read_as:
            raise StaleScenario
        if current.retained:
            raise ScenarioRefused(f"Le scénario « {current.name} » est déjà le scénario retenu.")
        for former in budget.scenarios.select_for_update().filter(retained=True):
            before = scenario_snapshot(former)
            former.retained = False
            former.save(update_fields=["retained"])
            record(user, former, f"Scénario qui n'est plus retenu : {former.name}", before, scenario_snapshot(former))
        before = scenario_snapshot(current)
        current.retained = True
        current.save(update_fields=["retained"])
        record(user, current, f"Scénario retenu : {current.name}", before, scenario_snapshot(current))
    return current


def retained_scenario(budget: ReferenceBudget | None) -> Scenario | None:
    return budget.scenarios.filter(retained=True).first() if budget is not None and budget.pk else None


def delete_scenario(scenario: Scenario, user) -> None:
    _require_editor(user, scenario.budget.contract)
    with transaction.atomic():
        record(user, scenario, f"Scénario supprimé : {scenario.name}", scenario_snapshot(scenario), None)
        scenario.delete()


# ---------------------------------------------------------------------------------------------------- measures


def measure_snapshot(measure: NewMeasure) -> dict:
    return {
        "Mesure": measure.label,
        "Établissement": str(measure.establishment),
        "À partir de": DUE_YEAR_LABELS[measure.start_year],
        "Moyens apportés par le gestionnaire (€ par an)": numbers.grouped(measure.managing_body_means),
        "Moyens apportés par l'autorité (€ par an)": numbers.grouped(measure.authority_means),
        "Fiche objectif": str(measure.objective) if measure.objective_id else "",
    }


def add_measure(scenario: Scenario, user, data: dict) -> NewMeasure:
    contract = scenario.budget.contract
    _require_editor(user, contract)
    if not contract.establishments.filter(pk=data["establishment"].pk).exists():
        raise ScenarioRefused("La mesure porte sur un établissement hors du périmètre du contrat.")
    if data["start_year"] >= contract.duration_years:
        raise ScenarioRefused(f"Le contrat dure {contract.duration_years} ans : la mesure doit commencer avant.")
    with transaction.atomic():
        measure = NewMeasure.objects.create(scenario=scenario, **data)
        record(user, scenario, f"Mesure nouvelle ajoutée : {measure.label}", None, measure_snapshot(measure))
    return measure


def remove_measure(scenario: Scenario, user, measure_id: int) -> None:
    _require_editor(user, scenario.budget.contract)
    with transaction.atomic():
        measure = scenario.measures.select_for_update().filter(pk=measure_id).first()
        if measure is None:
            raise ScenarioRefused("Cette mesure n'existe plus : elle a sans doute déjà été retirée.")
        record(user, scenario, f"Mesure nouvelle retirée : {measure.label}", measure_snapshot(measure), None)
        measure.delete()


def measures_from_objectives(scenario: Scenario) -> list[NewMeasure]:
    """The new measures the contract's fiches objectifs give: agreed, funded operational objectives with means.

    A fiche's yearly means are split evenly across the objective's establishments (across the whole perimeter when
    it names none: the objective is the managing body's); the measure starts in the objective's due year (N without
    one).
    """
    contract = scenario.budget.contract
    objectives = contract.objectives.filter(
        level=Level.OPERATIONAL, status=Status.AGREED, funding=Funding.FUNDED
    ).order_by("number", "pk")
    sheets = {s.objective_id: s for s in ObjectiveSheet.objects.filter(objective__in=objectives)}
    perimeter = list(contract.establishments.order_by("name"))
    measures = []
    for objective in objectives.prefetch_related("establishments"):
        sheet = sheets.get(objective.pk)
        managing_body, authority = (sheet.managing_body_means or 0, sheet.authority_means or 0) if sheet else (0, 0)
        if not (managing_body or authority):
            continue
        named = set(objective.establishments.all())
        establishments = [e for e in perimeter if e in named] or perimeter
        for establishment, body_share, authority_share in zip(
            establishments,
            shares(Decimal(managing_body), len(establishments)),
            shares(Decimal(authority), len(establishments)),
            strict=True,
        ):
            measures.append(
                NewMeasure(
                    scenario=scenario,
                    objective=objective,
                    establishment=establishment,
                    label=f"{objective.number} {objective.title}"[:300],
                    start_year=objective.due_year or 0,
                    managing_body_means=body_share,
                    authority_means=authority_share,
                )
            )
    return measures


def replace_imported_measures(scenario: Scenario) -> list[NewMeasure]:
    """Measures imported earlier give way to the fiches' current ones; measures typed by hand stay."""
    scenario.measures.filter(objective__isnull=False).delete()
    return NewMeasure.objects.bulk_create(measures_from_objectives(scenario))


def import_measures(scenario: Scenario, user) -> list[NewMeasure]:
    _require_editor(user, scenario.budget.contract)
    with transaction.atomic():
        before = [
            measure_snapshot(m)
            for m in scenario.measures.filter(objective__isnull=False).select_related("establishment", "objective")
        ]
        imported = replace_imported_measures(scenario)
        record(
            user,
            scenario,
            "Mesures nouvelles importées des fiches objectifs",
            {"Mesures importées": before},
            {"Mesures importées": [measure_snapshot(m) for m in imported]},
        )
    return imported


def budget_of(contract: Contract) -> ReferenceBudget | None:
    return ReferenceBudget.objects.filter(contract=contract).first()
