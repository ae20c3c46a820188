"""A contract's management reviews: planning one, its participants and agenda, holding it, the relevé de décisions
(drafted by the lead authority, adjusted on the managing body's proposals, sent, signed by both sides, sealed), each
decision's status afterwards, and the amendment a decision opens.

Every write is audited on the contract (cpom.audit) and refused when based on a copy someone else changed meanwhile
(``expected_version``, cpom.core.locking). A refusal says every reason in French and changes nothing.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cpom.access import membership_of
from cpom.alerts.models import Alert
from cpom.amendments.models import Trigger
from cpom.amendments.services import create_amendment
from cpom.audit.services import record
from cpom.contracts.deadlines import authority_code
from cpom.contracts.models import Contract
from cpom.core.formatting import french_date
from cpom.core.locking import StaleWrite, check_version
from cpom.core.refusals import Refused
from cpom.followup import levels
from cpom.followup.grid import grid_for
from cpom.followup.models import Campaign, CampaignStatus, FramingNote
from cpom.registry.models import Contact

from . import planning, rules
from .models import (
    Adjustment,
    AdjustmentAnswer,
    Decision,
    DecisionKind,
    DecisionStatus,
    MinutesSignature,
    Participant,
    PartySide,
    Question,
    Review,
    ReviewState,
)

SNAPSHOT_FORMAT = 1


class ReviewRefused(Refused):
    """A step of a review or its relevé its rules refuse, with the reasons in French, field by field."""


class StaleReview(StaleWrite, ReviewRefused):
    def __init__(self):
        StaleWrite.__init__(self)
        self.reasons = [str(self)]


def _require(refusal: str | None) -> None:
    if refusal:
        raise ReviewRefused(refusal)


def _check(version: int, expected: int | None) -> None:
    try:
        check_version(version, expected)
    except StaleWrite:
        raise StaleReview from None


# ------------------------------------------------------------------------------------------ rules and planning


def review_rule(contract: Contract, name: str):
    """A rule of ``CPOM_REVIEWS``, the lead authority's own value (``CPOM_REVIEWS_BY_AUTHORITY``) first."""
    lead = next((p.authority for p in contract.parties.all() if p.is_lead), None)
    own = settings.CPOM_REVIEWS_BY_AUTHORITY.get(authority_code(lead), {}) if lead else {}
    return own[name] if name in own else settings.CPOM_REVIEWS[name]


def planning_rules(contract: Contract) -> planning.Rules:
    return planning.Rules.of({name: review_rule(contract, name) for name in planning.Rules.__dataclass_fields__})


def proposed(contract: Contract) -> list[planning.PlannedReview]:
    """The reviews the contract's rules call for (a year-4 one when alerts are open)."""
    alerts_open = Alert.objects.open().filter(contract=contract).exists()
    return planning.plan(contract.start_date, contract.duration_years, planning_rules(contract), alerts_open)


def _audit(user, contract: Contract, review: Review, what: str, before, after) -> None:
    record(user, contract, f"Dialogue de gestion de l'année {review.year} : {what}", before, after)


def review_journal(review: Review) -> dict:
    return {
        "année": review.year,
        "type": review.get_kind_display(),
        "date": review.day.isoformat(),
        "lieu": review.place,
        "état": review.get_state_display(),
        "synthèse": review.summary,
    }


def _dates_refusals(contract: Contract, day: date | None) -> list[str]:
    if day is None:
        return ["Date : indiquez la date du dialogue de gestion."]
    if not contract.start_date <= day <= contract.end_date:
        return [
            f"Date : le dialogue se tient pendant le contrat, du {french_date(contract.start_date)} au "
            f"{french_date(contract.end_date)}."
        ]
    return []


def participants_at(contract: Contract, day: date) -> list[Contact]:
    """The contacts of every party in office on ``day``: the managing body's and each admitted authority's."""
    authorities = [p.authority_id for p in contract.parties.admitted()]
    in_office = Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))
    return list(
        Contact.objects.filter(in_office)
        .filter(Q(managing_body_id=contract.managing_body_id) | Q(authority_id__in=authorities))
        .select_related("managing_body", "authority")
        .order_by("authority_id", "last_name", "first_name")
    )


def _draw_participants(review: Review) -> None:
    review.participants.all().delete()
    Participant.objects.bulk_create(
        Participant(
            review=review,
            contact=contact,
            side=PartySide.MANAGING_BODY if contact.managing_body_id else PartySide.AUTHORITY,
            name=f"{contact.first_name} {contact.last_name}",
            role=contact.role,
            organisation=str(contact.organisation.name),
        )
        for contact in participants_at(review.contract, review.day)
    )


@transaction.atomic
def plan_review(contract: Contract, user, data: dict) -> Review:
    """``data``: year (of the contract), day, place. The participants are drawn from the contacts at that date."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    _require(rules.plan_refusal(user, contract))
    reasons = []
    year = data.get("year")
    called = {p.year: p for p in proposed(contract)}
    if not isinstance(year, int) or not 1 <= year <= contract.duration_years:
        reasons.append(f"Année du contrat : de 1 à {contract.duration_years}.")
    elif contract.reviews.filter(year=year).exists():
        reasons.append(f"Année du contrat : le dialogue de l'année {year} est déjà planifié.")
    day = data.get("day") or (called[year].day if year in called else None)
    reasons += _dates_refusals(contract, day)
    place = (data.get("place") or "").strip() or review_rule(contract, "default_place")
    if reasons:
        raise ReviewRefused(reasons)
    purposes = list(called[year].purposes) if year in called else [planning.ANNUAL]
    review = Review.objects.create(
        contract=contract,
        year=year,
        kind=purposes[0],
        purposes=purposes,
        day=day,
        place=place,
        created_by=user,
        organisation_label=membership_of(user).organisation_label,
        created_at=timezone.now(),
    )
    _draw_participants(review)
    _audit(user, contract, review, "planifié", None, review_journal(review))
    return review


def _locked(review: Review, expected_version: int | None) -> Review:
    current = Review.objects.select_for_update(of=("self",)).select_related("contract").get(pk=review.pk)
    _check(current.version, expected_version)
    return current


@transaction.atomic
def update_review(review: Review, user, data: dict, expected_version: int | None) -> Review:
    review = _locked(review, expected_version)
    _require(rules.edit_refusal(user, review))
    reasons = _dates_refusals(review.contract, data.get("day"))
    place = (data.get("place") or "").strip()
    if not place:
        reasons.append("Lieu : indiquez où se tient le dialogue.")
    if reasons:
        raise ReviewRefused(reasons)
    before = review_journal(review)
    moved = review.day != data["day"]
    review.day, review.place = data["day"], place
    review.bump_version("day", "place")
    if moved:
        _draw_participants(review)
    _audit(user, review.contract, review, "date et lieu", before, review_journal(review))
    return review


@transaction.atomic
def ask_question(review: Review, user, text: str) -> Question:
    review = Review.objects.select_for_update(of=("self",)).select_related("contract").get(pk=review.pk)
    _require(rules.question_refusal(user, review))
    if not (text or "").strip():
        raise ReviewRefused("Question : écrivez la question ou le sujet à arbitrer.")
    question = Question.objects.create(
        review=review,
        text=text.strip(),
        asked_by=user,
        organisation_label=membership_of(user).organisation_label,
        asked_at=timezone.now(),
    )
    _audit(user, review.contract, review, "question préalable", None, {"question": question.text})
    return question


@transaction.atomic
def hold(review: Review, user, expected_version: int | None, today: date | None = None) -> Review:
    """Records the review as held: the lead authority then drafts its relevé."""
    today = today or timezone.localdate()
    review = _locked(review, expected_version)
    _require(rules.hold_refusal(user, review, today))
    before = review_journal(review)
    review.state, review.held_at, review.held_by = ReviewState.HELD, timezone.now(), user
    review.bump_version("state", "held_at", "held_by")
    _audit(user, review.contract, review, "tenu", before, review_journal(review))
    return review


@transaction.atomic
def save_summary(review: Review, user, text: str, expected_version: int | None) -> Review:
    review = _locked(review, expected_version)
    _require(rules.draft_refusal(user, review))
    before = review_journal(review)
    review.summary = (text or "").strip()
    review.bump_version("summary")
    _audit(user, review.contract, review, "synthèse des échanges", before, review_journal(review))
    return review


# ------------------------------------------------------------------------------------------ decisions


def decision_journal(decision: Decision) -> dict:
    return {
        "numéro": decision.number,
        "type": decision.get_kind_display(),
        "décision": decision.text,
        "porteur": owner_label(decision),
        "échéance": decision.due_date.isoformat(),
        "état": decision.get_status_display(),
        "commentaire": decision.status_comment,
    }


def owner_label(decision: Decision) -> str:
    if decision.owner_side == PartySide.MANAGING_BODY:
        organisation = decision.review.contract.managing_body.name
    else:
        organisation = decision.owner_authority.name
    person = decision.owner_person.get_full_name() if decision.owner_person_id else ""
    return f"{organisation} ({person})" if person else organisation


def owners(contract: Contract) -> list[tuple[str, str]]:
    """The owners a decision may have, as the form offers them: « managing_body » or « authority:<id> »."""
    choices = [(PartySide.MANAGING_BODY.value, contract.managing_body.name)]
    choices += [
        (f"authority:{p.authority_id}", p.authority.name)
        for p in contract.parties.admitted().select_related("authority")
    ]
    return choices


def _owner(contract: Contract, data: dict) -> tuple[dict, list[str]]:
    owner = data.get("owner") or ""
    authorities = {f"authority:{p.authority_id}": p.authority_id for p in contract.parties.admitted()}
    if owner == PartySide.MANAGING_BODY:
        values = {"owner_side": PartySide.MANAGING_BODY, "owner_authority_id": None}
    elif owner in authorities:
        values = {"owner_side": PartySide.AUTHORITY, "owner_authority_id": authorities[owner]}
    else:
        return {}, ["Porteur : choisissez l'organisme gestionnaire ou une autorité partie au contrat."]
    person = data.get("owner_person")
    if person is not None:
        membership = membership_of(person)
        same = membership is not None and (
            membership.managing_body_id == contract.managing_body_id
            if values["owner_side"] == PartySide.MANAGING_BODY
            else membership.authority_id == values["owner_authority_id"]
        )
        if not same:
            return {}, ["Personne porteuse : elle appartient à l'organisation qui porte la décision."]
    values["owner_person"] = person
    return values, []


def _decision_values(review: Review, data: dict) -> dict:
    reasons = []
    if data.get("kind") not in DecisionKind.values:
        reasons.append("Type : choisissez le type de la décision.")
    if not (data.get("text") or "").strip():
        reasons.append("Décision : écrivez ce qui est décidé.")
    owner, refused = _owner(review.contract, data)
    reasons += refused
    due = data.get("due_date")
    if due is None:
        reasons.append("Échéance : indiquez pour quand la décision est à mettre en œuvre.")
    elif due < review.day:
        reasons.append(f"Échéance : elle suit la date du dialogue ({french_date(review.day)}).")
    if reasons:
        raise ReviewRefused(reasons)
    return {"kind": data["kind"], "text": data["text"].strip(), "due_date": due, **owner}


@transaction.atomic
def add_decision(review: Review, user, data: dict, expected_version: int | None) -> Decision:
    review = _locked(review, expected_version)
    _require(rules.draft_refusal(user, review))
    values = _decision_values(review, data)
    number = (review.decisions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    decision = Decision.objects.create(review=review, number=number, created_at=timezone.now(), **values)
    review.bump_version()
    record(user, decision, f"Décision n° {number} inscrite", None, decision_journal(decision))
    _audit(user, review.contract, review, f"décision n° {number} inscrite", None, decision_journal(decision))
    return decision


def _locked_decision(decision: Decision, expected_version: int | None) -> Decision:
    current = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("review__contract__managing_body", "owner_authority", "owner_person", "amendment")
        .get(pk=decision.pk)
    )
    _check(current.version, expected_version)
    return current


@transaction.atomic
def update_decision(decision: Decision, user, data: dict, expected_version: int | None) -> Decision:
    decision = _locked_decision(decision, expected_version)
    review = decision.review
    _require(rules.draft_refusal(user, review))
    values = _decision_values(review, data)
    before = decision_journal(decision)
    for name, value in values.items():
        setattr(decision, name, value)
    decision.version += 1
    decision.save()
    record(user, decision, f"Décision n° {decision.number} modifiée", before, decision_journal(decision))
    _audit(user, review.contract, review, f"décision n° {decision.number} modifiée", before, decision_journal(decision))
    return decision


@transaction.atomic
def remove_decision(decision: Decision, user, expected_version: int | None) -> None:
    decision = _locked_decision(decision, expected_version)
    review = decision.review
    _require(rules.draft_refusal(user, review))
    if decision.adjustments.exists():
        raise ReviewRefused("Cette décision a reçu des propositions d'ajustement : elle reste au relevé.")
    before = decision_journal(decision)
    decision.delete()
    _audit(user, review.contract, review, f"décision n° {before['numéro']} retirée", before, None)


@transaction.atomic
def propose_adjustment(decision: Decision, user, text: str, reason: str = "") -> Adjustment:
    decision = _locked_decision(decision, decision.version)
    review = decision.review
    _require(rules.propose_refusal(user, review))
    text = (text or "").strip()
    if not text:
        raise ReviewRefused("Rédaction proposée : écrivez la rédaction que vous proposez pour cette décision.")
    if text == decision.text:
        raise ReviewRefused("Rédaction proposée : elle est identique à la rédaction actuelle.")
    adjustment = Adjustment.objects.create(
        review=review,
        decision=decision,
        text=text,
        reason=(reason or "").strip(),
        previous_text=decision.text,
        proposed_by=user,
        proposed_by_organisation=membership_of(user).organisation_label,
        proposed_at=timezone.now(),
    )
    _audit(
        user,
        review.contract,
        review,
        f"ajustement proposé sur la décision n° {decision.number}",
        {"décision": decision.text},
        {"rédaction proposée": text, "motif": adjustment.reason},
    )
    return adjustment


@transaction.atomic
def answer_adjustment(adjustment: Adjustment, user, accept: bool, comment: str = "") -> Adjustment:
    adjustment = (
        Adjustment.objects.select_for_update(of=("self",)).select_related("review__contract").get(pk=adjustment.pk)
    )
    review = adjustment.review
    _require(rules.answer_refusal(user, review))
    if adjustment.answer != AdjustmentAnswer.PENDING:
        raise ReviewRefused("Cet ajustement a déjà reçu une réponse.")
    comment = (comment or "").strip()
    if not accept and not comment:
        raise ReviewRefused("Commentaire : dites pourquoi l'ajustement n'est pas retenu.")
    adjustment.answer = AdjustmentAnswer.ACCEPTED if accept else AdjustmentAnswer.REFUSED
    adjustment.answered_by, adjustment.answered_at, adjustment.answer_comment = user, timezone.now(), comment
    adjustment.save()
    decision = adjustment.decision
    if accept:
        before = decision_journal(decision)
        decision.text = adjustment.text
        decision.version += 1
        decision.save(update_fields=["text", "version"])
        record(user, decision, f"Décision n° {decision.number} ajustée", before, decision_journal(decision))
    _audit(
        user,
        review.contract,
        review,
        f"ajustement {'accepté' if accept else 'non retenu'} sur la décision n° {decision.number}",
        {"rédaction d'origine": adjustment.previous_text},
        {"rédaction proposée": adjustment.text, "réponse": adjustment.get_answer_display(), "commentaire": comment},
    )
    return adjustment


# ------------------------------------------------------------------------------------------ the relevé signed


def minutes_snapshot(review: Review) -> dict:
    """What both sides sign: the relevé as plain data (the decisions' status is not in it: it moves afterwards)."""
    contract = review.contract
    return {
        "format": SNAPSHOT_FORMAT,
        "contract": {"id": contract.pk, "reference": contract.reference, "title": contract.title},
        "managing_body": contract.managing_body.name,
        "review": {
            "id": review.pk,
            "year": review.year,
            "title": review.title,
            "day": review.day.isoformat(),
            "place": review.place,
            "summary": review.summary,
        },
        "participants": [
            {"name": p.name, "role": p.role, "organisation": p.organisation}
            for p in review.participants.order_by("side", "organisation", "name")
        ],
        "decisions": [
            {
                "number": d.number,
                "kind": d.get_kind_display(),
                "text": d.text,
                "owner": owner_label(d),
                "due_date": d.due_date.isoformat(),
            }
            for d in review.decisions.select_related("owner_authority", "owner_person").order_by("number")
        ],
    }


def canonical_json(snapshot: dict) -> bytes:
    return json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def content_hash(snapshot: dict) -> str:
    return hashlib.sha256(canonical_json(snapshot)).hexdigest()


@transaction.atomic
def send_for_signature(review: Review, user, expected_version: int | None) -> Review:
    review = _locked(review, expected_version)
    _require(rules.send_refusal(user, review))
    before = review_journal(review)
    snapshot = minutes_snapshot(review)
    review.snapshot, review.content_sha256 = snapshot, content_hash(snapshot)
    review.state, review.sent_at, review.sent_by = ReviewState.SIGNING, timezone.now(), user
    review.bump_version("snapshot", "content_sha256", "state", "sent_at", "sent_by")
    _audit(
        user,
        review.contract,
        review,
        "relevé envoyé pour signature",
        before,
        {**review_journal(review), "empreinte SHA-256 du relevé": review.content_sha256},
    )
    return review


REQUIRED_SIDES = (PartySide.MANAGING_BODY, PartySide.AUTHORITY)


@transaction.atomic
def sign(review: Review, user, data: dict, expected_version: int | None, today: date | None = None):
    """``data``: signatory_name, signatory_title, signed_on (today by default). Both sides signed: sealed."""
    today = today or timezone.localdate()
    review = _locked(review, expected_version)
    _require(rules.sign_refusal(user, review))
    reasons = []
    name, title = (data.get("signatory_name") or "").strip(), (data.get("signatory_title") or "").strip()
    if not name:
        reasons.append("Nom du signataire : indiquez qui signe.")
    if not title:
        reasons.append("Qualité du signataire : indiquez à quel titre il signe.")
    signed_on = data.get("signed_on") or today
    if signed_on > today:
        reasons.append("Date de signature : elle ne peut pas être dans le futur.")
    elif signed_on < review.sent_at.date():
        reasons.append("Date de signature : elle suit l'envoi du relevé pour signature.")
    typed = (data.get("signed_hash") or "").strip().lower()
    if typed and typed != review.content_sha256:
        reasons.append("Empreinte : l'empreinte ne correspond pas au relevé envoyé.")
    if reasons:
        raise ReviewRefused(reasons)
    side = rules.side_of(user, review.contract)
    membership = membership_of(user)
    signature = MinutesSignature.objects.create(
        review=review,
        side=side,
        authority_id=membership.authority_id if side == PartySide.AUTHORITY else None,
        user=user,
        organisation_label=membership.organisation_label,
        signatory_name=name,
        signatory_title=title,
        signed_on=signed_on,
        signed_hash=review.content_sha256,
        recorded_at=timezone.now(),
    )
    _audit(
        user,
        review.contract,
        review,
        f"relevé signé par {membership.organisation_label}",
        None,
        {"signataire": name, "qualité": title, "le": signed_on.isoformat(), "empreinte": review.content_sha256},
    )
    if set(review.signatures.values_list("side", flat=True)) >= set(REQUIRED_SIDES):
        before = review_journal(review)
        review.state, review.sealed_at = ReviewState.SEALED, timezone.now()
        review.bump_version("state", "sealed_at")
        _audit(user, review.contract, review, "relevé scellé", before, review_journal(review))
    return signature


@transaction.atomic
def set_status(decision: Decision, user, status: str, comment: str, expected_version: int | None) -> Decision:
    decision = _locked_decision(decision, expected_version)
    _require(rules.status_refusal(user, decision))
    if status not in DecisionStatus.values:
        raise ReviewRefused("État : choisissez à faire, réalisée ou abandonnée.")
    comment = (comment or "").strip()
    if status == DecisionStatus.DROPPED and not comment:
        raise ReviewRefused("Commentaire : dites pourquoi la décision est abandonnée.")
    if status == decision.status and comment == decision.status_comment:
        raise ReviewRefused("État : la décision est déjà dans cet état.")
    before = decision_journal(decision)
    decision.status, decision.status_comment = status, comment
    decision.version += 1
    decision.save(update_fields=["status", "status_comment", "version"])
    what = f"Décision n° {decision.number} : {decision.get_status_display().lower()}"
    record(user, decision, what, before, decision_journal(decision))
    record(user, decision.review.contract, what, before, decision_journal(decision))
    return decision


@transaction.atomic
def open_amendment(decision: Decision, user, expected_version: int | None):
    """The decision « prepare an amendment » opens the amendment draft, linked to it."""
    decision = _locked_decision(decision, expected_version)
    _require(rules.amendment_refusal(user, decision))
    review = decision.review
    summary = f"{decision.text} (décision n° {decision.number} du relevé du {french_date(review.day)})"
    amendment = create_amendment(review.contract, user, {"trigger": Trigger.MANAGEMENT_REVIEW, "summary": summary})
    before = decision_journal(decision)
    decision.amendment = amendment
    decision.version += 1
    decision.save(update_fields=["amendment", "version"])
    record(user, decision, f"Décision n° {decision.number} : avenant n° {amendment.number} ouvert", before, None)
    return amendment


# ------------------------------------------------------------------------------------------ the agenda


@dataclass(frozen=True)
class OffTrack:
    objective: str
    indicator: str
    why: str


@dataclass
class Agenda:
    themes: list[str] = field(default_factory=list)
    framing_year: int | None = None
    alerts: list[Alert] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    off_track: list[OffTrack] = field(default_factory=list)
    previous_decisions: list[Decision] = field(default_factory=list)
    campaign: Campaign | None = None


def campaign_of(review: Review) -> Campaign | None:
    """The follow-up campaign the review examines: the one of its year, else the latest opened before it."""
    campaigns = review.contract.campaigns.exclude(status=CampaignStatus.PLANNED)
    return (
        campaigns.filter(year=review.day.year).first()
        or campaigns.filter(year__lt=review.day.year).order_by("-year").first()
    )


def off_track(campaign: Campaign | None) -> list[OffTrack]:
    if campaign is None:
        return []
    found = []
    for row in grid_for(campaign).operational:
        for line in row.lines:
            if line.assessment.track == levels.OFF_TRACK:
                why = levels.TRACK_LABELS[levels.OFF_TRACK]
            elif line.level == levels.NOT_REALISED:
                why = levels.LEVEL_LABELS[levels.NOT_REALISED]
            else:
                continue
            found.append(
                OffTrack(
                    f"{row.objective.number} – {row.objective.title}",
                    f"{line.indicator.label} ({line.category_label})",
                    why,
                )
            )
    return found


def previous_open_decisions(review: Review) -> list[Decision]:
    return list(
        Decision.objects.filter(review__contract=review.contract, review__year__lt=review.year, status="open")
        .select_related("review", "owner_authority", "owner_person", "review__contract__managing_body")
        .order_by("review__year", "number")
    )


def agenda(review: Review) -> Agenda:
    contract = review.contract
    campaign = campaign_of(review)
    note = None
    if campaign is not None and campaign.framing_note_id:
        note = campaign.framing_note
    if note is None and contract.lead_authority_id:
        note = FramingNote.objects.filter(authority_id=contract.lead_authority_id, year=review.day.year).first()
    return Agenda(
        themes=note.theme_list if note else [],
        framing_year=note.year if note else None,
        alerts=list(Alert.objects.open().filter(contract=contract).select_related("establishment")),
        questions=list(review.questions.select_related("asked_by")),
        off_track=off_track(campaign),
        previous_decisions=previous_open_decisions(review),
        campaign=campaign,
    )


def reviews_of(contract: Contract):
    return contract.reviews.order_by("year")
