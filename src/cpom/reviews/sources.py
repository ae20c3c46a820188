"""What the reviews give the deadlines (cpom.deadline_sources) and the contract's history (cpom.history_sources).

Deadlines, in bulk (one query per kind for all the contracts asked, one reverse() for all):

- « review »: a review planned, to prepare (every party); held, its relevé to draft and send (the authority);
- « minutes_signature »: a relevé sent for signature, to sign within ``signature_days`` (the sides that have not);
- « decision »: each open decision by its due date, for the side that owns it, and for its person when one is named.

History: a review planned, held, its relevé sent, signed by each side and sealed; each decision inscribed and each
change of its status (from the audit journal), with the person and their organisation then.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.urls import reverse

from cpom.audit.models import AuditEntry
from cpom.deadline_sources import Due, Kind
from cpom.history_sources import Event
from cpom.history_sources import Kind as EventKind

from .models import Decision, MinutesSignature, PartySide, Review, ReviewState

DEADLINE_KINDS = (
    Kind("review", "Dialogue de gestion à préparer", 30),
    Kind("minutes_signature", "Relevé de décisions à signer", 7),
    Kind("decision", "Décision d'un dialogue de gestion à mettre en œuvre", 14),
)
HISTORY_KINDS = (EventKind("review", "Dialogues de gestion"), EventKind("decision", "Décisions des dialogues"))
PLACEHOLDER = 999999999


def _review_url():
    template = reverse("reviews:detail", kwargs={"contract_id": PLACEHOLDER, "review_id": PLACEHOLDER + 1})
    return lambda contract_id, review_id: template.replace(str(PLACEHOLDER + 1), str(review_id)).replace(
        str(PLACEHOLDER), str(contract_id)
    )


def _rule(contract, name: str) -> int:
    """A rule of ``CPOM_REVIEWS``, the lead authority's own first (the contracts' parties are prefetched)."""
    lead = next((p.authority for p in contract.parties.all() if p.is_lead), None)
    if lead is not None:
        own = settings.CPOM_REVIEWS_BY_AUTHORITY.get(f"{lead.kind}-{lead.territory}", {})
        if name in own:
            return own[name]
    return settings.CPOM_REVIEWS[name]


def deadlines(contracts) -> list[Due]:
    contracts = list(contracts)
    # The lead's own rules are read per contract: their parties once for all (nothing when already prefetched).
    prefetch_related_objects(contracts, "parties__authority")
    by_id = {c.pk: c for c in contracts}
    url = _review_url()
    items = []
    reviews = Review.objects.filter(
        contract_id__in=by_id, state__in=[ReviewState.PLANNED, ReviewState.HELD, ReviewState.SIGNING]
    )
    signing = [r.pk for r in reviews if r.state == ReviewState.SIGNING]
    signed = {}
    for review_id, side in MinutesSignature.objects.filter(review_id__in=signing).values_list("review_id", "side"):
        signed.setdefault(review_id, set()).add(side)
    for review in reviews:
        reference = by_id[review.contract_id].reference
        if review.state == ReviewState.PLANNED:
            items.append(
                Due(
                    contract_id=review.contract_id,
                    day=review.day,
                    kind="review",
                    label=f"{reference} — {review.title} : le {review.day:%d/%m/%Y}, {review.place}",
                    url=url(review.contract_id, review.pk),
                    key=f"review:{review.pk}:{review.day.isoformat()}",
                )
            )
            continue
        if review.state == ReviewState.HELD:
            day = review.day + timedelta(days=_rule(by_id[review.contract_id], "minutes_days"))
            items.append(
                Due(
                    contract_id=review.contract_id,
                    day=day,
                    kind="review",
                    label=f"{reference} — Relevé de décisions du dialogue de l'année {review.year} à rédiger et envoyer",
                    url=url(review.contract_id, review.pk),
                    key=f"minutes_draft:{review.pk}:{day.isoformat()}",
                    side=PartySide.AUTHORITY,
                )
            )
            continue
        missing = {PartySide.MANAGING_BODY, PartySide.AUTHORITY} - signed.get(review.pk, set())
        day = review.sent_at.date() + timedelta(days=_rule(by_id[review.contract_id], "signature_days"))
        items.append(
            Due(
                contract_id=review.contract_id,
                day=day,
                kind="minutes_signature",
                label=f"{reference} — Relevé de décisions du dialogue de l'année {review.year} à signer",
                url=url(review.contract_id, review.pk),
                key=f"minutes_signature:{review.pk}:{day.isoformat()}",
                side=next(iter(missing)) if len(missing) == 1 else "",
            )
        )
    decisions = Decision.objects.filter(review__contract_id__in=by_id, status="open").values_list(
        "pk",
        "review_id",
        "review__contract_id",
        "review__year",
        "number",
        "text",
        "due_date",
        "owner_side",
        "owner_person_id",
    )
    for pk, review_id, contract_id, year, number, text, due, side, person in decisions:
        items.append(
            Due(
                contract_id=contract_id,
                day=due,
                kind="decision",
                label=(f"{by_id[contract_id].reference} — Décision n° {number} du dialogue de l'année {year} : {text}"),
                url=url(contract_id, review_id) + f"#decision-{pk}",
                key=f"decision:{pk}:{due.isoformat()}",
                side=side,
                person_id=person,
            )
        )
    return items


def _person(user) -> str:
    return user.get_full_name() or user.username if user is not None else ""


def history(contract) -> list[Event]:
    url = _review_url()
    events = []
    reviews = list(contract.reviews.select_related("created_by", "held_by", "sent_by"))
    for review in reviews:
        link = url(contract.pk, review.pk)
        events.append(
            Event(
                review.created_at,
                "review",
                f"{review.title} planifié le {review.day:%d/%m/%Y}",
                _person(review.created_by),
                review.organisation_label,
                link,
                review.place,
            )
        )
        if review.held_at:
            events.append(Event(review.held_at, "review", f"{review.title} tenu", _person(review.held_by), "", link))
        if review.sent_at:
            events.append(
                Event(
                    review.sent_at,
                    "review",
                    f"Relevé de décisions du dialogue de l'année {review.year} envoyé pour signature",
                    _person(review.sent_by),
                    "",
                    link,
                    f"empreinte {review.content_sha256}",
                )
            )
        for signature in review.signatures.all():
            events.append(
                Event(
                    signature.recorded_at,
                    "review",
                    f"Relevé de décisions du dialogue de l'année {review.year} signé par {signature.organisation_label}",
                    f"{signature.signatory_name}, {signature.signatory_title}",
                    signature.organisation_label,
                    link,
                )
            )
        if review.sealed_at:
            events.append(
                Event(
                    review.sealed_at,
                    "review",
                    f"Relevé de décisions du dialogue de l'année {review.year} scellé",
                    url=link,
                )
            )
    decisions = {str(d.pk): d for d in Decision.objects.filter(review__contract=contract).select_related("review")}
    entries = AuditEntry.objects.filter(object_type="reviews.decision", object_id__in=list(decisions)).select_related(
        "user"
    )
    for entry in entries.order_by("at", "pk"):
        decision = decisions[entry.object_id]
        events.append(
            Event(
                entry.at,
                "decision",
                f"{entry.action} (dialogue de l'année {decision.review.year})",
                _person(entry.user),
                entry.organisation_label,
                url(contract.pk, decision.review_id) + f"#decision-{decision.pk}",
                decision.text,
            )
        )
    return events
