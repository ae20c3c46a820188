"""What the launch kit tells the other stages: the deadlines of the backward schedule (cpom.deadline_sources) and the
events of its history (cpom.history_sources).

The deadline source reads a thousand contracts at once: the kits, their steps done, their RACI's « A », the
contracts' parties, transitions, consultations and signatures are read in one query each, and the kit's address is
reversed once.
"""

from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils import timezone

from cpom.contracts.models import SIGNED_STATES
from cpom.deadline_sources import Due, Kind
from cpom.history_sources import Event
from cpom.history_sources import Kind as EventKind

from . import schedule, services
from .models import MANAGING_BODY_KEY, LaunchKit

KINDS = (Kind("schedule_step", "Étapes du rétroplanning de lancement d'un contrat", 7),)
EVENT_KINDS = (EventKind("launch", "Lancement (kit, étapes, check-list, lettres)"),)


def kit_url():
    """``contract pk -> the kit's address``, reversing once (the placeholder is a number the route accepts)."""
    template = reverse("launch:home", kwargs={"contract_id": 999999999})
    return lambda pk: template.replace("999999999", str(pk))


def _side(member) -> str:
    return "managing_body" if member.party_key == MANAGING_BODY_KEY else "authority"


def deadlines(contracts) -> list[Due]:
    """Each planned step not done yet of the contracts' kits, due at its planned end; told to the side of the person
    « A » of the step in the RACI (that person alone when they are a user of cpom)."""
    candidates = [c for c in contracts if c.state not in SIGNED_STATES and c.target_signature_date]
    if not candidates:
        return []
    kits = list(LaunchKit.objects.filter(contract__in=candidates).select_related("contract"))
    if not kits:
        return []
    by_contract = {c.pk: c for c in candidates}
    for kit in kits:
        kit.contract = by_contract[kit.contract_id]
    prefetch_related_objects(kits, "steps__recorded_by", "raci", "members")
    prefetch_related_objects(
        [kit.contract for kit in kits],
        "parties__authority",
        "transitions",
        "consultations",
        "versions__signatures",
    )
    url = kit_url()
    today = timezone.localdate()
    items = []
    for kit in kits:
        contract = kit.contract
        plan = schedule.plan(contract.target_signature_date, services.steps_of(contract))
        done = services.done_dates(kit, kit.steps.all())
        members = {m.pk: m for m in kit.members.all()}
        answerable = {cell.activity: members[cell.member_id] for cell in kit.raci.all() if cell.role == "A"}
        for progress in schedule.compare(plan, {k: d for k, (d, _) in done.items()}, today):
            if progress.done_on is not None:
                continue
            step, day = progress.planned.step, progress.planned.end
            member = answerable.get(step.code)
            items.append(
                Due(
                    contract_id=contract.pk,
                    day=day,
                    kind="schedule_step",
                    label=f"{contract.reference} — Rétroplanning : {step.title}",
                    url=url(contract.pk),
                    key=f"schedule_step:{contract.pk}:{step.code}:{day.isoformat()}",
                    side=_side(member) if member else "",
                    person_id=member.user_id if member else None,
                )
            )
    return items


def history(contract) -> list[Event]:
    kit = LaunchKit.objects.filter(contract=contract).select_related("created_by").first()
    if kit is None:
        return []
    url = reverse("launch:home", kwargs={"contract_id": contract.pk})
    events = [
        Event(
            kit.created_at,
            "launch",
            "Kit de lancement créé",
            services.person_name(kit.created_by),
            kit.organisation_label,
            url,
        )
    ]
    for step in kit.steps.select_related("recorded_by"):
        events.append(
            Event(
                step.recorded_at,
                "launch",
                f"Étape du rétroplanning réalisée le {step.done_on.strftime('%d/%m/%Y')} : {step.get_step_display()}",
                services.person_name(step.recorded_by),
                step.organisation_label,
                url,
                step.comment,
            )
        )
    for item in kit.checklist.filter(ticked_at__isnull=False).select_related("ticked_by"):
        events.append(
            Event(
                item.ticked_at,
                "launch",
                f"Check-list de lancement cochée : {item.label}",
                services.person_name(item.ticked_by),
                item.ticked_by_organisation,
                url,
                item.comment,
            )
        )
    for letter in kit.letters.select_related("issued_by"):
        events.append(
            Event(
                letter.issued_at,
                "launch",
                f"{letter.get_kind_display()} générée",
                services.person_name(letter.issued_by),
                letter.organisation_label,
                url,
                letter.file_name,
            )
        )
    return events
