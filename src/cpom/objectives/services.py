"""Writing objectives: proposals, fiches, follow-up indicators with baselines and targets, calendars, examples.

Every change to a proposal goes through :func:`negotiation.edit`, so it is a new
version, recorded with what changed, and only the proposing side may make it.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils.formats import date_format

from cpom.audit.services import record
from cpom.contracts.models import Contract
from cpom.contracts.rules import contract_side
from cpom.indicators.models import Indicator, IndicatorValue
from cpom.indicators.services import consolidated_for

from . import negotiation
from .examples import Example
from .models import (
    DUE_YEAR_LABELS,
    FollowUpIndicator,
    Level,
    Milestone,
    Objective,
    ObjectiveSheet,
    Target,
)
from .snapshots import SHEET_FIELDS, objective_snapshot
from .values import ValueRefused, normalise

PARENT_LEVEL = {Level.OPERATIONAL: Level.STRATEGIC, Level.ACTION: Level.OPERATIONAL}
OBJECTIVE_FIELDS = ["title", "theme", "due_year", "funding", "stakes", "feasibility"]
OBJECTIVE_LINKS = ["establishments", "findings", "priorities"]
INDICATOR_FIELDS = [
    "label",
    "kind",
    "value_type",
    "method",
    "unit",
    "data_source",
    "direction",
    "tolerance",
    "baseline_value",
    "baseline_date",
]


def _fmt(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def check_due_year(contract: Contract, due_year: int | None) -> None:
    if due_year is not None and due_year >= contract.duration_years:
        raise ValueRefused(
            f"L'échéance {DUE_YEAR_LABELS[due_year]} dépasse la durée du contrat ({contract.duration_years} ans : "
            f"de N à {DUE_YEAR_LABELS[contract.duration_years - 1]})."
        )


def check_within_contract(contract: Contract, day: date | None) -> None:
    if day is not None and not contract.start_date <= day <= contract.end_date:
        raise ValueRefused(
            f"La date du {_fmt(day)} est en dehors du contrat (du {_fmt(contract.start_date)} au {_fmt(contract.end_date)})."
        )


def next_number(contract: Contract, parent: Objective | None) -> str:
    siblings = Objective.objects.filter(contract=contract, parent=parent).values_list("number", flat=True)
    last = max((int(n.rsplit(".", 1)[-1]) for n in siblings if n.rsplit(".", 1)[-1].isdigit()), default=0)
    return f"{parent.number}.{last + 1}" if parent else str(last + 1)


def _check_parent(contract: Contract, level: str, parent: Objective | None) -> None:
    expected = PARENT_LEVEL.get(level)
    if expected is None and parent is not None:
        raise ValueRefused("Un objectif stratégique n'est rattaché à aucun autre objectif.")
    if expected is not None and (parent is None or parent.contract_id != contract.pk or parent.level != expected):
        raise ValueRefused(
            f"{Level(level).with_article.capitalize()} se rattache à {Level(expected).with_article} du contrat."
        )


@transaction.atomic
def propose(contract: Contract, user, data: dict, sheet: dict | None = None) -> Objective:
    """A new objective proposed by the user's side (managing body or one authority)."""
    probe = Objective(contract=contract, status=negotiation.Status.PROPOSED)
    reason = negotiation.refusal(probe, user, "comment")
    if reason:
        raise negotiation.NegotiationRefused(reason)
    level, parent = data["level"], data.get("parent")
    _check_parent(contract, level, parent)
    check_due_year(contract, data.get("due_year"))
    side = contract_side(user, contract)
    objective = Objective.objects.create(
        contract=contract,
        level=level,
        parent=parent,
        number=data.get("number") or next_number(contract, parent),
        proposed_by_authority_id=side.authority_id,
        **{f: data.get(f) for f in OBJECTIVE_FIELDS if f in data},
    )
    for name in OBJECTIVE_LINKS:
        getattr(objective, name).set(data.get(name, []))
    if level == Level.OPERATIONAL:
        ObjectiveSheet.objects.create(objective=objective, **(sheet or {}))
    record(user, objective, "Version 1 : proposition", None, objective_snapshot(objective))
    negotiation.agree_as_proposer(objective, user)
    return objective


def update(objective: Objective, user, data: dict, sheet: dict | None, expected_version: int) -> Objective:
    check_due_year(objective.contract, data.get("due_year"))

    def change(current: Objective) -> None:
        for name in OBJECTIVE_FIELDS:
            if name in data:
                setattr(current, name, data[name])
        current.save()
        for name in OBJECTIVE_LINKS:
            if name in data:
                getattr(current, name).set(data[name])
        if sheet is not None:
            ObjectiveSheet.objects.update_or_create(
                objective=current, defaults={k: sheet[k] for k in SHEET_FIELDS if k in sheet}
            )

    return negotiation.edit(objective, user, change, expected_version, "objectif et fiche")


@dataclass
class Baseline:
    value: str
    day: date | None
    note: str


def engine_baseline(indicator: Indicator, establishments) -> Baseline:
    """The last computed value for the establishments concerned, consolidated per category, or why there is none."""
    establishments = list(establishments)
    if not establishments:
        return Baseline("", None, "Aucun établissement concerné : la situation actuelle ne peut pas être calculée.")
    year = IndicatorValue.objects.filter(indicator=indicator, establishment__in=establishments).aggregate(
        y=Max("year")
    )["y"]
    if year is None:
        return Baseline("", None, "Aucune valeur calculée pour ces établissements.")
    rows = [r for r in consolidated_for(establishments, year) if r.indicator.pk == indicator.pk]
    if len(rows) != 1:
        return Baseline(
            "", None, "Établissements de plusieurs catégories : précisez la situation actuelle par catégorie."
        )
    row = rows[0]
    if row.value is None:
        return Baseline("", None, f"Non calculable en {year} : {row.reason}.")
    return Baseline(
        normalise(indicator.value_type, f"{row.value:.2f}"),
        date(year, 12, 31),
        f"Calculée par cpom sur les données {year} ({row.members} établissement{'s' if row.members > 1 else ''}).",
    )


def _catalogue_fields(indicator: Indicator) -> dict:
    return {
        "label": indicator.label,
        "kind": indicator.kind,
        "value_type": indicator.value_type,
        "unit": indicator.unit,
        "method": indicator.definition,
        "data_source": indicator.source,
        "direction": indicator.direction,
        "tolerance": indicator.tolerance,
    }


def clean_targets(value_type: str, targets: dict[int, str]) -> dict[int, str]:
    """Every target read against the indicator's type: one bad value refuses them all, naming the due year."""
    cleaned = {}
    for due_year, raw in sorted(targets.items()):
        try:
            cleaned[due_year] = normalise(value_type, raw or "")
        except ValueRefused as refused:
            raise ValueRefused(f"Cible {DUE_YEAR_LABELS[due_year]} : {refused}") from None
    return cleaned


def save_indicator(
    objective: Objective,
    user,
    data: dict,
    targets: dict[int, str],
    expected_version: int,
    indicator: FollowUpIndicator | None = None,
) -> Objective:
    """Adds or changes a follow-up indicator with its targets; a catalogue indicator takes its method from the catalogue."""
    catalogue = data.get("catalogue_indicator")
    fields = {name: data.get(name) for name in INDICATOR_FIELDS}
    # Left empty, a value must meet its target exactly (cpom.followup.levels).
    fields["tolerance"] = fields["tolerance"] or Decimal(0)
    if catalogue is not None:
        fields.update(_catalogue_fields(catalogue))
        if not fields["baseline_value"]:
            baseline = engine_baseline(catalogue, objective.establishments.all())
            fields.update(baseline_value=baseline.value, baseline_date=baseline.day)
            fields["baseline_note"] = baseline.note
    try:
        fields["baseline_value"] = normalise(fields["value_type"], fields["baseline_value"] or "")
    except ValueRefused as refused:
        raise ValueRefused(f"Situation actuelle : {refused}") from None
    cleaned = clean_targets(fields["value_type"], targets)
    check_due_year(objective.contract, max(cleaned, default=None))

    def change(current: Objective) -> None:
        target = indicator or FollowUpIndicator(objective=current)
        for name, value in fields.items():
            setattr(target, name, value if value is not None or name == "baseline_date" else "")
        target.catalogue_indicator = catalogue
        target.save()
        target.targets.exclude(due_year__in=cleaned).delete()
        for due_year, value in cleaned.items():
            Target.objects.update_or_create(indicator=target, due_year=due_year, defaults={"value": value})

    return negotiation.edit(objective, user, change, expected_version, f"indicateur « {fields['label']} »")


def delete_indicator(objective: Objective, user, indicator: FollowUpIndicator, expected_version: int) -> Objective:
    return negotiation.edit(
        objective,
        user,
        lambda current: indicator.delete(),
        expected_version,
        f"retrait de l'indicateur « {indicator.label} »",
    )


def save_milestone(
    objective: Objective,
    user,
    label: str,
    due_date: date | None,
    expected_version: int,
    milestone: Milestone | None = None,
) -> Objective:
    check_within_contract(objective.contract, due_date)

    def change(current: Objective) -> None:
        target = milestone or Milestone(objective=current)
        target.label, target.due_date = label.strip(), due_date
        target.save()

    return negotiation.edit(objective, user, change, expected_version, f"calendrier « {label.strip()} »")


def delete_milestone(objective: Objective, user, milestone: Milestone, expected_version: int) -> Objective:
    return negotiation.edit(
        objective,
        user,
        lambda current: milestone.delete(),
        expected_version,
        f"retrait de l'étape « {milestone.label} »",
    )


@transaction.atomic
def copy_example(contract: Contract, user, example: Example, parent: Objective) -> Objective:
    """An example becomes the user's own proposal, to adapt: targets stay empty, the example's target is a hint."""
    objective = propose(
        contract,
        user,
        {"level": Level.OPERATIONAL, "parent": parent, "title": example.title[:300], "theme": example.theme[:200]},
        sheet={"context": example.context},
    )
    for action in example.actions:
        propose(contract, user, {"level": Level.ACTION, "parent": objective, "title": action[:300]})
    catalogue = {
        i.code: i
        for i in Indicator.objects.filter(code__in=[c for c, _ in example.indicators], catalogue__authority=None)
    }
    for code, hint in example.indicators:
        indicator = catalogue[code]
        FollowUpIndicator.objects.create(
            objective=objective, catalogue_indicator=indicator, target_hint=hint[:200], **_catalogue_fields(indicator)
        )
    for specific in example.specific_indicators:
        FollowUpIndicator.objects.create(objective=objective, **specific)
    record(user, objective, f"Copié de l'exemple {example.code}", None, objective_snapshot(objective))
    return objective


def refresh_baselines(objective: Objective, user, expected_version: int) -> Objective:
    """Takes the engine's latest values as the situation actuelle of the objective's catalogue indicators."""

    def change(current: Objective) -> None:
        for indicator in current.indicators.exclude(catalogue_indicator=None).select_related("catalogue_indicator"):
            baseline = engine_baseline(indicator.catalogue_indicator, current.establishments.all())
            indicator.baseline_value, indicator.baseline_date, indicator.baseline_note = (
                baseline.value,
                baseline.day,
                baseline.note,
            )
            indicator.save()

    return negotiation.edit(objective, user, change, expected_version, "situations actuelles recalculées")
