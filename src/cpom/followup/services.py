"""The writes of the yearly follow-up: each in one transaction, its rule checked first, audited (cpom.audit).

A campaign is opened with its calendar (the settings ``CPOM_FOLLOW_UP``, the lead authority's own values in
``CPOM_FOLLOW_UP_BY_AUTHORITY`` first) and its grid entries, one per line, holding the level the rule proposes.
``recompute`` stores the proposals again from the data as it is now; a confirmed level is never touched by it: a
changed proposal shows beside the confirmed level until a person confirms again.
"""

import hashlib
import json
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cpom.access import membership_of
from cpom.audit.services import record, snapshot
from cpom.contracts.deadlines import add_months, authority_code
from cpom.contracts.models import Contract
from cpom.core.locking import StaleWrite, locked
from cpom.core.refusals import Refused
from cpom.objectives.models import Milestone
from cpom.objectives.values import ValueRefused, normalise
from cpom.signing.rules import MANAGING_BODY_KEY, party_name, party_of, signature_order
from cpom.signing.services import current_version

from . import rules
from .grid import Grid, grid_for
from .models import (
    AchievementLevel,
    Campaign,
    CampaignStatus,
    ConclusionSignature,
    FramingNote,
    GridEntry,
    MilestoneProgress,
    SealedDocument,
)
from .snapshot import canonical, content_hash, grid_snapshot, sealed_kinds


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


def _opened(contract: Contract, year: int, values: dict, today: date, user, note, at=None) -> Campaign:
    """The campaign open with its calendar, reading the version in force, its grid's proposals stored."""
    version = current_version(contract)
    note = note or FramingNote.objects.filter(authority_id=contract.lead_authority_id, year=year).first()
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
    return campaign


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
    campaign = _opened(contract, year, values, today, user, data.get("framing_note"), at)
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


class EntryRefused(FollowUpRefused):
    """A line's input refused: ``fields`` maps each refused field to its reason (the API points at the field)."""

    def __init__(self, fields: dict[str, str]):
        super().__init__(list(fields.values()))
        self.fields = fields


def entry_changes(entry: GridEntry, data: dict) -> dict:
    """What ``data`` changes on a line, normalised, or :class:`EntryRefused` naming the line and the field."""
    changes = {}
    errors = {}
    for name in ENTRY_FIELDS:
        if name not in data:
            continue
        raw = (data[name] or "").strip()
        if name == "declared_value" and raw:
            try:
                raw = normalise(entry.indicator.value_type, raw)
            except ValueRefused as refused:
                errors[name] = f"{entry.indicator.label} ({entry}), valeur déclarée : {refused}"
                continue
        if raw != getattr(entry, name):
            changes[name] = raw
    if errors:
        raise EntryRefused(errors)
    return changes


@transaction.atomic
def save_entry(
    campaign: Campaign, user, entry_id: int, data: dict, expected_version: int | None, recompute_after: bool = True
) -> GridEntry:
    """The managing body's declared value, « situation actuelle » and comment on one line; the proposals follow
    (``recompute_after=False``: the caller saves many lines and recomputes once, as the grid's import does)."""
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
    if "declared_value" in changes and recompute_after:
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


@transaction.atomic
def save_conclusions(campaign: Campaign, user, text: str, expected_version: int | None) -> Campaign:
    """The shared conclusions, written by either side until they are sent for signature."""
    campaign = _lock_campaign(campaign, expected_version)
    _require(rules.conclusions_refusal(user, campaign))
    before = campaign_snapshot(campaign)
    campaign.conclusions = text.strip()
    campaign.bump_version("conclusions")
    record(
        user,
        campaign.contract,
        f"Campagne de suivi {campaign.year} : conclusions partagées",
        before,
        campaign_snapshot(campaign),
    )
    return campaign


@transaction.atomic
def send_conclusions(campaign: Campaign, user, expected_version: int | None, at: datetime | None = None) -> Campaign:
    """The lead authority sends the grid and the conclusions for signature: their snapshot and its hash are fixed
    (the database keeps them from here), with the order the parties sign in (``CPOM_SIGNATURE_ORDER``)."""
    campaign = _lock_campaign(campaign, expected_version)
    _require(rules.send_conclusions_refusal(user, campaign))
    before = campaign_snapshot(campaign)
    grid = recompute(campaign, at=at)
    data = grid_snapshot(grid)
    campaign.snapshot, campaign.content_sha256 = canonical(data), content_hash(data)
    campaign.signature_order = signature_order(campaign.contract)
    campaign.status = CampaignStatus.SIGNING
    campaign.bump_version("snapshot", "content_sha256", "signature_order", "status")
    record(
        user,
        campaign.contract,
        f"Campagne de suivi {campaign.year} : conclusions envoyées pour signature",
        before,
        campaign_snapshot(campaign),
    )
    return campaign


def signed_parties(campaign: Campaign) -> set[str]:
    return set(campaign.signatures.values_list("party_key", flat=True))


@transaction.atomic
def sign_conclusions(
    campaign: Campaign, user, data: dict, expected_version: int | None, today: date | None = None, at=None
) -> ConclusionSignature:
    """One party signs the conclusions and the grid (the hash it read); the last signature closes the campaign and
    seals its documents."""
    campaign = _lock_campaign(campaign, expected_version)
    party = party_of(user, campaign.contract)
    signed = signed_parties(campaign)
    _require(rules.sign_conclusions_refusal(user, campaign, party, signed))
    errors = [
        f"Indiquez {label} du signataire."
        for name, label in (("signatory_name", "le nom"), ("signatory_title", "la qualité"))
        if not (data.get(name) or "").strip()
    ]
    if (data.get("signed_hash") or campaign.content_sha256) != campaign.content_sha256:
        errors.append("L'empreinte signée n'est pas celle des conclusions en signature : rechargez la page.")
    if errors:
        raise FollowUpRefused(errors)
    moment = at or timezone.now()
    signature = ConclusionSignature.objects.create(
        campaign=campaign,
        authority_id=None if party == MANAGING_BODY_KEY else int(party.split(":", 1)[1]),
        party_key=party,
        signatory_name=data["signatory_name"].strip(),
        signatory_title=data["signatory_title"].strip(),
        signed_on=today or timezone.localdate(),
        signed_hash=campaign.content_sha256,
        recorded_by=user,
        organisation_label=rules.contract_side(user, campaign.contract).label,
        recorded_at=moment,
    )
    record(
        user,
        campaign.contract,
        f"Campagne de suivi {campaign.year} : conclusions signées par {party_name(campaign.contract, party)}",
        None,
        {"empreinte": campaign.content_sha256, "signataire": signature.signatory_name},
        at=at,
    )
    if signed | {party} >= set(campaign.signature_order):
        _close(campaign, user, moment)
    return signature


def _close(campaign: Campaign, user, moment: datetime) -> None:
    """Every party signed: the registered documents are written from the signed snapshot and stored with their
    hash, then the campaign is closed (the database holds it as it is from here)."""
    data = json.loads(campaign.snapshot)
    for kind in sealed_kinds():
        file_name, content = kind.writer(data)
        SealedDocument.objects.create(
            campaign=campaign,
            kind=kind.kind,
            label=kind.label,
            file_name=file_name,
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
        )
    before = campaign_snapshot(campaign)
    campaign.status, campaign.closed_at = CampaignStatus.CLOSED, moment
    campaign.bump_version("status", "closed_at")
    record(
        user,
        campaign.contract,
        f"Campagne de suivi {campaign.year} : close, grille et conclusions scellées",
        before,
        campaign_snapshot(campaign),
        at=moment,
    )


def open_due_campaigns(today: date) -> list[Campaign]:
    """The year's campaigns of the contracts in force whose lead authority opens them on a set day
    (``automatic_opening`` « MM-DD »), opened once that day has come: the command ``cpom suivi ouvrir-campagnes``."""
    opened = []
    for contract in Contract.objects.filter(state__in=rules.FOLLOWED_STATES).prefetch_related("parties__authority"):
        day = follow_up_rule(contract, "automatic_opening")
        if not day or not contract.start_date.year <= today.year <= contract.end_date.year:
            continue
        month, dom = (int(part) for part in day.split("-"))
        if today < date(today.year, month, dom):
            continue
        if Campaign.objects.filter(contract=contract, year=today.year).exclude(status=CampaignStatus.PLANNED).exists():
            continue
        opened.append(_open_automatically(contract, today))
    return opened


@transaction.atomic
def _open_automatically(contract: Contract, today: date) -> Campaign:
    campaign = _opened(contract, today.year, calendar_for(contract, today.year, today), today, None, None)
    record(
        None,
        contract,
        f"Campagne de suivi {today.year} : ouverte automatiquement à la date fixée par l'autorité",
        None,
        campaign_snapshot(campaign),
    )
    return campaign


@transaction.atomic
def save_framing_note(user, data: dict, note: FramingNote | None = None, expected_version=None) -> FramingNote:
    """An authority's note de cadrage for a year (its priority themes), reused by every campaign it opens that year."""
    _require(rules.framing_note_refusal(user))
    authority_id = membership_of(user).authority_id
    if note is None:
        if FramingNote.objects.filter(authority_id=authority_id, year=data["year"]).exists():
            raise FollowUpRefused(f"Votre note de cadrage {data['year']} existe déjà : modifiez-la.")
        note = FramingNote(authority_id=authority_id, year=data["year"])
        before = None
    else:
        try:
            note = locked(FramingNote.objects, expected_version, pk=note.pk, authority_id=authority_id)
        except StaleWrite:
            raise StaleFollowUp from None
        before = snapshot(note)
    note.themes, note.text = data["themes"].strip(), (data.get("text") or "").strip()
    if note.pk:
        note.bump_version("themes", "text")
    else:
        note.save()
    record(user, note, f"Note de cadrage {note.year}", before, snapshot(note))
    return note
