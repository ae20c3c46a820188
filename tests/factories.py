"""Factories for the main objects of the tests: each makes one valid object, with what the rules ask of it.

Plain functions rather than factory_boy: the objects are few, and the ones whose rules matter are made through the
services (the lifecycle, the objectives) by the helpers of ``support`` and ``conftest``.
"""

import unicodedata
from itertools import count

from django.contrib.auth import get_user_model

from cpom.access import Role
from cpom.accounts.models import Membership
from cpom.registry.categories import Audience, Sector
from cpom.registry.identifiers import finess_with_key, luhn_check_digit

__all__ = ["finess_with_key"]
from cpom.registry.models import Authority, AuthorityKind, Contact, Establishment, LegalStatus, ManagingBody

_numbers = count(1)


def _next() -> int:
    return next(_numbers)


def siren() -> str:
    """A SIREN nobody else holds in the test database, with its check digit."""
    first_eight = f"9{_next():07d}"
    return first_eight + luhn_check_digit(first_eight)


def finess(department: str = "44") -> str:
    """A valid FINESS of the department, with its check digit."""
    return finess_with_key(f"{department}{_next():06d}")


def managing_body(name: str | None = None, **fields) -> ManagingBody:
    number = _next()
    return ManagingBody.objects.create(
        name=name or f"Association de test {number}",
        legal_status=fields.pop("legal_status", LegalStatus.ASSOCIATION),
        siren=fields.pop("siren", None) or siren(),
        **fields,
    )


def authority(kind: str = AuthorityKind.CD, territory: str = "44", name: str | None = None) -> Authority:
    return Authority.objects.create(kind=kind, territory=territory, name=name or f"Autorité de test {_next()}")


def establishment(managing_body: ManagingBody, funders=(), department: str = "44", **fields) -> Establishment:
    places = fields.pop("authorised_places", 40)
    created = Establishment.objects.create(
        finess=fields.pop("finess", None) or finess(department),
        name=fields.pop("name", None) or f"Foyer de test {_next()}",
        category=fields.pop("category", "FAM"),
        sector=fields.pop("sector", Sector.PH),
        audience=fields.pop("audience", Audience.ADULTS),
        authorised_places=places,
        installed_places=fields.pop("installed_places", places),
        opening_days=fields.pop("opening_days", 365),
        department=department,
        managing_body=managing_body,
        **fields,
    )
    created.funders.set(funders)
    return created


PASSWORD = "mot-de-passe-de-test"


def member(organisation, role: str = Role.CONTRIBUTE, username: str | None = None, **names):
    """A user of ``organisation`` (a managing body or an authority) with ``role``."""
    username = username or f"personne{_next()}"
    email = _email(names.get("first_name"), names.get("last_name")) or f"{username}@example.invalid"
    user = get_user_model().objects.create_user(username, email, PASSWORD, **names)
    side = {"managing_body": organisation} if isinstance(organisation, ManagingBody) else {"authority": organisation}
    Membership.objects.create(user=user, role=role, **side)
    return user


def _email(first: str | None, last: str | None) -> str | None:
    """« paul.lefevre@exemple.fr », as the accounts of the people the tests name."""
    if not (first and last):
        return None
    plain = unicodedata.normalize("NFKD", f"{first}.{last}".lower()).encode("ascii", "ignore").decode()
    return f"{plain}@exemple.fr"


def contact(organisation, first: str, last: str, role: str, start, end=None) -> Contact:
    """A person who holds (or held, until ``end``) ``role`` in ``organisation``."""
    side = {"managing_body": organisation} if isinstance(organisation, ManagingBody) else {"authority": organisation}
    return Contact.objects.create(
        first_name=first, last_name=last, role=role, start_date=start, end_date=end, email=_email(first, last), **side
    )


def platform_administrator(username: str = "admin"):
    """The platform's own team: staff, superuser, and a platform membership."""
    user = get_user_model().objects.create_superuser(username, f"{username}@example.invalid", PASSWORD)
    Membership.objects.create(user=user, is_platform=True, role=Role.ADMINISTER)
    return user


def contract(lead_user, managing_body: ManagingBody, lead_authority: Authority, co_signatories=(), **frame):
    """A contract with its parties, as the lead authority's ``lead_user`` programs it: the whole perimeter of
    ``managing_body`` unless ``establishments`` says otherwise, a five-year frame unless ``frame`` says otherwise."""
    from datetime import date

    from cpom.contracts.services import program_contract

    start = frame.pop("start_date", date(2027, 1, 1))
    duration = frame.pop("duration_years", 5)
    data = {
        "reference": frame.pop("reference", None) or f"CPOM-TEST-{_next():04d}",
        "title": frame.pop("title", None) or f"CPOM de {managing_body.name}",
        "legal_basis": frame.pop("legal_basis", "L313-12-2"),
        "duration_years": duration,
        "start_date": start,
        "end_date": frame.pop("end_date", date(start.year + duration - 1, 12, 31)),
        "target_signature_date": frame.pop("target_signature_date", None),
        "establishments": frame.pop("establishments", None) or list(managing_body.establishments.order_by("finess")),
        "managing_body": managing_body,
        "lead_authority": lead_authority,
        "co_signatories": list(co_signatories),
    }
    return program_contract(lead_user, {**data, **frame})


def finding(contract, text: str = "Absentéisme élevé des équipes", section_code: str = "1.3.4", **fields):
    """A finding of the contract's shared diagnostic, in the section ``section_code`` of its frame."""
    from cpom.diagnostic.models import Finding
    from cpom.diagnostic.services import diagnostic_for

    diagnostic = diagnostic_for(contract)
    return Finding.objects.create(
        diagnostic=diagnostic,
        section=diagnostic.template.sections.get(code=section_code),
        text=text,
        nature=fields.pop("nature", "difficulty"),
        level=fields.pop("level", "managing_body"),
        organisation_label=fields.pop("organisation_label", str(contract.managing_body)),
        **fields,
    )


def complete_operational_objective(contract, users, number_suffix="", agree=True):
    """A strategic objective and an operational one that pass every readiness rule, agreed by every party."""
    from datetime import date

    from cpom.objectives import negotiation, services
    from cpom.objectives.models import Level

    proposer = users["asso"] if contract.managing_body.members.filter(user=users["asso"]).exists() else users["ehpad"]
    finding_ = finding(contract)
    strategic = services.propose(
        contract, proposer, {"level": Level.STRATEGIC, "title": f"Qualité de vie au travail{number_suffix}"}
    )
    operational = services.propose(
        contract,
        proposer,
        {
            "level": Level.OPERATIONAL,
            "parent": strategic,
            "title": f"Réduire l'absentéisme{number_suffix}",
            "due_year": 2,
            "findings": [finding_],
            "establishments": list(contract.establishments.all()[:1]),
        },
        sheet={
            "pilot": "Directrice des ressources humaines",
            "context": "Absentéisme au-dessus de la médiane régionale.",
        },
    )
    operational = services.save_milestone(
        operational,
        proposer,
        "Plan de prévention adopté",
        date(contract.start_date.year + 1, 6, 30),
        operational.version,
    )
    operational = services.save_indicator(
        operational,
        proposer,
        {
            "catalogue_indicator": None,
            "label": "Taux d'absentéisme",
            "kind": "resultats",
            "value_type": "percentage",
            "method": "Jours d'absence ÷ jours théoriques travaillés × 100",
            "unit": "%",
            "data_source": "Logiciel de paie",
            "direction": "lower",
            "baseline_value": "9,5",
            "baseline_date": date(2025, 12, 31),
        },
        {1: "8,5", 2: "7"},
        operational.version,
    )
    if agree:
        for objective in (strategic, operational):
            objective.refresh_from_db()
            for username in [
                u
                for u in ("ars", "cd44", "cd49")
                if contract.parties.filter(authority__members__user__username=u).exists()
            ]:
                negotiation.agree(objective, users[username], objective.version)
    operational.refresh_from_db()
    return strategic, operational


def reference_budget(contract, user, base_year: int, growth_mode: str, growth_rate, authority_user=None):
    """The contract's reference budget as its parties make it: pre-filled by ``user`` from the accounts of
    ``base_year``, its growth chosen by the lead authority's ``authority_user``."""
    from decimal import Decimal

    from cpom.finance.budget import services

    budget = services.get_or_create_budget(contract)
    services.prefill_from_accounts(budget, base_year, user, budget.version, accept_partial=True)
    budget.refresh_from_db()
    return services.set_growth(
        budget, authority_user or user, growth_mode, Decimal(str(growth_rate)), 0, budget.version
    )
