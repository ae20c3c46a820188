"""What blocks signature: each rule says, in French, what is missing and where to fix it: the diagnostic's synthesis
the contract's Titre 1 prints, then the objectives.

The same list is shown on the objectives page, printed by ``cpom contrats verification``
and checked by the lifecycle before a contract may be declared ready for signature (registered as a guard of
cpom.contracts.guards when the app is ready).
"""

from django.urls import reverse

from cpom.contracts.guards import Blocker
from cpom.contracts.models import Contract
from cpom.diagnostic.models import Diagnostic

from . import negotiation
from .models import DUE_YEAR_LABELS, Funding, Level, Objective, ObjectiveLimits, Status
from .values import is_unspecified

DEFAULT_LIMITS = ObjectiveLimits(max_strategic=5, max_operational=15)


def limits_for(contract: Contract) -> ObjectiveLimits:
    return ObjectiveLimits.objects.filter(authority_id=contract.lead_authority_id).first() or DEFAULT_LIMITS


def _name(objective: Objective) -> str:
    return f"Objectif {objective.number} « {objective.title} »"


def _objective_url(objective: Objective, anchor: str = "") -> str:
    return objective.get_absolute_url() + (f"#{anchor}" if anchor else "")


def _count_rules(contract: Contract, objectives: list[Objective]) -> list[Blocker]:
    limits = limits_for(contract)
    listing = reverse("objectives:list", kwargs={"contract_id": contract.pk})
    strategic = [o for o in objectives if o.level == Level.STRATEGIC]
    operational = [o for o in objectives if o.level == Level.OPERATIONAL and o.funding == Funding.FUNDED]
    blockers = []
    if not operational:
        blockers.append(Blocker("no_objective", "Le contrat ne comporte aucun objectif opérationnel financé.", listing))
    if len(strategic) > limits.max_strategic:
        blockers.append(
            Blocker(
                "too_many_strategic",
                f"{len(strategic)} objectifs stratégiques : l'autorité cheffe de file en accepte {limits.max_strategic} au plus.",
                listing,
            )
        )
    if len(operational) > limits.max_operational:
        blockers.append(
            Blocker(
                "too_many_operational",
                f"{len(operational)} objectifs opérationnels financés : l'autorité cheffe de file en accepte "
                f"{limits.max_operational} au plus.",
                listing,
            )
        )
    return blockers


def _agreement_rule(objective: Objective) -> list[Blocker]:
    if objective.status in (Status.AGREED, Status.INTENTION):
        # Settled before a party joined the contract: its word is still awaited on the settled version.
        missing = [party.label for party, agreement in negotiation.agreement_state(objective) if agreement is None]
        if not missing:
            return []
        return [
            Blocker(
                "not_agreed",
                f"{_name(objective)} : accepté avant l'arrivée de {', '.join(missing)}, dont l'accord manque.",
                _objective_url(objective, "negociation"),
            )
        ]
    return [
        Blocker(
            "not_agreed",
            f"{_name(objective)} : pas encore accepté par toutes les parties (statut « {objective.get_status_display()} »).",
            _objective_url(objective, "negociation"),
        )
    ]


def _answers_rule(objective: Objective) -> list[Blocker]:
    if objective.findings.exists() or objective.priorities.exists():
        return []
    return [
        Blocker(
            "answers_nothing",
            f"{_name(objective)} : ne répond à aucun constat du diagnostic ni à aucune priorité territoriale.",
            _objective_url(objective, "objectif"),
        )
    ]


def _sheet_rules(objective: Objective) -> list[Blocker]:
    blockers = []
    sheet = getattr(objective, "sheet", None)
    if sheet is None or not sheet.pilot.strip():
        blockers.append(
            Blocker(
                "sheet_no_pilot",
                f"{_name(objective)} : la fiche n'indique pas le pilote.",
                _objective_url(objective, "fiche"),
            )
        )
    if objective.due_year is None:
        blockers.append(
            Blocker(
                "no_due_year",
                f"{_name(objective)} : l'échéance (N à N+4) n'est pas fixée.",
                _objective_url(objective, "objectif"),
            )
        )
    milestones = list(objective.milestones.all())
    if not milestones:
        blockers.append(
            Blocker(
                "sheet_no_calendar",
                f"{_name(objective)} : la fiche n'a pas de calendrier de mise en œuvre.",
                _objective_url(objective, "calendrier"),
            )
        )
    for milestone in milestones:
        if milestone.due_date is None:
            blockers.append(
                Blocker(
                    "milestone_without_date",
                    f"{_name(objective)} : l'étape « {milestone.label} » n'a pas de date.",
                    _objective_url(objective, "calendrier"),
                )
            )
    return blockers


def _indicator_rules(objective: Objective) -> list[Blocker]:
    indicators = list(objective.indicators.all())
    url = _objective_url(objective, "indicateurs")
    if not indicators:
        return [Blocker("no_indicator", f"{_name(objective)} : aucun indicateur de suivi.", url)]
    blockers = []
    for indicator in indicators:
        where = f"{_name(objective)}, indicateur « {indicator.label} »"
        if indicator.catalogue_indicator_id is None:
            missing = [
                label
                for label, value in (
                    ("la méthode de calcul", indicator.method),
                    ("la source des données", indicator.data_source),
                )
                if not value.strip()
            ]
            if indicator.is_numeric and not indicator.unit.strip():
                missing.append("l'unité")
            if missing:
                blockers.append(Blocker("indicator_method", f"{where} : précisez {', '.join(missing)}.", url))
        if is_unspecified(indicator.baseline_value) or indicator.baseline_date is None:
            blockers.append(
                Blocker("indicator_baseline", f"{where} : la situation actuelle (valeur et date) manque.", url)
            )
        blockers.extend(_target_rules(objective, indicator, where, url))
    return blockers


def _target_rules(objective: Objective, indicator, where: str, url: str) -> list[Blocker]:
    targets = {t.due_year: t.value for t in indicator.targets.all()}
    blockers = []
    if objective.due_year is not None and objective.due_year not in targets:
        blockers.append(
            Blocker(
                "indicator_target",
                f"{where} : pas de cible pour l'échéance {DUE_YEAR_LABELS[objective.due_year]}.",
                url,
            )
        )
    for due_year, value in sorted(targets.items()):
        if is_unspecified(value):
            shown = f"« {value} »" if value.strip() else "vide"
            blockers.append(
                Blocker(
                    "target_unspecified",
                    f"{where} : la cible {DUE_YEAR_LABELS[due_year]} est {shown}, elle doit être chiffrée ou datée.",
                    url,
                )
            )
    return blockers


def _synthesis_rules(contract: Contract) -> list[Blocker]:
    """The contract's Titre 1 ends on the diagnostic's salient issues and its synthesis (the parties' perspectives
    per axis, beside the strengths and weaknesses the findings give): both must be written."""
    diagnostic = Diagnostic.objects.filter(contract=contract).prefetch_related("perspectives").first()
    url = reverse("diagnostic:synthesis", kwargs={"contract_id": contract.pk})
    blockers = []
    if diagnostic is None or not diagnostic.salient_issues.strip():
        blockers.append(
            Blocker(
                "no_salient_issues", "Diagnostic partagé : les problématiques saillantes ne sont pas rédigées.", url
            )
        )
    if diagnostic is None or not any(p.text.strip() for p in diagnostic.perspectives.all()):
        blockers.append(
            Blocker(
                "no_synthesis",
                "Diagnostic partagé : la synthèse n'est pas rédigée (perspectives d'aucun axe).",
                url,
            )
        )
    return blockers


def number_order(objective: Objective) -> list[tuple[int, int | str]]:
    """« 1.10 » comes after « 1.9 »."""
    return [(0, int(p)) if p.isdigit() else (1, p) for p in objective.number.split(".")]


def blockers(contract: Contract) -> list[Blocker]:
    """Everything that keeps the contract from signature, objective by objective; empty when it may go."""
    objectives = list(
        contract.objectives.exclude(status=Status.REJECTED)
        .select_related("sheet", "parent")
        .prefetch_related(
            "indicators__targets",
            "milestones",
            "findings",
            "priorities",
            "agreements",
            "establishments__funders",
            "children__establishments__funders",
        )
        .order_by("number")
    )
    result = _synthesis_rules(contract) + _count_rules(contract, objectives)
    with negotiation.reading(contract):
        for objective in sorted(objectives, key=number_order):
            if objective.level == Level.ACTION:
                continue
            result += _agreement_rule(objective)
            if objective.level == Level.OPERATIONAL:
                result += _answers_rule(objective)
                if objective.funding == Funding.FUNDED:
                    result += _sheet_rules(objective) + _indicator_rules(objective)
    return result
