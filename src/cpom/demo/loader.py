"""The demo: two managing bodies, their contracts and one user per side.

The first call writes the demo; later calls find it (by its contracts' references) and only bring the demo
accounts back to the README's password, so that counts never change on a second run (idempotent).
"""

import unicodedata
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction

from cpom.access import Role
from cpom.accounts.models import Membership
from cpom.contracts import lifecycle
from cpom.contracts.lifecycle import TransitionRefused
from cpom.contracts.models import Contract, State
from cpom.contracts.parties import PartiesRefused
from cpom.contracts.services import FRAME_FIELDS, program_contract
from cpom.demo.amendment_story import load_demo_amendment
from cpom.demo.clock import fixed_clock, moment
from cpom.demo.contract_content import load_contract_content
from cpom.demo.drafting_data import load_demo_draftings
from cpom.demo.finance_data import load_demo_budgets
from cpom.demo.finance_scenarios import load_demo_retained_scenario, load_demo_scenarios
from cpom.demo.followup_story import AFTER_AMENDMENT, BEFORE_AMENDMENT, load_demo_follow_up
from cpom.demo.indicator_data import load_demo_indicators
from cpom.demo.launch_story import load_demo_launch
from cpom.demo.newcomer_story import NEWCOMER, load_demo_newcomer
from cpom.demo.notifications_story import load_demo_notifications
from cpom.demo.programming_story import load_demo_programming
from cpom.demo.review_story import load_demo_review
from cpom.demo.story import Story, read_stories
from cpom.diagnostic.frames import load_template
from cpom.documents.drafting import load_shipped
from cpom.import_slots import announcements_held
from cpom.indicators import catalogues
from cpom.registry.identifiers import finess_with_key, luhn_check_digit
from cpom.registry.models import Authority, AuthorityKind, Contact, Establishment, LegalStatus, ManagingBody
from cpom.signing import services as signing

DEMO_PASSWORD = "cpom-demo-2026"
ASSOCIATION_REFERENCE = "CPOM-PDL-2027-044-01"
EHPAD_REFERENCE = "CPOM-PDL-2024-049-07"
DEMO_REFERENCES = (ASSOCIATION_REFERENCE, EHPAD_REFERENCE)

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
            name="Association Les Chemins de Loire",
            legal_status=LegalStatus.ASSOCIATION,
            legal_finess=finess_with_key("44000500"),
            street="12 rue de Strasbourg",
            postal_code="44000",
            city="Nantes",
            head_office_authorised=True,
        ),
    )
    ehpad, _ = ManagingBody.objects.update_or_create(
        siren=_siren("26490456"),
        defaults=dict(
            name="EHPAD public Les Tilleuls",
            legal_status=LegalStatus.PUBLIC,
            legal_finess=finess_with_key("49000800"),
            street="3 avenue de la Boissière",
            postal_code="49150",
            city="Baugé-en-Anjou",
            head_office_authorised=False,
        ),
    )
    return {"association": association, "ehpad": ehpad}


def _establishments(managing_body, specs, authorities) -> list[Establishment]:
    result = []
    for prefix, name, category, sector, audience, authorised, installed, days, city, funders in specs:
        establishment, _ = Establishment.objects.update_or_create(
            finess=finess_with_key(prefix),
            defaults=dict(
                name=name,
                category=category,
                sector=sector,
                audience=audience,
                authorised_places=authorised,
                installed_places=installed,
                opening_days=days,
                department=prefix[:2],
                city=city,
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
        (
            "Isabelle",
            "Roux",
            "Directrice administrative et financière",
            bodies["association"],
            None,
            date(2019, 3, 1),
            None,
        ),
        ("Paul", "Lefèvre", "Directeur", bodies["ehpad"], None, date(2020, 6, 1), None),
        ("Nadia", "Benali", "Chargée de contractualisation", None, authorities["ars"], date(2022, 1, 1), None),
        ("Julien", "Moreau", "Responsable de la tarification", None, authorities["cd44"], date(2018, 9, 1), None),
        ("Sophie", "Garnier", "Cheffe du service autonomie", None, authorities["cd49"], date(2023, 2, 1), None),
    ]
    for first, last, role, managing_body, authority, start, end in specs:
        Contact.objects.update_or_create(
            first_name=first,
            last_name=last,
            managing_body=managing_body,
            authority=authority,
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
            username=username,
            defaults=dict(first_name=first, last_name=last, email=demo_email(first, last)),
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        organisation = organisations[organisation_key]
        is_body = isinstance(organisation, ManagingBody)
        Membership.objects.update_or_create(
            user=user,
            defaults=dict(
                managing_body=organisation if is_body else None,
                authority=None if is_body else organisation,
                is_platform=False,
                role=role,
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


class StoryStepFailed(RuntimeError):
    """A story step the real services refused: the demo stops loudly, naming the file and the step."""


def play(story: Story, steps, context: dict, contracts: dict) -> None:
    """Plays ``steps`` of ``story`` through the real services, each as its user under a clock fixed at its date."""
    users, bodies, authorities = context["users"], context["bodies"], context["authorities"]
    for step in steps:
        if step.action == "contenu":
            continue
        user = users[step.by]
        try:
            with fixed_clock(moment(step.on)):
                if step.action == "programmer":
                    contracts[story.name] = _program(story, user, bodies, authorities, step.comment)
                else:
                    contract = contracts[story.name]
                    contract.refresh_from_db()
                    SIGNATURE_STEPS.get(step.action, _transition)(contract, user, step)
        except (TransitionRefused, PartiesRefused, signing.SigningRefused) as error:
            raise StoryStepFailed(f"{story.name}.toml, {step} : {' '.join(error.reasons)}") from error


def _transition(contract, user, step) -> None:
    lifecycle.transition(contract, step.to, user, step.comment)


def _consultation(contract, user, step) -> None:
    prefix = step.detail("establishment")
    establishment = contract.establishments.get(finess__startswith=prefix) if prefix else None
    data = {
        "kind": step.detail("kind"),
        "outcome": step.detail("outcome"),
        "establishment": establishment,
        "body": step.detail("body", ""),
        "held_on": step.on,
        "comment": step.comment,
    }
    signing.record_consultation(contract, user, data)


def _send(contract, user, step) -> None:
    signing.send_for_signature(contract, user, effective_date=step.detail("effective_date"))


def _sign(contract, user, step) -> None:
    """The party signs the document sent: the hash it types is the one printed on every page of that document."""
    version = signing.sent_version(contract)
    if version is None:
        raise signing.SigningRefused([(None, "Aucune version n'est en signature.")])
    data = {
        "signatory_name": step.detail("signatory"),
        "signatory_title": step.detail("title"),
        "signed_on": step.on,
        "signed_hash": version.content_sha256,
    }
    signing.sign(version, user, data)


SIGNATURE_STEPS = {"consultation": _consultation, "envoyer": _send, "signer": _sign}


def _program(story: Story, user, bodies, authorities, comment: str) -> Contract:
    frame = story.contract
    body = bodies[frame["managing_body"]]
    data = {field: frame.get(field) for field in FRAME_FIELDS}
    data.update(
        managing_body=body,
        establishments=list(body.establishments.order_by("finess")),
        lead_authority=authorities[frame["lead"]],
        co_signatories=[authorities[key] for key in frame.get("co_signatories", [])],
    )
    return program_contract(user, data, comment=comment)


def _stories() -> list[Story]:
    return read_stories({u for u, *_ in DEMO_USERS}, set(State.values))


def is_loaded() -> bool:
    return Contract.objects.filter(reference__in=DEMO_REFERENCES).exists()


def load_demo(indicators: bool = True) -> dict:
    """See :func:`_load_demo`; the alerts are computed by the nightly run (``cpom suivi alertes``), not here."""
    with announcements_held():
        return _load_demo(indicators)


@transaction.atomic
def _load_demo(indicators: bool = True) -> dict:
    """Loads the demo into a database that does not hold it yet; on one that does, only refreshes the accounts.

    A second run changes nothing else: the EHPAD's contract is signed, so the database freezes it, and the journal
    and the contracts' history are append-only. Starting afresh means a new database.
    """
    # The catalogue and the diagnostic frame are reference data: even a demo without figures needs them.
    catalogues.load_national()
    load_template()
    # As the migration loads them: a database emptied by hand gets the shipped contract models back.
    load_shipped()
    authorities = _authorities()
    bodies = _managing_bodies()
    users = _users(bodies, authorities)
    summary = {"users": [u for u, *_ in DEMO_USERS] + [NEWCOMER[0], "admin"], "password": DEMO_PASSWORD}
    if is_loaded():
        return {**summary, "loaded": False}
    stories = _stories()  # read before writing anything: a wrong file leaves the database as it was
    association_sites = _establishments(bodies["association"], ASSOCIATION_ESTABLISHMENTS, authorities)
    ehpad_sites = _establishments(bodies["ehpad"], EHPAD_ESTABLISHMENTS, authorities)
    _contacts(bodies, authorities)
    context = {
        "users": {username: users[key] for username, _, _, key, _ in DEMO_USERS},
        "bodies": bodies,
        "authorities": authorities,
    }
    played = {}
    for story in stories:
        play(story, story.before_content, context, played)
    association_contract, ehpad_contract = played["association"], played["ehpad"]
    if indicators:
        load_demo_indicators(association_sites + ehpad_sites)
    # After the figures: the objectives' baselines come from the computed indicators when there are some.
    contracts = {"association": association_contract, "ehpad": ehpad_contract}
    load_contract_content(contracts, users, authorities)
    # The reference budgets are pre-filled from the accounts above; the scenarios build on them.
    load_demo_budgets(contracts)
    load_demo_scenarios(association_contract)
    load_demo_retained_scenario(ehpad_contract)
    # The ARS drafts both contracts on its model: the document's parameters are part of what signature needs.
    load_demo_draftings(contracts, users)
    # The steps after the content (the EHPAD's consultations and signature circuit) come last, as the parties did:
    # from here the database freezes the signed contract.
    for story in stories:
        play(story, story.after_content, context, played)
    # In force, its yearly follow-up: the campaigns of 2024 and 2025 closed and signed, the one of 2026 open; and in
    # 2026 it is amended (its SSIAD's capacity extension, signed through the circuit) before that campaign opens.
    load_demo_follow_up(ehpad_contract, context["users"], BEFORE_AMENDMENT)
    load_demo_amendment(ehpad_contract, context["users"])
    load_demo_follow_up(ehpad_contract, context["users"], AFTER_AMENDMENT)
    # Its year-3 management review, held in October 2026 on the follow-up above; one decision opens avenant n° 2.
    load_demo_review(ehpad_contract, context)
    # The authority's side: the region's programming, and a newcomer who reads it all on their first day.
    load_demo_programming(context)
    load_demo_newcomer(context)
    # The association's contract, in negotiation, has its launch kit; then everyone's deadlines reach them.
    load_demo_launch(association_contract, context)
    load_demo_notifications(context)
    return {**summary, "loaded": True}
