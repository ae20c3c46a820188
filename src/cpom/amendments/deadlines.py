"""The deadlines of a signed contract's amendments and of its termination, for :mod:`cpom.deadline_sources`.

From the model contract (seed 000 L715-718, seed-contract-followup §3.2 and §7.5), the months and days being settings
(``CPOM_AMENDMENT_PROCEDURE``):

- a registered letter presented, the parties meet within two months of its first presentation;
- the meeting set, the managing body sends its note at least eight days before it, and the meeting itself is due;
- a capacity extension's amendment is signed at the latest six months before the extension is implemented;
- a termination recorded, its notice ends on the day the contract ends (``Termination.ends_on``).

An applied amendment and a terminated contract call for nothing more. Two queries for any number of contracts; each
address is reversed once.
"""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse

from cpom.contracts.deadlines import add_months
from cpom.contracts.models import State
from cpom.deadline_sources import Due, Kind

from .models import Amendment, AmendmentStatus, Termination, Trigger

PROCEDURE = Kind("amendment_procedure", "Procédure d'un avenant (réunion des parties, note, signature)", 15)
NOTICE = Kind("termination_notice", "Fin du préavis d'une dénonciation", 30)
KINDS = (PROCEDURE, NOTICE)
# A contract over calls for nothing more.
OVER = frozenset({State.CLOSED, State.TERMINATED})
_ID, _NUMBER = 999999999, 888888888


def _amendment_url():
    template = reverse("amendments:detail", kwargs={"contract_id": _ID, "number": _NUMBER})
    return lambda contract_id, number: template.replace(str(_ID), str(contract_id)).replace(str(_NUMBER), str(number))


def _termination_url():
    template = reverse("amendments:termination", kwargs={"contract_id": _ID})
    return lambda contract_id: template.replace(str(_ID), str(contract_id))


def amendment_deadlines(amendment: Amendment, rule: dict) -> list[tuple]:
    """``(day, what is due, side)`` of one amendment not applied yet."""
    name = f"avenant n° {amendment.number}"
    items = []
    if amendment.letter_presented_on and not amendment.meeting_on:
        items.append(
            (
                add_months(amendment.letter_presented_on, rule["meeting_within_months"]),
                f"Réunion des parties sur l'{name} à tenir au plus tard ({rule['meeting_within_months']} mois après "
                f"la présentation de la lettre recommandée)",
                "",
            )
        )
    if amendment.meeting_on:
        items.append((amendment.meeting_on, f"Réunion des parties sur l'{name}", ""))
        if not amendment.note_sent_on:
            items.append(
                (
                    amendment.meeting_on - timedelta(days=rule["note_days_before"]),
                    f"Note de l'organisme gestionnaire sur l'{name} à transmettre "
                    f"({rule['note_days_before']} jours au moins avant la réunion)",
                    "managing_body",
                )
            )
    if amendment.trigger == Trigger.CAPACITY_EXTENSION and amendment.effective_date:
        months = rule["capacity_extension_months"]
        items.append(
            (
                add_months(amendment.effective_date, -months),
                f"Signature de l'{name} (extension de capacité) au plus tard ({months} mois avant sa mise en œuvre)",
                "",
            )
        )
    return items


def source(contracts) -> list[Due]:
    by_id = {contract.pk: contract for contract in contracts}
    rule = settings.CPOM_AMENDMENT_PROCEDURE
    amendment_url, termination_url = _amendment_url(), _termination_url()
    items = []
    pending = Amendment.objects.filter(contract_id__in=by_id).exclude(status=AmendmentStatus.APPLIED)
    for amendment in pending.order_by("contract_id", "number"):
        contract = by_id[amendment.contract_id]
        if contract.state in OVER:
            continue
        for day, label, side in amendment_deadlines(amendment, rule):
            items.append(
                Due(
                    contract_id=contract.pk,
                    day=day,
                    kind=PROCEDURE.code,
                    label=f"{contract.reference} — {label}",
                    url=amendment_url(contract.pk, amendment.number),
                    key=f"amendment:{amendment.pk}:{day.isoformat()}:{side or 'all'}",
                    side=side,
                )
            )
    for termination in Termination.objects.filter(contract_id__in=by_id):
        contract = by_id[termination.contract_id]
        if contract.state in OVER:
            continue
        items.append(
            Due(
                contract_id=contract.pk,
                day=termination.ends_on,
                kind=NOTICE.code,
                label=(
                    f"{contract.reference} — Fin du préavis de la dénonciation ({termination.get_ground_display()}) : "
                    "le contrat prend fin"
                ),
                url=termination_url(contract.pk),
                key=f"termination:{contract.pk}:{termination.ends_on.isoformat()}",
            )
        )
    return items
