"""The world the database tests share, built once per session through the factories and the real services.

It is not the demo: the demo is a story told to visitors and may change as the product does; this is the smallest
cast the tests speak of, under the names they use. Two managing bodies (an association with seven establishments in
Loire-Atlantique, a public EHPAD with two in Maine-et-Loire), the ARS and two departments, one user per organisation,
and two contracts taken through the lifecycle by their parties:

- ``CPOM-PDL-2027-044-01``, the association's contract with the ARS (lead) and the department of Loire-Atlantique,
  in negotiation, with a diagnostic holding two findings and its synthesis, one complete objective agreed by every
  party, each funder's growth, a retained scenario and its board's deliberation: ready to be declared ready for
  signature;
- ``CPOM-PDL-2024-049-07``, the EHPAD's tripartite contract with the ARS and the department of Maine-et-Loire, with
  one complete objective, its consultations (CVS, CSE, board), signed through the circuit (sent by the ARS, signed by
  the EHPAD, the department, then the ARS: a sealed version) and in force.

Both are drafted by the ARS on the ARS Pays de la Loire model of 2011, its representatives named.

Each establishment has five years of synthetic figures (2021-2025, computed by the engine) beside a few peers per
category for the benchmarks, and each contract its reference budget pre-filled from the accounts. The demo's
diagnostic, objectives and scenarios are not here: the tests that read such content make their own (``factories``),
so that each says what it stands on.
"""

from dataclasses import dataclass, field
from datetime import date

import factories
from cpom.access import Role
from cpom.contracts import lifecycle
from cpom.contracts.models import Contract, State
from cpom.demo.clock import fixed_clock, moment
from cpom.demo.indicator_data import load_demo_indicators
from cpom.diagnostic.frames import load_template
from cpom.finance.models import GrowthMode
from cpom.indicators import catalogues
from cpom.registry.models import AuthorityKind, Establishment, LegalStatus

ASSOCIATION_REFERENCE = "CPOM-PDL-2027-044-01"
EHPAD_REFERENCE = "CPOM-PDL-2024-049-07"

# Peers per category for the benchmarks: enough for quartiles in the region, far fewer than the demo's.
PEERS_PER_CATEGORY = 12

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

# username, first name, last name, organisation, role
USERS = [
    ("asso", "Claire", "Martin", "association", Role.ADMINISTER),
    ("ehpad", "Paul", "Lefèvre", "ehpad", Role.VALIDATE),
    ("ars", "Nadia", "Benali", "ars", Role.ADMINISTER),
    ("cd44", "Julien", "Moreau", "cd44", Role.VALIDATE),
    ("cd49", "Sophie", "Garnier", "cd49", Role.VALIDATE),
]


def build_world() -> dict:
    # Reference data, as every installation has it: the national catalogue and the diagnostic frame.
    catalogues.load_national()
    load_template()
    organisations = {
        "ars": factories.authority(AuthorityKind.ARS, "52", "ARS Pays de la Loire"),
        "cd44": factories.authority(AuthorityKind.CD, "44", "Conseil départemental de Loire-Atlantique"),
        "cd49": factories.authority(AuthorityKind.CD, "49", "Conseil départemental de Maine-et-Loire"),
        "association": factories.managing_body(
            "Association Les Chemins de Loire",
            city="Nantes",
            head_office_authorised=True,
            legal_finess=factories.finess("44"),
        ),
        "ehpad": factories.managing_body(
            "EHPAD public Les Tilleuls",
            legal_status=LegalStatus.PUBLIC,
            city="Baugé",
            legal_finess=factories.finess("49"),
        ),
    }
    for body, specs in (("association", ASSOCIATION_ESTABLISHMENTS), ("ehpad", EHPAD_ESTABLISHMENTS)):
        for prefix, name, category, sector, audience, authorised, installed, days, city, funders in specs:
            factories.establishment(
                organisations[body],
                funders=[organisations[f] for f in funders],
                department=prefix[:2],
                finess=factories.finess_with_key(prefix),
                name=name,
                category=category,
                sector=sector,
                audience=audience,
                authorised_places=authorised,
                installed_places=installed,
                opening_days=days,
                city=city,
            )
    users = {
        username: factories.member(
            organisations[organisation], role, username=username, first_name=first, last_name=last
        )
        for username, first, last, organisation, role in USERS
    }
    factories.platform_administrator("admin")
    _contacts(organisations)
    # The figures: five years for the world's establishments and a few peers per category, through the engine.
    load_demo_indicators(
        list(
            Establishment.objects.filter(
                managing_body__in=[organisations["association"], organisations["ehpad"]]
            ).order_by("finess")
        ),
        PEERS_PER_CATEGORY,
    )
    contracts = [_contract(spec, organisations, users) for spec in CONTRACTS]
    return {"users": users, "organisations": organisations, "contracts": contracts}


# first name, last name, role, organisation, start, end: the association's general direction changed hands in 2021.
CONTACTS = [
    ("Claire", "Martin", "Directrice générale", "association", date(2021, 9, 1), None),
    ("Hervé", "Dupuis", "Directeur général", "association", date(2012, 1, 1), date(2021, 8, 31)),
    ("Isabelle", "Roux", "Directrice administrative et financière", "association", date(2019, 3, 1), None),
    ("Paul", "Lefèvre", "Directeur", "ehpad", date(2020, 6, 1), None),
    ("Nadia", "Benali", "Chargée de contractualisation", "ars", date(2022, 1, 1), None),
    ("Julien", "Moreau", "Responsable de la tarification", "cd44", date(2018, 9, 1), None),
    ("Sophie", "Garnier", "Cheffe du service autonomie", "cd49", date(2023, 2, 1), None),
]


def _contacts(organisations) -> None:
    for first, last, role, organisation, start, end in CONTACTS:
        factories.contact(organisations[organisation], first, last, role, start, end)


@dataclass(frozen=True)
class ContractSpec:
    """One contract of the world: who programs it with whom, its frame, and its life up to where the tests find it."""

    body: str
    co_signatory: str
    programmed_on: date
    frame: dict
    before_content: list  # (state, username, date), the steps up to the negotiation
    content_on: date  # the complete objective agreed and the budget pre-filled that day
    budget: tuple  # (username who pre-fills and retains a scenario, base year, growth mode and rate of every funder)
    # (kind, first eight FINESS characters or None, outcome, username, date), recorded after the content
    consultations: list = field(default_factory=list)
    after_content: list = field(default_factory=list)
    # (sender, sent on, agreed effective date, [(username, signed on, signatory, title)]): the circuit, once ready
    signing: tuple | None = None
    after_signature: list = field(default_factory=list)


CONTRACTS = [
    ContractSpec(
        body="association",
        co_signatory="cd44",
        programmed_on=date(2025, 11, 3),
        frame={
            "reference": ASSOCIATION_REFERENCE,
            "title": "CPOM de l'Association Les Chemins de Loire",
            "legal_basis": "L313-12-2",
            "start_date": date(2027, 1, 1),
            "target_signature_date": date(2026, 12, 15),
        },
        before_content=[
            (State.LAUNCHED, "ars", date(2026, 1, 19)),
            (State.DIAGNOSTIC, "asso", date(2026, 3, 2)),
            (State.NEGOTIATION, "ars", date(2026, 9, 14)),
        ],
        content_on=date(2026, 9, 21),
        budget=("asso", 2025, GrowthMode.REGIONAL_RATE, "1.2"),
        consultations=[("board", None, "adopted", "asso", date(2026, 9, 28))],
    ),
    ContractSpec(
        body="ehpad",
        co_signatory="cd49",
        programmed_on=date(2023, 1, 16),
        frame={
            "reference": EHPAD_REFERENCE,
            "title": "CPOM tripartite de l'EHPAD Les Tilleuls",
            "legal_basis": "L313-12-IVter",
            "start_date": date(2024, 1, 1),
        },
        before_content=[
            (State.LAUNCHED, "ars", date(2023, 3, 6)),
            (State.DIAGNOSTIC, "ehpad", date(2023, 4, 3)),
            (State.NEGOTIATION, "ehpad", date(2023, 6, 12)),
        ],
        content_on=date(2023, 9, 4),
        budget=("ehpad", 2023, GrowthMode.AUTHORITY_RATE, "1.5"),
        consultations=[
            ("cvs", "49000801", "favourable", "ehpad", date(2023, 9, 25)),
            ("staff", None, "favourable", "ehpad", date(2023, 10, 2)),
            ("board", None, "adopted", "ehpad", date(2023, 10, 16)),
        ],
        after_content=[(State.READY_FOR_SIGNATURE, "ars", date(2023, 10, 23))],
        # Signed once its content is complete, as the parties did: from here the database freezes it.
        signing=(
            "ars",
            date(2023, 11, 27),
            date(2024, 1, 1),
            [
                ("ehpad", date(2023, 12, 1), "Paul Lefèvre", "Directeur"),
                ("cd49", date(2023, 12, 5), "Sophie Garnier", "Pour la présidente du Conseil départemental"),
                ("ars", date(2023, 12, 8), "Nadia Benali", "Pour le directeur général de l'ARS"),
            ],
        ),
        after_signature=[(State.IN_FORCE, "ars", date(2024, 1, 2))],
    ),
]


def _walk(contract: Contract, steps, users) -> None:
    for state, username, on in steps:
        with fixed_clock(moment(on)):
            contract.refresh_from_db()
            lifecycle.transition(contract, state, users[username], "")


def _contract(spec: ContractSpec, organisations, users) -> Contract:
    """The contract programmed by the ARS, walked to its negotiation, given its content, then walked on."""
    with fixed_clock(moment(spec.programmed_on)):
        contract = factories.contract(
            users["ars"],
            organisations[spec.body],
            organisations["ars"],
            [organisations[spec.co_signatory]],
            **spec.frame,
        )
    _walk(contract, spec.before_content, users)
    contract.refresh_from_db()
    by, year, mode, rate = spec.budget
    with fixed_clock(moment(spec.content_on)):
        factories.complete_operational_objective(contract, users)
        factories.synthesis(contract, users["ars"])
        funders = [users["ars"], users[spec.co_signatory]]
        budget = factories.reference_budget(contract, users[by], year, mode, rate, funders)
        factories.retained_scenario(budget, users[by])
        factories.drafting(contract, users)
    for kind, prefix, outcome, username, on in spec.consultations:
        where = contract.establishments.get(finess__startswith=prefix) if prefix else None
        with fixed_clock(moment(on)):
            factories.consultation(contract, users[username], kind, on, outcome, establishment=where)
    _walk(contract, spec.after_content, users)
    if spec.signing:
        sender, sent_on, effective, signatures = spec.signing
        factories.sign_contract(
            contract,
            users[sender],
            sent_on,
            [(users[u], on, name, title) for u, on, name, title in signatures],
            effective_date=effective,
        )
    _walk(contract, spec.after_signature, users)
    contract.refresh_from_db()
    return contract
