"""The managing body's portfolio and the fiche établissement, read for one user.

The portfolio gathers what a managing body watches every Monday (seed §7; « 21 % lose the history when their
contacts change »): its contracts with each authority, what it must send and by when, its late actions and the
decisions it owns. Deadlines and decisions come from :mod:`cpom.deadline_sources` (every stage registers its own);
nothing here queries per contract: an authority party to many of a large body's contracts opens the same page.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Prefetch, Q

from cpom import deadline_sources
from cpom.access import visible
from cpom.contracts.models import COVERING_STATES, Contract, State
from cpom.followup.levels import REALISED
from cpom.followup.models import GridEntry, MilestoneProgress
from cpom.indicators.models import Benchmark, IndicatorValue
from cpom.objectives.models import DUE_YEAR_LABELS, Level, Milestone, Objective, Status
from cpom.registry.territories import region_of

from .lateness import action_is_late, days_late, due_year_end, milestone_is_late

DECISION = "decision"
MANAGING_BODY = "managing_body"


def horizons() -> dict[str, tuple[int | None, str]]:
    """The choices of « what to send » horizon: (days or None for all, label), by their value in the filter."""
    return {
        "30": (30, "30 prochains jours"),
        "90": (90, "90 prochains jours"),
        "365": (365, "12 prochains mois"),
        "tout": (None, "Toutes les échéances à venir"),
    }


@dataclass(frozen=True)
class Filters:
    authority_id: int | None = None
    contract_id: int | None = None
    horizon: str = ""
    state: str = ""


@dataclass(frozen=True)
class ContractRow:
    contract: Contract
    authorities: str
    next_due: deadline_sources.Due | None


@dataclass(frozen=True)
class DueRow:
    due: deadline_sources.Due
    reference: str
    kind_label: str
    late: bool


@dataclass(frozen=True)
class LateRow:
    reference: str
    contract_id: int
    objective: str
    what: str  # « Action » or « Jalon »
    label: str
    due: date
    days: int
    url: str


@dataclass
class Portfolio:
    managing_body: object
    filters: Filters
    horizon_label: str
    contracts: list[ContractRow] = field(default_factory=list)
    to_send: list[DueRow] = field(default_factory=list)
    late: list[LateRow] = field(default_factory=list)
    decisions: list[DueRow] = field(default_factory=list)
    authorities: list = field(default_factory=list)  # the filter's choices
    all_contracts: list = field(default_factory=list)
    states: list = field(default_factory=list)  # (value, label) of the states its contracts are in
    errors: list[str] = field(default_factory=list)


def read_filters(query) -> tuple[Filters, list[str]]:
    """The portfolio's filters (``autorite``, ``contrat``, ``horizon``); an unreadable one is named and left out."""
    errors = []
    values = {}
    for name, label in (("autorite", "Autorité"), ("contrat", "Contrat")):
        text = query.get(name, "").strip()
        if text and not text.isdigit():
            errors.append(f"{label} : « {text} » n'est pas un choix de la liste ; le filtre n'est pas appliqué.")
            text = ""
        values[name] = int(text) if text else None
    horizon = query.get("horizon", "").strip()
    if horizon and horizon not in horizons():
        errors.append(f"Horizon : « {horizon} » n'est pas un choix de la liste ; le filtre n'est pas appliqué.")
        horizon = ""
    state = query.get("etat", "").strip()
    if state and state not in State.values:
        errors.append(f"État : « {state} » n'est pas un choix de la liste ; le filtre n'est pas appliqué.")
        state = ""
    return Filters(values["autorite"], values["contrat"], horizon, state), errors


def default_horizon() -> str:
    return str(settings.CPOM_ROADMAP["horizon_days"])


def portfolio(user, managing_body, today: date, filters: Filters = Filters()) -> Portfolio:
    horizon = filters.horizon or default_horizon()
    days, horizon_label = horizons().get(horizon, (settings.CPOM_ROADMAP["horizon_days"], ""))
    seen = list(
        visible(user, Contract.objects.filter(managing_body=managing_body))
        .prefetch_related("parties__authority")
        .order_by("-start_date", "reference")
    )
    authorities = sorted(
        {party.authority for contract in seen for party in contract.parties.all()}, key=lambda a: (a.kind, a.name)
    )
    contracts = [
        contract
        for contract in seen
        if (filters.contract_id is None or contract.pk == filters.contract_id)
        and (not filters.state or contract.state == filters.state)
        and (
            filters.authority_id is None
            or any(party.authority_id == filters.authority_id for party in contract.parties.all())
        )
    ]
    held = {contract.state for contract in seen}
    result = Portfolio(
        managing_body,
        filters,
        horizon_label,
        authorities=authorities,
        all_contracts=seen,
        states=[(value, label) for value, label in State.choices if value in held],
    )
    dues = deadline_sources.collect(contracts)
    references = {contract.pk: contract.reference for contract in contracts}
    labels = {kind.code: kind.label for kind in deadline_sources.kinds()}
    members = set(managing_body.members.values_list("user_id", flat=True))
    next_due: dict[int, deadline_sources.Due] = {}
    overdue: list[LateRow] = []
    until = today + timedelta(days=days) if days is not None else None
    for due in dues:
        if due.day >= today and due.contract_id not in next_due:
            next_due[due.contract_id] = due
        row = DueRow(due, references[due.contract_id], labels.get(due.kind, due.kind), due.day < today)
        ours = due.side in (MANAGING_BODY, "") if due.person_id is None else due.person_id in members
        if due.kind == DECISION:
            # A decision the body owns stays on its list until its stage stops giving it (done), late or not.
            if ours:
                result.decisions.append(row)
        elif ours and due.day >= today and (until is None or due.day <= until):
            result.to_send.append(row)
        elif (
            ours and due.day < today and due.day >= today - timedelta(days=settings.CPOM_ROADMAP["late_lookback_days"])
        ):
            # A stage still gives a deadline past its day (a backward-schedule step not done, a target signature
            # missed): the body is late on it.
            overdue.append(
                LateRow(
                    references[due.contract_id],
                    due.contract_id,
                    labels.get(due.kind, due.kind),
                    "Échéance dépassée",
                    due.label,
                    due.day,
                    days_late(due.day, today),
                    due.url,
                )
            )
    result.contracts = [
        ContractRow(
            contract,
            ", ".join(party.authority.name for party in contract.parties.all()),
            next_due.get(contract.pk),
        )
        for contract in contracts
    ]
    result.late = sorted(late_actions(contracts, today) + overdue, key=lambda row: (row.due, row.reference, row.label))
    return result


def late_actions(contracts, today: date) -> list[LateRow]:
    """The milestones and actions past due and not done, of the contracts in force (their calendar binds the body)."""
    running = [contract for contract in contracts if contract.state in COVERING_STATES]
    if not running:
        return []
    by_id = {contract.pk: contract for contract in running}
    done: dict[int, date] = {}
    for progress in MilestoneProgress.objects.filter(
        milestone__objective__contract__in=running, done_on__isnull=False
    ).only("milestone_id", "done_on"):
        done[progress.milestone_id] = min(progress.done_on, done.get(progress.milestone_id, progress.done_on))
    milestones = (
        Milestone.objects.filter(objective__contract__in=running)
        .exclude(objective__status=Status.REJECTED)
        .select_related("objective")
        .order_by("due_date", "pk")
    )
    realised = set(
        GridEntry.objects.filter(campaign__contract__in=running, indicator__objective__level=Level.ACTION)
        .filter(Q(confirmed_level=REALISED) | Q(confirmed_level="", proposed_level=REALISED))
        .values_list("indicator__objective_id", flat=True)
    )
    rows = []
    milestones_of: dict[int, list[bool]] = defaultdict(list)
    for milestone in milestones:
        milestones_of[milestone.objective_id].append(milestone.pk in done)
        if milestone_is_late(milestone.due_date, done.get(milestone.pk), today):
            objective = milestone.objective
            rows.append(
                LateRow(
                    by_id[objective.contract_id].reference,
                    objective.contract_id,
                    str(objective),
                    "Jalon",
                    milestone.label,
                    milestone.due_date,
                    days_late(milestone.due_date, today),
                    _objective_url(objective),
                )
            )
    actions = Objective.objects.filter(contract__in=running, level=Level.ACTION, due_year__isnull=False).exclude(
        status=Status.REJECTED
    )
    for action in actions:
        contract = by_id[action.contract_id]
        due = due_year_end(contract.start_date, action.due_year)
        if action_is_late(due, today, action.pk in realised, milestones_of.get(action.pk, [])):
            rows.append(
                LateRow(
                    contract.reference,
                    contract.pk,
                    str(action),
                    "Action",
                    f"Échéance {DUE_YEAR_LABELS[action.due_year]} ({contract.start_date.year + action.due_year})",
                    due,
                    days_late(due, today),
                    _objective_url(action),
                )
            )
    return sorted(rows, key=lambda row: (row.due, row.reference, row.label))


def _objective_url(objective) -> str:
    return objective.get_absolute_url()


# --- The fiche établissement ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorLine:
    label: str
    unit: str
    baseline: str
    targets: list[tuple[str, str]]  # (« N+2 (2026) », value)
    current_target: str
    actual: float | None
    actual_year: int | None
    peers: Benchmark | None
    level: str  # the grid's last level: « R – réalisé »…, "" when none


@dataclass(frozen=True)
class MilestoneLine:
    label: str
    due: date | None
    done_on: date | None
    late: bool


@dataclass(frozen=True)
class ObjectiveLine:
    objective: Objective
    parent: str
    whole_perimeter: bool
    indicators: list[IndicatorLine]
    milestones: list[MilestoneLine]


@dataclass(frozen=True)
class ContractSheet:
    contract: Contract
    current: bool
    objectives: list[ObjectiveLine]


def _current_due_year(contract, today: date) -> int:
    return min(max(today.year - contract.start_date.year, 0), 4)


def establishment_sheet(user, establishment, today: date) -> list[ContractSheet]:
    """The establishment's objectives, indicators (against target and peers) and actions, contract by contract (a
    past contract and the current one), as far as the user sees them."""
    contracts = list(visible(user, establishment.contracts.all()).order_by("-start_date", "reference"))
    if not contracts:
        return []
    concerned = Objective.objects.filter(contract__in=contracts).filter(
        Q(establishments=establishment) | Q(establishments__isnull=True)
    )
    objectives = list(
        Objective.objects.filter(pk__in=concerned.values("pk"))
        .exclude(level=Level.STRATEGIC)
        .exclude(status=Status.REJECTED)
        .select_related("parent")
        .prefetch_related(
            "indicators__targets",
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_date", "pk")),
            "establishments",
        )
        .order_by("contract", "number", "pk")
    )
    indicators = [indicator for objective in objectives for indicator in objective.indicators.all()]
    catalogue_ids = {i.catalogue_indicator_id for i in indicators if i.catalogue_indicator_id}
    values: dict[int, IndicatorValue] = {}
    for value in IndicatorValue.objects.filter(
        establishment=establishment, indicator_id__in=catalogue_ids, value__isnull=False
    ).order_by("year"):
        values[value.indicator_id] = value  # the latest year wins
    peers = {
        (b.indicator_id, b.year): b
        for b in Benchmark.objects.filter(
            indicator_id__in=catalogue_ids,
            category=establishment.category,
            level="region",
            territory=region_of(establishment.department) or "",
        )
    }
    levels: dict[int, str] = {}
    for entry in (
        GridEntry.objects.filter(indicator__in=indicators, category__in=[establishment.category, ""])
        .select_related("campaign")
        .order_by("campaign__year", "-category")
    ):
        level = entry.confirmed_level or entry.proposed_level
        if level:
            levels[entry.indicator_id] = dict(GridEntry._meta.get_field("confirmed_level").choices)[level]
    done = {
        p.milestone_id: p.done_on
        for p in MilestoneProgress.objects.filter(milestone__objective__in=objectives, done_on__isnull=False).order_by(
            "-done_on"
        )
    }
    by_contract: dict[int, list[ObjectiveLine]] = defaultdict(list)
    by_pk = {contract.pk: contract for contract in contracts}
    for objective in objectives:
        contract = by_pk[objective.contract_id]
        current = _current_due_year(contract, today)
        lines = []
        for indicator in objective.indicators.all():
            targets = {t.due_year: t.value for t in indicator.targets.all() if t.value}
            value = values.get(indicator.catalogue_indicator_id)
            lines.append(
                IndicatorLine(
                    indicator.label,
                    indicator.unit,
                    indicator.baseline_value,
                    [
                        (f"{DUE_YEAR_LABELS[year]} ({contract.start_date.year + year})", text)
                        for year, text in sorted(targets.items())
                    ],
                    targets.get(current, ""),
                    value.value if value else None,
                    value.year if value else None,
                    peers.get((value.indicator_id, value.year)) if value else None,
                    levels.get(indicator.pk, ""),
                )
            )
        by_contract[contract.pk].append(
            ObjectiveLine(
                objective,
                str(objective.parent) if objective.parent_id else "",
                not objective.establishments.all(),
                lines,
                [
                    MilestoneLine(
                        m.label, m.due_date, done.get(m.pk), milestone_is_late(m.due_date, done.get(m.pk), today)
                    )
                    for m in objective.milestones.all()
                ],
            )
        )
    return [
        ContractSheet(
            contract,
            contract.state not in (State.CLOSED, State.TERMINATED),
            by_contract.get(contract.pk, []),
        )
        for contract in contracts
    ]
