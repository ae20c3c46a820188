"""Factories for the objects of the tests: each makes one valid object, or one state of a contract, with what the
rules ask of it.

Plain functions rather than factory_boy: the objects are few. What they cover:

- the registry and the accounts: managing bodies, authorities, establishments (valid SIREN and FINESS), users with
  their membership, contacts, the platform's administrator;
- a contract with its parties (``contract``, programmed by the lead authority) and a finding of its diagnostic
  (``finding``);
- a contract's content, made through the services as its parties make it: ``complete_operational_objective`` (an
  objective that passes every readiness rule, agreed by every party), ``reference_budget`` (pre-filled from the
  accounts, each funder setting its own growth), ``retained_scenario``, ``synthesis`` (the diagnostic's salient
  issues and perspectives), ``full_contract`` (a row in every table a signature freezes:
  diagnostic with its documents, findings and synthesis, objectives with their priorities and negotiation, budget,
  activity, scenarios and new measures).

``world`` builds the shared test database with them; ``support`` takes a contract through its lifecycle.
"""

import unicodedata
from datetime import date
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


def complete_operational_objective(contract, users, number_suffix="", agree=True, priorities=()):
    """A strategic objective and an operational one (about the perimeter's first establishment) that pass every
    readiness rule, agreed by every party they concern; the operational one answers ``priorities`` (regional priorities of the contract's authorities) when given."""
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
            "priorities": list(priorities),
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
                and negotiation.concerns(objective, users[u].membership.authority_id)
            ]:
                negotiation.agree(objective, users[username], objective.version)
    operational.refresh_from_db()
    return strategic, operational


def reference_budget(contract, user, base_year: int, growth_mode: str, growth_rate, authority_users=()):
    """The contract's reference budget as its parties make it: pre-filled by ``user`` from the accounts of
    ``base_year``, then each of ``authority_users`` (a member of a funder: the lead, a council) sets its own
    envelope's growth to ``growth_mode`` and ``growth_rate`` (the contradictory procedure kept where the mode asks)."""
    from decimal import Decimal

    from cpom.finance.budget import services
    from cpom.finance.models import CONTRADICTORY_MODES

    # As the budget page does: the budget as read (unsaved before the first write), then the pre-fill against its
    # version, which creates it.
    budget = services.reference_budget(contract)
    services.prefill_from_accounts(budget, base_year, user, budget.version, accept_partial=True)
    budget = services.reference_budget(contract)
    contradictory = True if growth_mode in CONTRADICTORY_MODES else None
    for authority_user in authority_users:
        authority = authority_user.membership.authority
        growth = services.growth_of(budget, authority)
        services.set_growth(
            budget,
            authority_user,
            authority,
            growth_mode,
            Decimal(str(growth_rate)),
            0,
            contradictory,
            growth.version,
        )
    return budget


def retained_scenario(budget, user, name: str = "Scénario retenu"):
    """A trajectory scenario on the lead's growth, retained by ``user`` (a party), as the trajectory pages do."""
    from decimal import Decimal

    from cpom.finance.models import DeficitRule, SurplusRule
    from cpom.finance.trajectory import services

    scenario = services.save_scenario(
        budget,
        user,
        {
            "name": name,
            "envelope_rates": services.default_envelope_rates(budget),
            "expense_rates": {0: Decimal("1.4")},
            "convergence_target": None,
            "convergence_years": 3,
            "surplus_rule": SurplusRule.RESERVES,
            "deficit_rule": DeficitRule.RESERVE,
            "opening_reserves": Decimal("0"),
        },
    )
    return services.retain_scenario(scenario, user, services.fingerprint(scenario))


def synthesis(contract, user, salient_issues: str = "L'absentéisme pèse sur la continuité des accompagnements."):
    """The diagnostic's synthesis written by ``user``: the salient issues and the perspectives of axis 1.3."""
    from cpom.diagnostic import services

    diagnostic = services.diagnostic_for(contract)
    return services.save_synthesis(
        diagnostic,
        user,
        salient_issues,
        {"1.3": "Stabiliser les équipes sur la durée du contrat."},
        diagnostic.version,
    )


DRAFTING_PARAMETERS = {
    "og_rep_civility": "Mme",
    "og_rep_name": "Claire Martin",
    "og_rep_title": "Présidente",
}
# civility, name, title, address of each authority's representative
REPRESENTATIVES = {
    "ARS-52": ("Mme", "Nadia Benali", "Directrice Générale", "CS 56 233 – 44262 Nantes CEDEX 2"),
    "CD-44": ("M.", "Julien Moreau", "Président", "3 quai Ceineray, 44000 Nantes"),
    "CD-49": ("Mme", "Sophie Garnier", "Présidente", "Hôtel du Département, 49000 Angers"),
}


def drafting(contract, users, model_code: str = "pdl-2011"):
    """The contract drafted by its lead authority on a shipped model, every parameter the model always needs filled."""
    from cpom.documents import drafting as service
    from cpom.documents.contract import authority_code
    from cpom.documents.models import ContractModel

    codes = [authority_code(p.authority) for p in contract.parties.admitted().select_related("authority")]
    parameters = {
        **DRAFTING_PARAMETERS,
        **{
            key: {code: REPRESENTATIVES[code][n] for code in codes}
            for n, key in enumerate(("rep_civility", "rep_name", "rep_title", "authority_address"))
        },
    }
    return service.save_drafting(
        contract,
        _lead_user(contract, users),
        model=ContractModel.objects.get(authority=None, code=model_code),
        choices={"procedure-contradictoire": "oui", "affectation": "libre"},
        options={},
        parameters=parameters,
        expected_version=None,
    )


def _managing_body_user(contract, users):
    """The one user of ``users`` who speaks for the contract's managing body."""
    return next(u for u in users.values() if contract.managing_body.members.filter(user=u).exists())


def _lead_user(contract, users):
    """The one user of ``users`` who speaks for the contract's lead authority."""
    return next(u for u in users.values() if u.membership.authority_id == contract.lead_authority_id)


def consultation(contract, user, kind: str, held_on, outcome: str, establishment=None, minutes=None, **data):
    """A consultation recorded through the signature circuit's service (its body named as the form proposes)."""
    from cpom.signing import services

    fields = {"kind": kind, "held_on": held_on, "outcome": outcome, "establishment": establishment, **data}
    return services.record_consultation(contract, user, fields, minutes)


def pdf_upload(
    name: str = "exemplaire-signe.pdf", content: bytes = b"%PDF-1.4\n% signe\n", content_type="application/pdf"
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def signature_data(version, on, name="Claire Martin", title="Directrice générale", signed_hash=None):
    """What a party types to sign ``version``: by default the hash printed on the document sent."""
    return {
        "signatory_name": name,
        "signatory_title": title,
        "signed_on": on,
        "signed_hash": version.content_sha256 if signed_hash is None else signed_hash,
    }


def sign_contract(contract, sender, sent_on, signatures, effective_date=None):
    """``contract`` (ready for signature) sent by ``sender`` on ``sent_on`` then signed by each
    ``(user, on, signatory name, title)`` in turn, through the real services under the clock of each date."""
    from cpom.demo.clock import fixed_clock, moment
    from cpom.signing import services

    with fixed_clock(moment(sent_on)):
        contract.refresh_from_db()
        version = services.send_for_signature(contract, sender, effective_date=effective_date)
    for user, on, name, title in signatures:
        with fixed_clock(moment(on)):
            services.sign(
                version,
                user,
                {
                    "signatory_name": name,
                    "signatory_title": title,
                    "signed_on": on,
                    "signed_hash": version.content_sha256,
                },
            )
    contract.refresh_from_db()
    version.refresh_from_db()
    return version


def full_contract(contract, users, pdf=b"%PDF-1.4\n% organigramme\n"):
    """``contract`` (open: launched, in diagnostic or in negotiation) given a row in every table a signature freezes
    (``cpom.contracts.freeze.FROZEN``), each written as its parties write it, through the real services:

    - diagnostic: the managing body's analysis of a section with a document attached, the lead authority's remark on
      it, the lead authority's finding with an indicator and that document in evidence, the synthesis' perspectives
      for an axis;
    - objectives: one more complete objective (``complete_operational_objective``) answering a regional priority of
      the lead authority, agreed by every party, and a message in its negotiation;
    - finance: the reference budget (pre-filled from the accounts when the contract has none), an establishment's
      forecast days, a scenario with a new measure taken from the objective.

    The regional priority is the one piece written with the ORM: the authorities' schemes have no service (they are
    reference data, entered by the platform team in the admin). The uploaded file goes to ``MEDIA_ROOT``.
    """
    from decimal import Decimal

    from cpom.diagnostic import services as diagnostic_services
    from cpom.diagnostic.models import AttachmentKind, FindingLevel, Nature, Priority
    from cpom.finance.budget import services as budget_services
    from cpom.finance.models import DeficitRule, GrowthMode, ReferenceBudget, SurplusRule
    from cpom.finance.trajectory import services as trajectory_services
    from cpom.indicators.models import Indicator
    from cpom.objectives import negotiation
    from cpom.objectives.models import RegionalPriority

    body_user, lead_user = _managing_body_user(contract, users), _lead_user(contract, users)
    diagnostic = diagnostic_services.diagnostic_for(contract)
    section = diagnostic.template.sections.get(code="1.3.4")
    entry = diagnostic_services.entry_for(diagnostic, section)
    diagnostic_services.save_analysis(
        diagnostic,
        section,
        None,
        body_user,
        "Un absentéisme au-dessus de la médiane régionale, concentré sur les équipes de nuit.",
        entry.version if entry else 1,
    )
    attachment = diagnostic_services.add_attachment(
        diagnostic,
        section,
        None,
        body_user,
        "organigramme.pdf",
        pdf,
        AttachmentKind.ORGANISATION_CHART,
        "Organigramme",
    )
    diagnostic_services.add_remark(diagnostic, section, None, lead_user, "Préciser la part des arrêts de longue durée.")
    diagnostic_services.save_finding(
        diagnostic,
        lead_user,
        {
            "section": section,
            "text": "Des équipes de nuit sans encadrement de proximité",
            "nature": Nature.PROBLEM,
            "level": FindingLevel.MANAGING_BODY,
            "establishment": None,
            "evidence": "Organigramme joint.",
            "causes": "Postes de cadres de nuit vacants.",
            "consequences": "Absentéisme et glissements de tâches.",
            "lever_exists": True,
            "priority": Priority.HIGH,
            "evidence_indicators": [Indicator.objects.get(catalogue__authority=None, code="tdb-absenteisme")],
            "evidence_attachments": [attachment],
        },
    )
    diagnostic.refresh_from_db()
    diagnostic_services.save_synthesis(
        diagnostic,
        lead_user,
        "L'absentéisme pèse sur la continuité des accompagnements.",
        {section.axis: "Stabiliser les équipes de nuit sur la durée du contrat."},
        diagnostic.version,
    )

    # No service writes the authorities' schemes (see above): the ORM, as the admin would.
    priority, _ = RegionalPriority.objects.get_or_create(
        authority_id=contract.lead_authority_id,
        code="PRS-3.2",
        defaults={"label": "Attractivité des métiers du grand âge et du handicap", "source": "PRS 2023-2028"},
    )
    _, operational = complete_operational_objective(contract, users, " (contrat complet)", priorities=[priority])
    negotiation.comment(operational, lead_user, "Accord sur les cibles, à revoir au bilan à mi-parcours.")

    budget = ReferenceBudget.objects.filter(contract=contract).first()
    budget = budget or reference_budget(contract, body_user, 2025, GrowthMode.REGIONAL_RATE, "1.2", [lead_user])
    line = budget.lines.select_related("establishment").order_by("establishment__finess").first()
    amounts = {
        (funder, side, group): amount
        for funder, side, group, amount in budget.lines.filter(establishment=line.establishment).values_list(
            "funder", "side", "group", "amount"
        )
    }
    days = line.establishment.installed_places * line.establishment.opening_days
    budget = budget_services.save_lines(budget, body_user, line.establishment, amounts, days, budget.version)
    scenario = trajectory_services.save_scenario(
        budget,
        body_user,
        {
            "name": "Taux régional et équipes de nuit",
            "envelope_rates": {0: Decimal("1.2")},
            "expense_rates": {0: Decimal("1.4")},
            "convergence_target": None,
            "convergence_years": 3,
            "surplus_rule": SurplusRule.RESERVES,
            "deficit_rule": DeficitRule.RESERVE,
            "opening_reserves": Decimal("50000"),
        },
    )
    trajectory_services.add_measure(
        scenario,
        body_user,
        {
            "objective": operational,
            "establishment": line.establishment,
            "label": f"{operational.number} {operational.title}",
            "start_year": 1,
            "managing_body_means": Decimal("8000"),
            "authority_means": Decimal("24000"),
        },
    )
    consultation(
        contract,
        body_user,
        "board",
        min(contract.start_date.replace(year=contract.start_date.year - 1), date.today()),
        "adopted",
    )
    contract.refresh_from_db()
    return contract


# The pure core's worked example (tests/finance/trajectory/test_trajectory.py): an IME and a MAS, in euros.
WORKED_EXAMPLE_LINES = [
    ("IME", "ars_am", "expense", 1, "200000"),
    ("IME", "ars_am", "expense", 2, "700000"),
    ("IME", "ars_am", "expense", 3, "100000"),
    ("IME", "ars_am", "income", 1, "960000"),
    ("IME", "other", "income", 2, "30000"),
    ("IME", "other", "income", 3, "20000"),
    ("MAS", "ars_am", "expense", 1, "300000"),
    ("MAS", "ars_am", "expense", 2, "1400000"),
    ("MAS", "ars_am", "expense", 3, "200000"),
    ("MAS", "ars_am", "income", 1, "2000000"),
    ("MAS", "other", "income", 2, "20000"),
]


def worked_example_budget(contract):
    """``contract``'s reference budget replaced by the worked example's: base year 2026, every funder's 1,2 % growth, the
    lines of its IME and its MAS (the MAS's envelope is 50 000 € a place). Written with the ORM, line by line, as the
    figures of the example are given, not as a party would type them (``save_lines`` checks them per establishment);
    the contract's budget and its scenarios are deleted first."""
    from decimal import Decimal

    from cpom.finance.models import BudgetLine, FunderGrowth, GrowthMode, ReferenceBudget
    from cpom.finance.rules import funder_authorities

    ReferenceBudget.objects.filter(contract=contract).delete()
    budget = ReferenceBudget.objects.create(contract=contract, base_year=2026)
    FunderGrowth.objects.bulk_create(
        FunderGrowth(
            budget=budget,
            authority=authority,
            growth_mode=GrowthMode.REGIONAL_RATE,
            growth_rate=Decimal("1.2"),
            contradictory_procedure=True,
        )
        for authority in funder_authorities(contract)
    )
    by_category = {c: contract.establishments.get(category=c) for c in {c for c, *_ in WORKED_EXAMPLE_LINES}}
    BudgetLine.objects.bulk_create(
        BudgetLine(budget=budget, establishment=by_category[c], funder=f, side=s, group=g, amount=Decimal(a))
        for c, f, s, g, a in WORKED_EXAMPLE_LINES
    )
    return budget
