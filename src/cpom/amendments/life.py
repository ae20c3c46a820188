"""Prorogation, termination and renewal of a signed contract.

- Prorogation (seed 004 L171, EHPAD only): one year by a light form, a decision recorded with its date and every
  party's agreement, where the legal basis allows it (``prorogation_legal_bases``: L.313-12 IV ter by default); a
  second year only by an amendment (« Prolongation de la durée »). The new end date is written while the contract is
  « amending », each step in its history.
- Termination (seed 000 L227, L705-711; seed 002 L321-323): any party, a ground, the registered letter and its first
  presentation, the notice (``termination_notice_months``, six by default) counted from the presentation; the
  contract stays in force until the notice ends, then moves to « Dénoncé » (:func:`notice_reached`).
- Renewal (seed 000 L227-230, seed 003 L5950): the lead authority programs the successor contract with the same
  managing body, parties and perimeter (to confirm), linked by ``predecessor``; the predecessor's final assessment
  is offered to the successor's diagnostic (:func:`assessment`, :func:`take_up`).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from cpom.access import membership_of
from cpom.audit.services import record
from cpom.contracts import lifecycle
from cpom.contracts import services as contract_services
from cpom.contracts.deadlines import add_months, default_end_date, life_rule
from cpom.contracts.models import Contract, LegalBasis, State
from cpom.contracts.rules import contract_side
from cpom.core.text import the
from cpom.diagnostic import services as diagnostic_services
from cpom.diagnostic.models import Diagnostic, Finding, FindingLevel, Nature, Priority
from cpom.objectives.models import Level, Objective, Status
from cpom.objectives.negotiation import parties

from . import rules
from .models import DEFAULT_BUDGET_REGIME, Prorogation, Termination, TerminationGround
from .services import AmendmentRefused, amending

ONE_YEAR = 12


class LifeRefused(AmendmentRefused):
    """A prorogation, a termination or a renewal refused, with every reason in French."""


def _fmt(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _require(refusal: str | None) -> None:
    if refusal:
        raise LifeRefused(refusal)


# --- Prorogation ----------------------------------------------------------------------------------------------


def prorogation_bases(contract: Contract) -> list[str]:
    return list(life_rule(contract, "prorogation_legal_bases"))


def prorogation_blockers(contract: Contract) -> list[str]:
    """Why this contract cannot be prorogated by the light form (empty when it can)."""
    reasons = []
    if contract.legal_basis not in prorogation_bases(contract):
        allowed = ", ".join(LegalBasis(b).label for b in prorogation_bases(contract)) or "aucun"
        reasons.append(
            f"Le fondement juridique du contrat ({contract.get_legal_basis_display()}) ne prévoit pas de prorogation "
            f"selon un formalisme allégé (fondements qui la prévoient : {allowed})."
        )
    if contract.prorogations.exists():
        reasons.append(
            "Le contrat a déjà été prorogé d'une année : une seconde prorogation ne se fait que par avenant "
            "(motif « Prolongation de la durée »)."
        )
    if hasattr(contract, "termination"):
        reasons.append("Le contrat a été dénoncé : il ne se proroge plus.")
    return reasons


@transaction.atomic
def prorogate(contract: Contract, user, data: dict, today: date | None = None) -> Prorogation:
    """``data``: decided_on, decision (its reference), agreed (the labels of the parties whose agreement is given)."""
    today = today or timezone.localdate()
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    _require(rules.prorogation_refusal(user, contract))
    reasons = prorogation_blockers(contract)
    decided_on, decision = data.get("decided_on"), (data.get("decision") or "").strip()
    if not decided_on:
        reasons.append("Date de la décision : indiquez-la.")
    elif decided_on > today:
        reasons.append("Date de la décision : elle ne peut pas être dans le futur.")
    elif decided_on > contract.end_date:
        reasons.append(
            f"Date de la décision : le contrat a pris fin le {_fmt(contract.end_date)} ; il ne se proroge plus."
        )
    if not decision:
        reasons.append("Décision : indiquez la référence de la décision de prorogation.")
    labels = [p.label for p in parties(contract)]
    missing = [label for label in labels if label not in data.get("agreed", [])]
    if missing:
        reasons.append(f"Accord des parties : l'accord de {', '.join(missing)} n'est pas constaté.")
    if reasons:
        raise LifeRefused(reasons)
    old_end = contract.end_date
    new_end = add_months(old_end + timedelta(days=1), ONE_YEAR) - timedelta(days=1)
    prorogation = Prorogation.objects.create(
        contract=contract,
        number=contract.prorogations.count() + 1,
        decided_on=decided_on,
        decision=decision,
        old_end_date=old_end,
        new_end_date=new_end,
        agreed_by=labels,
        recorded_by=user,
        organisation_label=membership_of(user).organisation_label,
        recorded_at=timezone.now(),
    )
    with amending(contract, user, f"prorogation d'une année, jusqu'au {_fmt(new_end)}"):
        Contract.objects.filter(pk=contract.pk).update(end_date=new_end)
    record(
        user,
        contract,
        "Prorogation du contrat d'une année (formalisme allégé)",
        {"date de fin": old_end.isoformat()},
        {"date de fin": new_end.isoformat(), "décision": decision, "accord des parties": labels},
    )
    return prorogation


# --- Termination ----------------------------------------------------------------------------------------------


def notice_months(contract: Contract) -> int:
    return int(life_rule(contract, "termination_notice_months"))


def notice_end(contract: Contract, presented_on: date) -> date:
    return add_months(presented_on, notice_months(contract))


@transaction.atomic
def terminate(contract: Contract, user, data: dict, today: date | None = None) -> Termination:
    """``data``: ground, explanation, letter_sent_on, letter_presented_on, budget_regime (the default if empty)."""
    today = today or timezone.localdate()
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    _require(rules.termination_refusal(user, contract))
    reasons = []
    if Termination.objects.filter(contract=contract).exists():
        reasons.append("Le contrat a déjà été dénoncé.")
    ground = data.get("ground") or ""
    if ground not in TerminationGround.values:
        reasons.append(
            "Motif : une dénonciation a un motif (non-respect des engagements, modification législative ou "
            "réglementaire, modification de l'enveloppe, non-renouvellement)."
        )
    sent, presented = data.get("letter_sent_on"), data.get("letter_presented_on")
    if not sent:
        reasons.append("Date de la lettre recommandée : indiquez-la.")
    elif sent > today:
        reasons.append("Date de la lettre recommandée : elle ne peut pas être dans le futur.")
    if not presented:
        reasons.append("Date de première présentation de la lettre : indiquez-la (elle fait courir le préavis).")
    elif sent and presented < sent:
        reasons.append(
            f"Date de première présentation de la lettre : elle ne peut pas précéder son envoi ({_fmt(sent)})."
        )
    if reasons:
        raise LifeRefused(reasons)
    side = contract_side(user, contract)
    months = notice_months(contract)
    termination = Termination.objects.create(
        contract=contract,
        initiator=side.label,
        initiator_authority_id=side.authority_id,
        ground=ground,
        explanation=(data.get("explanation") or "").strip(),
        letter_sent_on=sent,
        letter_presented_on=presented,
        notice_months=months,
        ends_on=notice_end(contract, presented),
        budget_regime=(data.get("budget_regime") or "").strip() or DEFAULT_BUDGET_REGIME,
        recorded_by=user,
        organisation_label=side.label,
        recorded_at=timezone.now(),
    )
    record(
        user,
        contract,
        f"Dénonciation du contrat par {the(side.label)}",
        None,
        {
            "motif": termination.get_ground_display(),
            "lettre recommandée": sent.isoformat(),
            "première présentation": presented.isoformat(),
            "préavis (mois)": months,
            "fin du préavis": termination.ends_on.isoformat(),
            "régime budgétaire": termination.budget_regime,
        },
    )
    return termination


def notice_reached(contract: Contract, today: date) -> list[str]:
    """Registered on every step to « Dénoncé »: the contract ends when the notice of its termination does."""
    termination = Termination.objects.filter(contract_id=contract.pk).first()
    if termination is None:
        return [
            "Enregistrez d'abord la dénonciation (motif, lettre recommandée) : le préavis court de sa présentation."
        ]
    if today < termination.ends_on:
        return [f"Le contrat reste en vigueur jusqu'à la fin du préavis, le {_fmt(termination.ends_on)}."]
    return []


# --- Renewal --------------------------------------------------------------------------------------------------


def renewal_start(contract: Contract) -> date:
    return contract.end_date + timedelta(days=1)


@transaction.atomic
def renew(contract: Contract, user, data: dict, today: date | None = None) -> Contract:
    """Programs the successor: ``data`` holds reference, title, duration_years, establishments (confirmed) and
    co_signatories (confirmed); the managing body, the lead and the start (the day after the end) follow."""
    today = today or timezone.localdate()
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    _require(rules.renewal_refusal(user, contract))
    if Contract.objects.filter(predecessor=contract).exists():
        raise LifeRefused(f"Le renouvellement du contrat {contract.reference} est déjà programmé.")
    reasons = []
    if not data.get("reference"):
        reasons.append("Référence : indiquez la référence du nouveau contrat.")
    elif Contract.objects.filter(reference=data["reference"]).exists():
        reasons.append("Référence : un contrat porte déjà cette référence.")
    if not data.get("establishments"):
        reasons.append("Périmètre : confirmez au moins un établissement.")
    if reasons:
        raise LifeRefused(reasons)
    if contract.state == State.IN_FORCE:
        contract.refresh_from_db()
        try:
            lifecycle.transition(
                contract, State.RENEWAL, user, "Renouvellement préparé : nouveau contrat programmé.", today=today
            )
        except lifecycle.TransitionRefused as refused:
            raise LifeRefused(refused.reasons) from None
    start = renewal_start(contract)
    duration = data.get("duration_years") or contract.duration_years
    lead = next(p.authority for p in contract.parties.select_related("authority") if p.is_lead)
    successor = contract_services.program_contract(
        user,
        {
            "reference": data["reference"],
            "title": data.get("title") or contract.title,
            "legal_basis": contract.legal_basis,
            "duration_years": duration,
            "start_date": start,
            "end_date": default_end_date(start, duration),
            "target_signature_date": contract.end_date,
            "managing_body": contract.managing_body,
            "establishments": data["establishments"],
            "lead_authority": lead,
            "co_signatories": data.get("co_signatories", []),
        },
        comment=f"Renouvellement du contrat {contract.reference}.",
    )
    # Programmed, the successor's frame is still open: the link is written like the rest of it.
    Contract.objects.filter(pk=successor.pk).update(predecessor=contract)
    successor.refresh_from_db()
    record(
        user,
        contract,
        f"Renouvellement : nouveau contrat {successor.reference} programmé",
        None,
        {"contrat suivant": successor.reference, "début": start.isoformat()},
    )
    return successor


@dataclass(frozen=True)
class Material:
    """One item of the predecessor's final assessment offered to the successor's diagnostic."""

    key: str  # « objective-12 », « finding-4 »
    kind: str  # what it is, in French
    text: str
    detail: str
    taken_up: bool


NO_REVIEW_YET = (
    "Le bilan de la dernière revue de gestion (dialogue de fin de contrat) n'existe pas encore dans cpom : le suivi "
    "annuel et les revues viendront avec l'étape de suivi. L'atteinte des objectifs n'y est donc pas encore jugée ; "
    "tous les objectifs du contrat précédent sont proposés, à réexaminer."
)


def _objective_finding_text(objective: Objective) -> str:
    prefix = "Objectif non engagé" if objective.status == Status.INTENTION else "Objectif à réexaminer"
    return f"{prefix} du contrat précédent : {objective.title}"[:300]


def _successor_texts(successor: Contract) -> set[str]:
    return set(Finding.objects.filter(diagnostic__contract=successor).values_list("text", flat=True))


def assessment(successor: Contract) -> list[Material]:
    """The predecessor's operational objectives (intentions first) and its findings no objective took up."""
    predecessor = successor.predecessor
    if predecessor is None:
        return []
    taken = _successor_texts(successor)
    items = []
    objectives = Objective.objects.filter(contract=predecessor, level=Level.OPERATIONAL).exclude(status=Status.REJECTED)
    for objective in sorted(objectives, key=lambda o: (o.status != Status.INTENTION, o.number)):
        items.append(
            Material(
                f"objective-{objective.pk}",
                "Fiche d'intention (objectif non financé)" if objective.status == Status.INTENTION else "Objectif",
                f"{objective.number} {objective.title}",
                objective.get_status_display(),
                _objective_finding_text(objective) in taken,
            )
        )
    findings = (
        Finding.objects.filter(diagnostic__contract=predecessor, objectives__isnull=True)
        .select_related("section", "establishment")
        .order_by("section__order", "pk")
    )
    for finding in findings:
        where = finding.establishment.name if finding.establishment else finding.get_level_display()
        items.append(
            Material(
                f"finding-{finding.pk}",
                "Constat non repris en objectif",
                finding.text,
                f"{finding.get_nature_display()} · {where} · {finding.section}",
                finding.text in taken,
            )
        )
    return items


def _section_for(diagnostic: Diagnostic, code: str | None):
    sections = diagnostic.template.sections.order_by("order")
    return (code and sections.filter(code=code).first()) or sections.first()


@transaction.atomic
def take_up(successor: Contract, user, key: str) -> Finding:
    """« Reprendre »: the item becomes a finding of the successor's diagnostic, written by the user's side."""
    _require(rules.take_up_refusal(user, successor))
    predecessor = successor.predecessor
    if predecessor is None:
        raise LifeRefused("Ce contrat ne renouvelle aucun contrat précédent.")
    kind, _, pk = key.partition("-")
    diagnostic = diagnostic_services.diagnostic_for(successor)
    if kind == "objective":
        objective = Objective.objects.filter(contract=predecessor, pk=pk or None).prefetch_related("findings").first()
        if objective is None:
            raise LifeRefused("Cet objectif n'est pas un objectif du contrat précédent.")
        origin = objective.findings.first()
        data = {
            "section": _section_for(diagnostic, origin.section.code if origin else None),
            "text": _objective_finding_text(objective),
            "nature": Nature.PROBLEM,
            "level": FindingLevel.MANAGING_BODY,
            "establishment": None,
            "evidence": f"Contrat {predecessor.reference}, objectif {objective.number} ({objective.get_status_display()}).",
            "causes": "",
            "consequences": "",
            "lever_exists": True,
            "priority": Priority.MEDIUM,
        }
    elif kind == "finding":
        finding = Finding.objects.filter(diagnostic__contract=predecessor, pk=pk or None).first()
        if finding is None:
            raise LifeRefused("Ce constat n'est pas un constat du contrat précédent.")
        in_perimeter = finding.establishment_id and successor.establishments.filter(pk=finding.establishment_id)
        level = (
            finding.level if finding.level != FindingLevel.ESTABLISHMENT or in_perimeter else FindingLevel.MANAGING_BODY
        )
        data = {
            "section": _section_for(diagnostic, finding.section.code),
            "text": finding.text,
            "nature": finding.nature,
            "level": level,
            "establishment": finding.establishment if level == FindingLevel.ESTABLISHMENT else None,
            "evidence": f"Constat du diagnostic du contrat {predecessor.reference}. {finding.evidence}".strip(),
            "causes": finding.causes,
            "consequences": finding.consequences,
            "lever_exists": finding.lever_exists,
            "priority": finding.priority,
        }
    else:
        raise LifeRefused("Élément inconnu du bilan du contrat précédent.")
    if data["text"] in _successor_texts(successor):
        raise LifeRefused("Cet élément est déjà repris dans le diagnostic du nouveau contrat.")
    try:
        return diagnostic_services.save_finding(diagnostic, user, data)
    except diagnostic_services.DiagnosticRefused as refused:
        raise LifeRefused(str(refused)) from None
