"""Computing a contract's alerts from its data, and acknowledging one.

:func:`compute_for` reads the facts of one contract (its milestones, its establishments' engine values, its accounts
beside the retained trajectory), asks :mod:`cpom.alerts.findings` what they raise, and reconciles: an alert found
again is updated (message, last sighting; reopened if it had been resolved), a new one is added, an open one whose
cause is gone is resolved. Nothing is ever deleted, so an acknowledgement stays with its alert.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from cpom.audit.services import record
from cpom.contracts.deadlines import authority_code
from cpom.contracts.models import COVERING_STATES, Contract
from cpom.core.locking import locked
from cpom.core.refusals import Refused
from cpom.core.text import plural
from cpom.finance.trajectory.services import retained_scenario, run
from cpom.followup.grid import grid_for
from cpom.followup.models import Campaign, CampaignStatus, MilestoneProgress
from cpom.followup.services import recompute
from cpom.indicators.benchmarks import OUT_OF_BOUNDS
from cpom.indicators.engine import ACCOUNT_PREFIX
from cpom.indicators.models import DataValue, IndicatorValue
from cpom.objectives.models import Milestone

from . import findings, rules
from .models import Alert


def alert_rule(contract: Contract, name: str):
    """A rule of ``CPOM_ALERTS``, the lead authority's own value (``CPOM_ALERTS_BY_AUTHORITY``) first."""
    lead = next((p.authority for p in contract.parties.all() if p.is_lead), None)
    own = settings.CPOM_ALERTS_BY_AUTHORITY.get(authority_code(lead), {}) if lead else {}
    return own[name] if name in own else settings.CPOM_ALERTS[name]


def _years(contract: Contract) -> range:
    # The follow-up reviews the last closed year: the year before the start is the first one year N looks at.
    return range(contract.start_date.year - 1, contract.end_date.year + 1)


def _value_facts(contract: Contract, **filters) -> list[findings.ValueFact]:
    rows = IndicatorValue.objects.filter(
        establishment__in=contract.establishments.all(), year__in=_years(contract), **filters
    ).values_list(
        "establishment_id",
        "establishment__name",
        "establishment__finess",
        "indicator_id",
        "indicator__code",
        "indicator__label",
        "indicator__unit",
        "year",
        "value",
        "flag",
    )
    return [findings.ValueFact(*row) for row in rows]


def _milestone_facts(contract: Contract) -> list[findings.MilestoneFact]:
    rows = Milestone.objects.filter(objective__contract=contract).values_list(
        "objective_id", "objective__number", "objective__title", "pk", "label", "due_date"
    )
    # Done at any campaign is done: a later campaign does not undo a step recorded as made.
    done = set(
        MilestoneProgress.objects.filter(campaign__contract=contract, done_on__isnull=False).values_list(
            "milestone_id", flat=True
        )
    )
    return [
        findings.MilestoneFact(contract.pk, objective, f"objectif {number} {title}", pk, label, due, pk in done)
        for objective, number, title, pk, label, due in rows
    ]


def _latest_campaign(contract: Contract) -> Campaign | None:
    return contract.campaigns.exclude(status=CampaignStatus.PLANNED).order_by("-year").first()


def _line_facts(campaign: Campaign) -> list[findings.LineFact]:
    grid = grid_for(campaign)
    facts = []
    for line in grid.lines:
        value = line.value_of(grid.reviewed_year)
        facts.append(
            findings.LineFact(
                campaign.contract_id,
                campaign.pk,
                grid.reviewed_year,
                line.indicator.pk,
                line.indicator.label,
                line.category,
                line.category_label,
                line.level,
                line.assessment.track if line.level == line.assessment.level else "",
                line.assessment.explanation if line.level == line.assessment.level else "",
                bool(value and value.text),
            )
        )
    return facts


def _result_facts(contract: Contract) -> list[findings.ResultFact]:
    """Each year's result from the accounts of the establishments that have them, beside what the retained scenario
    planned for those same establishments (an establishment whose accounts are not in yet is left out of both)."""
    scenario = retained_scenario(getattr(contract, "reference_budget", None))
    if scenario is None:
        return []
    totals = (
        DataValue.objects.filter(
            establishment__in=contract.establishments.all(),
            year__in=range(contract.start_date.year, contract.start_date.year + contract.duration_years),
        )
        .filter(Q(element__startswith=f"{ACCOUNT_PREFIX}6") | Q(element__startswith=f"{ACCOUNT_PREFIX}7"))
        .values_list("year", "establishment_id")
        .annotate(balance=Sum("value"))
    )
    if not totals:
        return []
    trajectory = run(scenario).trajectory
    actual: dict[int, Decimal] = {}
    planned: dict[int, Decimal] = {}
    for year, establishment, balance in totals:
        rows = trajectory.rows.get(establishment)
        if rows is None:  # not in the trajectory: nothing planned to compare with
            continue
        # Balances are debit − credit: the result (income − expenses) is their opposite.
        actual[year] = actual.get(year, Decimal(0)) - balance
        planned[year] = planned.get(year, Decimal(0)) + rows[year - contract.start_date.year].result
    return [
        findings.ResultFact(contract.pk, year, actual[year], planned[year], scenario.pk, scenario.name)
        for year in sorted(actual)
    ]


def _campaign_findings(contract: Contract, today: date) -> list[findings.Finding]:
    campaign = _latest_campaign(contract)
    if campaign is None:
        return []
    lines = _line_facts(campaign)
    found = findings.indicators_off_track(lines)
    if campaign.status == CampaignStatus.OPEN and campaign.report_deadline is not None:
        days = alert_rule(contract, "missing_data_days")
        found += findings.missing_data(lines, campaign.report_deadline, today, days)
    return found


def findings_for(contract: Contract, today: date) -> list[findings.Finding]:
    occupancy = _value_facts(contract, indicator__code=alert_rule(contract, "occupancy_indicator"))
    return [
        *_campaign_findings(contract, today),
        *findings.overdue_milestones(_milestone_facts(contract), today),
        *findings.implausible_values(_value_facts(contract, flag=OUT_OF_BOUNDS), OUT_OF_BOUNDS),
        *findings.under_activity(occupancy, Decimal(str(alert_rule(contract, "occupancy_threshold")))),
        *findings.deficits(_result_facts(contract)),
    ]


@dataclass
class Reconciled:
    raised: int = 0
    updated: int = 0
    resolved: int = 0

    def add(self, other: "Reconciled") -> None:
        self.raised += other.raised
        self.updated += other.updated
        self.resolved += other.resolved

    @property
    def changed(self) -> bool:
        return bool(self.raised or self.resolved)


@transaction.atomic
def compute_for(contract: Contract, now: datetime | None = None) -> Reconciled:
    now = now or timezone.now()
    found = {(f.kind, f.key): f for f in findings_for(contract, timezone.localdate(now))}
    existing = {(a.kind, a.key): a for a in Alert.objects.select_for_update().filter(contract=contract)}
    summary = Reconciled()
    new, changed, seen, raised, resolved = [], [], [], [], []
    for identity, finding in found.items():
        alert = existing.get(identity)
        if alert is None:
            new.append(
                Alert(
                    contract=contract,
                    establishment_id=finding.establishment_id,
                    kind=finding.kind,
                    year=finding.year,
                    key=finding.key,
                    message=finding.message[:500],
                    cause_url_name=finding.cause_url_name,
                    cause_args=list(finding.cause_args),
                    cause_query=finding.cause_query,
                    first_seen_at=now,
                    last_seen_at=now,
                )
            )
            continue
        described = (
            finding.message[:500],
            finding.year,
            finding.cause_url_name,
            list(finding.cause_args),
            finding.cause_query,
        )
        shown = (alert.message, alert.year, alert.cause_url_name, alert.cause_args, alert.cause_query)
        if alert.resolved_at is None and described == shown:
            # Most alerts of a night are the same as the night before's: only their last sighting moves.
            seen.append(alert.pk)
            summary.updated += 1
            continue
        if alert.resolved_at is not None:
            # A cause that comes back is to be looked at again: its former acknowledgement stays in the journal.
            alert.resolved_at = None
            alert.acknowledged_at, alert.acknowledged_by, alert.acknowledgement_comment = None, None, ""
            summary.raised += 1
            raised.append(finding.message)
        else:
            summary.updated += 1
        alert.message, alert.year, alert.cause_url_name, alert.cause_args, alert.cause_query = described
        alert.last_seen_at = now
        alert.version += 1
        changed.append(alert)
    for identity, alert in existing.items():
        if identity not in found and alert.resolved_at is None:
            alert.resolved_at = now
            alert.version += 1
            changed.append(alert)
            summary.resolved += 1
            resolved.append(alert.message)
    Alert.objects.filter(pk__in=seen).update(last_seen_at=now)
    Alert.objects.bulk_create(new)
    summary.raised += len(new)
    raised += [alert.message for alert in new]
    Alert.objects.bulk_update(
        changed,
        [
            "message",
            "year",
            "cause_url_name",
            "cause_args",
            "cause_query",
            "last_seen_at",
            "resolved_at",
            "acknowledged_at",
            "acknowledged_by",
            "acknowledgement_comment",
            "version",
        ],
    )
    if summary.changed:
        record(
            None,
            contract,
            f"Alertes recalculées : {plural(summary.raised, 'nouvelle alerte', 'nouvelles alertes')}, "
            f"{plural(summary.resolved, 'alerte levée', 'alertes levées')}",
            None,
            {"relevées": sorted(raised), "levées": sorted(resolved)},
            at=now,
        )
    return summary


def contracts_in_force():
    return Contract.objects.filter(state__in=COVERING_STATES).prefetch_related("parties__authority")


def compute_all(now: datetime | None = None, contracts=None) -> tuple[int, Reconciled]:
    """Every contract in force (or those given): how many, and what changed in all."""
    total, count = Reconciled(), 0
    for contract in contracts if contracts is not None else contracts_in_force():
        total.add(compute_for(contract, now))
        count += 1
    return count, total


def refresh_after_import(establishment_ids: list[int], years: list[int]) -> None:
    """After an import: the contracts in force whose perimeter holds one of these establishments, their open
    campaigns' proposed levels first (the follow-up's rule on the new values), then their alerts."""
    contracts = list(contracts_in_force().filter(establishments__in=establishment_ids).distinct())
    for campaign in Campaign.objects.filter(
        contract__in=contracts, status__in=(CampaignStatus.OPEN, CampaignStatus.SUBMITTED)
    ):
        recompute(campaign)
    compute_all(contracts=contracts)


def summary_text(count: int, total: Reconciled) -> str:
    open_alerts = Alert.objects.open().filter(contract__state__in=COVERING_STATES)
    return (
        f"{plural(count, 'contrat en vigueur examiné', 'contrats en vigueur examinés')} : "
        f"{plural(total.raised, 'nouvelle alerte', 'nouvelles alertes')}, "
        f"{plural(total.updated, 'alerte toujours ouverte', 'alertes toujours ouvertes')}, "
        f"{plural(total.resolved, 'alerte levée', 'alertes levées')} ; "
        f"{plural(open_alerts.count(), 'alerte ouverte', 'alertes ouvertes')} au total, "
        f"dont {plural(open_alerts.unacknowledged().count(), 'non prise en compte', 'non prises en compte')}."
    )


class AcknowledgementRefused(Refused):
    pass


def acknowledge(user, alert: Alert, comment: str, version: int | None) -> Alert:
    """Records who takes the alert into account and why; refused by the rule, stale if the alert moved on."""
    refusal = rules.acknowledge_refusal(user, alert.contract, alert, comment)
    if refusal:
        raise AcknowledgementRefused(refusal)
    with transaction.atomic():
        current = locked(Alert.objects, version, pk=alert.pk)
        current.acknowledged_at, current.acknowledged_by = timezone.now(), user
        current.acknowledgement_comment = comment.strip()
        current.bump_version("acknowledged_at", "acknowledged_by", "acknowledgement_comment")
        record(
            user,
            current.contract,
            f"Alerte prise en compte : {current.message}",
            {"alerte": current.message, "prise en compte": None},
            {"alerte": current.message, "prise en compte": current.acknowledgement_comment},
        )
    return current
