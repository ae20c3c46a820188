"""The demo: two managing bodies, their contracts and one user per side.

The first call writes the demo; later calls find it (by its contracts' references) and only bring the demo
accounts back to the README's password, so that counts never change on a second run (idempotent).
"""

import unicodedata
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction

from cpom.access import Role
from cpom.accounts.models import Membership
from cpom.contracts.models import Contract, ContractParty, LegalBasis, State, Transition
from cpom.demo.contract_content import load_contract_content
from cpom.demo.finance_data import load_demo_budgets
from cpom.demo.finance_scenarios import load_demo_scenarios
from cpom.demo.indicator_data import load_demo_indicators
from cpom.diagnostic.frames import load_template
from cpom.indicators import catalogues
from cpom.registry.identifiers import finess_with_key, luhn_check_digit
from cpom.registry.models import Authority, AuthorityKind, Contact, Establishment, LegalStatus, ManagingBody

DEMO_PASSWORD = "cpom-demo-2026"
ASSOCIATION_REFERENCE = "CPOM-PDL-2027-044-01"
EHPAD_REFERENCE = "CPOM-PDL-2024-049-07"
DEMO_REFERENCES = (ASSOCIATION_REFERENCE, EHPAD_REFERENCE)
PARIS = ZoneInfo("Europe/Paris")

# username, first name, last name, organisation key, role
DEMO_USERS = [
    ("asso", "Claire", "Martin", "association", Role.ADMINISTER),
    ("ehpad", "Paul", "Lefèvre", "ehpad", Role.VALIDATE),
    ("ars", "Nadia", "Benali", "ars", Role.ADMINISTER),
    ("cd44", "Julien", "Moreau", "cd44", Role.VALIDATE),
    ("cd49", "Sophie", "Garnier", "cd49", Role.VALIDATE),
]

# first eight FINESS characters, name, category, sector, audience, authorised, installed, days, city, funders
ASSOCIATION_ESTABLISHMENTS = [
    ("44000501", "IME Les Grands Chênes", "IME", "PH", "children", 60, 58, 210, "Rezé", ["ars"]),
    ("44000502", "SESSAD Estuaire", "SESSAD", "PH", "children", 45, 45, 210, "Saint-Nazaire", ["ars"]),
    ("44000503", "ESAT Les Ateliers de l'Erdre", "ESAT", "PH", "adults", 90, 86, 226, "Carquefou", ["ars"]),
    ("44000504", "FAM Le Clos Fleuri", "FAM", "PH", "adults", 32, 32, 365, "Orvault", ["ars", "cd44"]),
    ("44000505", "MAS Les Hauts de Sèvre", "MAS", "PH", "adults", 40, 40, 365, "Vertou", ["ars"]),
    ("44000506", "Foyer de vie La Roselière", "FV", "PH", "adults", 28, 26, 365, "Châteaubriant", ["cd44"]),
    ("44000507", "SAVS Nantes Métropole", "SAVS", "PH", "adults", 50, 50, 251, "Nantes", ["cd44"]),
]
EHPAD_ESTABLISHMENTS = [
    ("49000801", "EHPAD Les Tilleuls", "EHPAD", "PA", "adults", 86, 86, 365, "Baugé-en-Anjou", ["ars", "cd49"]),
    ("49000802", "SSIAD du Baugeois", "SSIAD", "PA", "adults", 40, 38, 365, "Baugé-en-Anjou", ["ars"]),
]


def _siren(first_eight: str) -> str:
    return first_eight + luhn_check_digit(first_eight)


def _authorities() -> dict[str, Authority]:
    specs = {
        "ars": (AuthorityKind.ARS, "52", "ARS Pays de la Loire"),
        "cd44": (AuthorityKind.CD, "44", "Conseil départemental de Loire-Atlantique"),
        "cd49": (AuthorityKind.CD, "49", "Conseil départemental de Maine-et-Loire"),
    }
    return {
        key: Authority.objects.update_or_create(kind=kind, territory=territory, defaults={"name": name})[0]
        for key, (kind, territory, name) in specs.items()
    }


def _managing_bodies() -> dict[str, ManagingBody]:
    association, _ = ManagingBody.objects.update_or_create(
        siren=_siren("77567123"),
        defaults=dict(
            name="Association Les Chemins de Loire", legal_status=LegalStatus.ASSOCIATION,
            street="12 rue de Strasbourg", postal_code="44000", city="Nantes", head_office_authorised=True,
        ),
    )
    ehpad, _ = ManagingBody.objects.update_or_create(
        siren=_siren("26490456"),
        defaults=dict(
            name="EHPAD public Les Tilleuls", legal_status=LegalStatus.PUBLIC,
            street="3 avenue de la Boissière", postal_code="49150", city="Baugé-en-Anjou", head_office_authorised=False,
        ),
    )
    return {"association": association, "ehpad": ehpad}


def _establishments(managing_body, specs, authorities) -> list[Establishment]:
    result = []
    for prefix, name, category, sector, audience, authorised, installed, days, city, funders in specs:
        establishment, _ = Establishment.objects.update_or_create(
            finess=finess_with_key(prefix),
            defaults=dict(
                name=name, category=category, sector=sector, audience=audience, authorised_places=authorised,
                installed_places=installed, opening_days=days, department=prefix[:2], city=city,
                managing_body=managing_body,
            ),
        )
        establishment.funders.set([authorities[f] for f in funders])
        result.append(establishment)
    return result


def _contacts(bodies, authorities) -> None:
    specs = [
        ("Claire", "Martin", "Directrice générale", bodies["association"], None, date(2021, 9, 1), None),
        ("Hervé", "Dupuis", "Directeur général", bodies["association"], None, date(2012, 1, 1), date(2021, 8, 31)),
        ("Isabelle", "Roux", "Directrice administrative et financière", bodies["association"], None, date(2019, 3, 1), None),
        ("Paul", "Lefèvre", "Directeur", bodies["ehpad"], None, date(2020, 6, 1), None),
        ("Nadia", "Benali", "Chargée de contractualisation", None, authorities["ars"], date(2022, 1, 1), None),
        ("Julien", "Moreau", "Responsable de la tarification", None, authorities["cd44"], date(2018, 9, 1), None),
        ("Sophie", "Garnier", "Cheffe du service autonomie", None, authorities["cd49"], date(2023, 2, 1), None),
    ]
    for first, last, role, managing_body, authority, start, end in specs:
        Contact.objects.update_or_create(
            first_name=first, last_name=last, managing_body=managing_body, authority=authority,
            defaults=dict(role=role, start_date=start, end_date=end, email=f"{first}.{last}@exemple.fr".lower()),
        )


def demo_email(first: str, last: str) -> str:
    """« paul.lefevre@exemple.fr »: where the demo's password-reset mails go (printed on the console by default)."""
    plain = unicodedata.normalize("NFKD", f"{first}.{last}".lower()).encode("ascii", "ignore").decode()
    return f"{plain}@exemple.fr"


def _users(bodies, authorities) -> dict:
    organisations = {**bodies, **authorities}
    users = {}
    User = get_user_model()
    for username, first, last, organisation_key, role in DEMO_USERS:
        user, _ = User.objects.update_or_create(
            username=username, defaults=dict(first_name=first, last_name=last, email=demo_email(first, last)),
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        organisation = organisations[organisation_key]
        is_body = isinstance(organisation, ManagingBody)
        Membership.objects.update_or_create(
            user=user,
            defaults=dict(
                managing_body=organisation if is_body else None, authority=None if is_body else organisation,
                is_platform=False, role=role,
            ),
        )
        users[organisation_key] = user
    admin, _ = User.objects.update_or_create(
        username="admin", defaults=dict(first_name="Équipe", last_name="cpom", is_staff=True, is_superuser=True)
    )
    admin.set_password(DEMO_PASSWORD)
    admin.save()
    Membership.objects.update_or_create(user=admin, defaults=dict(is_platform=True, role=Role.ADMINISTER))
    return users


def _contract(reference, managing_body, establishments, parties, history, **fields) -> Contract:
    """Creates the contract as programmed, with its perimeter and parties, then replays its history."""
    contract = Contract.objects.create(reference=reference, managing_body=managing_body, **fields)
    contract.establishments.set(establishments)
    for authority, is_lead in parties:
        ContractParty.objects.create(contract=contract, authority=authority, is_lead=is_lead)
    _replay(contract, history)
    return contract


def _replay(contract: Contract, history) -> None:
    """Each step as the lifecycle records it: the transition first, with the story's date, then the new state."""
    current = Transition.objects.filter(contract=contract).order_by("-pk").values_list("to_state", flat=True).first()
    for day, state, user, comment in history:
        Transition.objects.create(
            contract=contract, from_state=current or "", to_state=state, user=user,
            organisation_label=user.membership.organisation_label, comment=comment,
            at=datetime.combine(day, time(10), PARIS),
        )
        Contract.objects.filter(pk=contract.pk).update(state=state)
        current = state
    contract.refresh_from_db()


def is_loaded() -> bool:
    return Contract.objects.filter(reference__in=DEMO_REFERENCES).exists()


@transaction.atomic
def load_demo(indicators: bool = True) -> dict:
    """Loads the demo into a database that does not hold it yet; on one that does, only refreshes the accounts.

    A second run changes nothing else: the EHPAD's contract is signed, so the database freezes it, and the journal
    and the contracts' history are append-only. Starting afresh means a new database.
    """
    # The catalogue and the diagnostic frame are reference data: even a demo without figures needs them.
    catalogues.load_national()
    load_template()
    authorities = _authorities()
    bodies = _managing_bodies()
    users = _users(bodies, authorities)
    summary = {"users": [u for u, *_ in DEMO_USERS] + ["admin"], "password": DEMO_PASSWORD}
    if is_loaded():
        return {**summary, "loaded": False}
    association_sites = _establishments(bodies["association"], ASSOCIATION_ESTABLISHMENTS, authorities)
    ehpad_sites = _establishments(bodies["ehpad"], EHPAD_ESTABLISHMENTS, authorities)
    _contacts(bodies, authorities)
    ars, asso, ehpad = users["ars"], users["association"], users["ehpad"]
    association_contract = _contract(
        ASSOCIATION_REFERENCE, bodies["association"], association_sites,
        [(authorities["ars"], True), (authorities["cd44"], False)],
        [
            (date(2025, 11, 3), State.PROGRAMMED, ars, "Inscrit à la programmation régionale 2026-2030."),
            (date(2026, 1, 19), State.LAUNCHED, ars, "Réunion de lancement tenue à Nantes."),
            (date(2026, 3, 2), State.DIAGNOSTIC, asso, "Diagnostic partagé engagé avec les directeurs."),
            (date(2026, 9, 14), State.NEGOTIATION, ars, "Diagnostic validé en comité de pilotage."),
        ],
        title="CPOM de l'Association Les Chemins de Loire", legal_basis=LegalBasis.L313_12_2,
        duration_years=5, start_date=date(2027, 1, 1), end_date=date(2031, 12, 31),
        target_signature_date=date(2026, 12, 15),
    )
    ehpad_contract = _contract(
        EHPAD_REFERENCE, bodies["ehpad"], ehpad_sites,
        [(authorities["ars"], True), (authorities["cd49"], False)],
        [
            (date(2023, 1, 16), State.PROGRAMMED, ars, "Programmation 2023."),
            (date(2023, 3, 6), State.LAUNCHED, ars, ""),
            (date(2023, 4, 3), State.DIAGNOSTIC, ehpad, ""),
            (date(2023, 6, 12), State.NEGOTIATION, ehpad, ""),
            (date(2023, 10, 23), State.READY_FOR_SIGNATURE, ars, "Objectifs et moyens arrêtés."),
        ],
        title="CPOM tripartite de l'EHPAD Les Tilleuls", legal_basis=LegalBasis.L313_12_IV_TER,
        duration_years=5, start_date=date(2024, 1, 1), end_date=date(2028, 12, 31),
    )
    if indicators:
        load_demo_indicators(association_sites + ehpad_sites)
    # After the figures: the objectives' baselines come from the computed indicators when there are some.
    contracts = {"association": association_contract, "ehpad": ehpad_contract}
    load_contract_content(contracts, users, authorities)
    # The reference budgets are pre-filled from the accounts above; the scenarios build on the association's budget.
    load_demo_budgets(contracts)
    load_demo_scenarios(association_contract)
    # Signed last, once its content is complete, as the parties did: from here the database freezes it.
    _replay(ehpad_contract, [
        (date(2023, 12, 8), State.SIGNED, ars, "Signé par l'ARS, le département et l'établissement."),
        (date(2024, 1, 2), State.IN_FORCE, ars, ""),
    ])
    return {**summary, "loaded": True}
