"""The writes of the yearly follow-up: each in one transaction, its rule checked first, audited (cpom.audit).

A campaign is opened with its calendar (the settings ``CPOM_FOLLOW_UP``, the lead authority's own values in
``CPOM_FOLLOW_UP_BY_AUTHORITY`` first) and its grid entries, one per line, holding the level the rule proposes.
``recompute`` stores the proposals again from the data as it is now; a confirmed level is never touched by it: a
changed proposal shows beside the confirmed level until a person confirms again.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cpom.audit.services import record, snapshot
from cpom.contracts.deadlines import add_months, authority_code
from cpom.contracts.models import Contract
from cpom.core.locking import StaleWrite, locked
from cpom.core.refusals import Refused
from cpom.objectives.models import Milestone
from cpom.objectives.values import ValueRefused, normalise
from cpom.signing.services import current_version

from . import rules
from .grid import Grid, grid_for
from .models import AchievementLevel, Campaign, CampaignStatus, FramingNote, GridEntry, MilestoneProgress


class FollowUpRefused(Refused):
    """A follow-up write a rule refuses: nothing was saved."""


class StaleFollowUp(StaleWrite, FollowUpRefused):
    """The page showed an older copy of the campaign or of the line: nothing was saved (409)."""

    def __init__(self, *args):
        StaleWrite.__init__(self)
        self.reasons = [str(self)]


def _require(refusal: str | None) -> None:
    if refusal:
        raise FollowUpRefused(refusal)


def follow_up_rule(contract: Contract, name: str):
    """A rule of the follow-up (``CPOM_FOLLOW_UP``), the lead authority's own value first."""
    lead = next((p.authority for p in contract.parties.all() if p.is_lead), None)
    own = settings.CPOM_FOLLOW_UP_BY_AUTHORITY.get(authority_code(lead), {}) if lead else {}
    return own[name] if name in own else settings.CPOM_FOLLOW_UP[name]


def calendar_for(contract: Contract, year: int, opened_on: date) -> dict:
    """The calendar a campaign opened that day gets by default: the reviewed year, the report's deadline, the review."""
    first, last = follow_up_rule(contract, "review_months")
    return {
        "reviewed_year": year - follow_up_rule(contract, "reviewed_year_lag"),
        "report_deadline": add_months(opened_on, follow_up_rule(contract, "report_deadline_months")),
        "review_start": date(year, first, 1),
        "review_end": add_months(date(year, last, 1), 1) - timedelta(days=1),
    }


def campaign_snapshot(campaign: Campaign) -> dict:
    return snapshot(campaign)


def _lock_campaign(campaign: Campaign, expected_version: int | None) -> Campaign:
    try:
        return locked(Campaign.objects.select_related("contract"), expected_version, pk=campaign.pk)
    except StaleWrite:
        raise StaleFollowUp from None


@transaction.atomic
def open_campaign(contract: Contract, user, data: dict, today: date | None = None, at: datetime | None = None):
    """Opens the year's campaign of a contract in force, with its calendar and its grid computed."""
    today = today or timezone.localdate()
    year = int(data.get("year") or today.year)
    _require(rules.open_refusal(user, contract, year))
    if Campaign.objects.filter(contract=contract, year=year).exclude(status=CampaignStatus.PLANNED).exists():
        raise FollowUpRefused(f"La campagne {year} de ce contrat est déjà ouverte.")
    defaults = calendar_for(contract, year, today)
    values = {name: data.get(name) or default for name, default in defaults.items()}
    errors = []
    if values["reviewed_year"] > year:
        errors.append("L'exercice examiné est une année close : au plus l'année de la campagne.")
    if values["review_start"] > values["review_end"]:
        errors.append("Le dialogue de gestion finit après avoir commencé.")
    if values["report_deadline"] < today:
        errors.append("La date limite du bilan est à venir.")
    if errors:
        raise FollowUpRefused(errors)
    version = current_version(contract)
    note = (
        data.get("framing_note")
        or FramingNote.objects.filter(authority_id=contract.lead_authority_id, year=year).first()
    )
    campaign, _ = Campaign.objects.update_or_create(
        contract=contract,
        year=year,
        defaults={
            **values,
            "status": CampaignStatus.OPEN,
            "opened_on": today,
            "opened_by": user,
            "framing_note": note,
            "contract_version": version.number if version else None,
        },
    )
    recompute(campaign, at=at)
    record(user, contract, f"Campagne de suivi {year} : ouverte", None, campaign_snapshot(campaign), at=at)
    return campaign


def recompute(campaign: Campaign, at: datetime | None = None) -> Grid:
    """Stores the level the rule proposes on every line (an entry per line, created if missing). A confirmed level
    is left as it is: the grid shows a changed proposal beside it."""
    grid = grid_for(campaign)
    if not campaign.is_editable:
        return grid
    moment = at or timezone.now()
    with transaction.atomic():
        for line in grid.lines:
            entry = line.entry or GridEntry(campaign=campaign, indicator=line.indicator, category=line.category)
            proposal = (line.assessment.level, line.assessment.track, line.assessment.explanation)
            if entry.pk and (entry.proposed_level, entry.proposed_track, entry.proposed_explanation) == proposal:
                continue
            entry.proposed_level, entry.proposed_track, entry.proposed_explanation = proposal
            entry.proposed_at = moment
            if entry.pk:
                entry.save(update_fields=["proposed_level", "proposed_track", "proposed_explanation", "proposed_at"])
            else:
                entry.save()
            line.entry = entry
    return grid


def _entry(campaign: Campaign, entry_id: int, expected_version: int | None) -> GridEntry:
    try:
        return locked(GridEntry.objects.select_related("indicator"), expected_version, pk=entry_id, campaign=campaign)
    except StaleWrite:
        raise StaleFollowUp from None


ENTRY_FIELDS = ("declared_value", "current_situation", "comment")


def entry_changes(entry: GridEntry, data: dict) -> dict:
    """What ``data`` changes on a line, normalised, or :class:`FollowUpRefused` naming the line and the field."""
    changes = {}
    errors = []
    for name in ENTRY_FIELDS:
        if name not in data:
            continue
        raw = (data[name] or "").strip()
        if name == "declared_value" and raw:
            try:
                raw = normalise(entry.indicator.value_type, raw)
            except ValueRefused as refused:
                errors.append(f"{entry.indicator.label} ({entry}), valeur déclarée : {refused}")
                continue
        if raw != getattr(entry, name):
            changes[name] = raw
    if errors:
        raise FollowUpRefused(errors)
    return changes


@transaction.atomic
def save_entry(campaign: Campaign, user, entry_id: int, data: dict, expected_version: int | None) -> GridEntry:
    """The managing body's declared value, « situation actuelle » and comment on one line; the proposals follow."""
    campaign = Campaign.objects.select_related("contract").get(pk=campaign.pk)
    _require(rules.entry_refusal(user, campaign))
    entry = _entry(campaign, entry_id, expected_version)
    changes = entry_changes(entry, data)
    if not changes:
        return entry
    before = snapshot(entry)
    for name, value in changes.items():
        setattr(entry, name, value)
    entry.bump_version(*changes)
    record(user, campaign.contract, f"Campagne {campaign.year} : ligne « {entry} » renseignée", before, snapshot(entry))
    if "declared_value" in changes:
        recompute(campaign)
        entry.refresh_from_db()
    return entry


@transaction.atomic
def confirm_level(
    campaign: Campaign, user, entry_id: int, level: str, comment: str, expected_version: int | None, at=None
) -> GridEntry:
    """An authority confirms a line's level: the proposal it had in front of it is kept beside it; a level other
    than the proposal needs its comment."""
    campaign = Campaign.objects.select_related("contract").get(pk=campaign.pk)
    _require(rules.confirm_refusal(user, campaign))
    if level not in AchievementLevel.values:
        raise FollowUpRefused("Choisissez un niveau de réalisation : R, NR ou EC.")
    entry = _entry(campaign, entry_id, expected_version)
    _require(rules.override_refusal(entry.proposed_level, level, comment))
    before = snapshot(entry)
    entry.confirmed_level = level
    entry.confirmed_proposal = entry.proposed_level
    entry.override_comment = comment.strip() if level != entry.proposed_level else ""
    entry.confirmed_by = user
    entry.confirmed_by_label = rules.contract_side(user, campaign.contract).label
    entry.confirmed_at = at or timezone.now()
    entry.bump_version(
        "confirmed_level",
        "confirmed_proposal",
        "override_comment",
        "confirmed_by",
        "confirmed_by_label",
        "confirmed_at",
    )
    record(
        user,
        campaign.contract,
        f"Campagne {campaign.year} : niveau {level} retenu pour « {entry} »",
        before,
        snapshot(entry),
    )
    return entry


@transaction.atomic
def save_milestone(
    campaign: Campaign, user, milestone_id: int, done_on: date | None, comment: str, expected_version: int | None
) -> MilestoneProgress:
    """The managing body says a milestone of the calendar is done (and when), or why not."""
    campaign = Campaign.objects.select_related("contract").get(pk=campaign.pk)
    _require(rules.entry_refusal(user, campaign))
    if not Milestone.objects.filter(pk=milestone_id, objective__contract=campaign.contract).exists():
        raise FollowUpRefused("Ce jalon n'est pas au calendrier de ce contrat.")
    progress = MilestoneProgress.objects.filter(campaign=campaign, milestone_id=milestone_id).first()
    if progress is None:
        if expected_version not in (None, 0):
            raise StaleFollowUp
        progress = MilestoneProgress(campaign=campaign, milestone_id=milestone_id)
        before = None
    else:
        try:
            progress = locked(MilestoneProgress.objects, expected_version, pk=progress.pk)
        except StaleWrite:
            raise StaleFollowUp from None
        before = snapshot(progress)
    if done_on is not None and done_on > timezone.localdate():
        raise FollowUpRefused("Un jalon réalisé l'a été à une date passée.")
    progress.done_on, progress.comment = done_on, comment.strip()
    if progress.pk:
        progress.bump_version("done_on", "comment")
    else:
        progress.save()
    record(
        user,
        campaign.contract,
        f"Campagne {campaign.year} : jalon « {progress.milestone} »",
        before,
        snapshot(progress),
    )
    return progress


@transaction.atomic
def submit(campaign: Campaign, user, expected_version: int | None, at: datetime | None = None) -> Campaign:
    """The managing body sends its grid and its bilan: the authority confirms the levels next."""
    campaign = _lock_campaign(campaign, expected_version)
    _require(rules.submit_refusal(user, campaign))
    before = campaign_snapshot(campaign)
    campaign.status = CampaignStatus.SUBMITTED
    campaign.submitted_at, campaign.submitted_by = at or timezone.now(), user
    campaign.bump_version("status", "submitted_at", "submitted_by")
    record(
        user, campaign.contract, f"Campagne de suivi {campaign.year} : transmise", before, campaign_snapshot(campaign)
    )
    return campaign
