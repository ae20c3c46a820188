"""A generated territory for the portfolio's tests and bench: managing bodies, their establishments, their contracts
with an authority, written with bulk_create in a few dozen queries whatever the size.

Each body runs ``sites_per_body`` establishments over the region's départements (their FINESS and SIRENs valid, their
categories in turn), funded by the authority; every ``contract_every``-th body holds a contract with the authority
as lead, taken along the lifecycle in bulk the only way the database accepts (a transition recorded, then the state
changed, one step for all at a time: :func:`cpom.contracts.freeze` checks each row). The states turn through
``STATES``; a covering contract leaves its body's last establishment outside its perimeter every
``outside_every``-th time, so that the « hors périmètre » list has rows. An open alert is raised on every fifth
contract.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from cpom.alerts.models import Alert
from cpom.contracts.models import Contract, ContractParty, State, Transition
from cpom.registry.categories import CATEGORY_BY_CODE
from cpom.registry.identifiers import finess_with_key, luhn_check_digit
from cpom.registry.models import Establishment, LegalStatus, ManagingBody
from support import lifecycle_path

CATEGORIES = ["IME", "SESSAD", "ESAT", "FAM", "MAS", "EHPAD", "SSIAD"]
STATES = [State.PROGRAMMED, State.NEGOTIATION, State.IN_FORCE, State.IN_FORCE, State.SIGNED, State.RENEWAL]


@dataclass
class Territory:
    bodies: list[ManagingBody]
    establishments: list[Establishment]
    contracts: list[Contract]


def build(
    authority,
    bodies: int = 200,
    sites_per_body: int = 4,
    contract_every: int = 1,
    outside_every: int = 3,
    prefix: str = "97",
    today: date | None = None,
) -> Territory:
    today = today or timezone.localdate()
    departments = authority.department_codes()
    ManagingBody.objects.bulk_create(
        [
            ManagingBody(
                name=f"Organisme généré {n:04d}",
                legal_status=LegalStatus.ASSOCIATION,
                siren=f"{prefix}{n:06d}" + luhn_check_digit(f"{prefix}{n:06d}"),
            )
            for n in range(bodies)
        ],
        batch_size=500,
    )
    made = list(ManagingBody.objects.filter(name__startswith="Organisme généré ").order_by("name"))
    sites = []
    counter = dict.fromkeys(departments, 0)
    for n, body in enumerate(made):
        for k in range(sites_per_body):
            department = departments[(n + k) % len(departments)]
            counter[department] += 1
            category = CATEGORY_BY_CODE[CATEGORIES[(n + k) % len(CATEGORIES)]]
            places = 20 + (n * 7 + k * 3) % 60
            sites.append(
                Establishment(
                    finess=finess_with_key(f"{department}8{counter[department]:05d}"),
                    name=f"{category.code} généré {n:04d}-{k}",
                    category=category.code,
                    sector=category.sector,
                    audience=category.audience,
                    authorised_places=places + 2,
                    installed_places=places,
                    opening_days=365,
                    department=department,
                    managing_body=body,
                    # Evaluated in turn over the last five years: every one has its next evaluation to come.
                    last_evaluation_date=today - timedelta(days=(n * 7 + k) % 1800),
                )
            )
    Establishment.objects.bulk_create(sites, batch_size=1000)
    sites = list(Establishment.objects.filter(managing_body__in=made).order_by("managing_body__name", "name"))
    Establishment.funders.through.objects.bulk_create(
        [Establishment.funders.through(establishment_id=s.pk, authority_id=authority.pk) for s in sites],
        batch_size=2000,
    )
    by_body = {}
    for site in sites:
        by_body.setdefault(site.managing_body_id, []).append(site)
    holders = made[::contract_every]
    Contract.objects.bulk_create(
        [
            Contract(
                reference=f"CPOM-GEN-{prefix}-{n:05d}",
                title=f"CPOM de {body.name}",
                managing_body=body,
                legal_basis="L313-12-2",
                duration_years=5,
                start_date=date(today.year - 4 + n % 5, 1, 1),
                end_date=date(today.year + n % 5, 12, 31),
                target_signature_date=today + timedelta(days=10 + n % 200),
            )
            for n, body in enumerate(holders)
        ],
        batch_size=500,
    )
    contracts = list(Contract.objects.filter(reference__startswith=f"CPOM-GEN-{prefix}-").order_by("reference"))
    ContractParty.objects.bulk_create(
        [ContractParty(contract=c, authority=authority, is_lead=True) for c in contracts], batch_size=1000
    )
    perimeter = []
    for n, contract in enumerate(contracts):
        own = by_body[contract.managing_body_id]
        target = STATES[n % len(STATES)]
        held = own[:-1] if target in (State.IN_FORCE, State.SIGNED) and n % outside_every == 0 else own
        perimeter += [Contract.establishments.through(contract_id=contract.pk, establishment_id=s.pk) for s in held]
    Contract.establishments.through.objects.bulk_create(perimeter, batch_size=2000)
    _walk(contracts)
    now = timezone.now()
    Alert.objects.bulk_create(
        [
            Alert(
                contract=c,
                kind="milestone",
                year=today.year,
                key=f"generated-{c.pk}",
                message="Jalon en retard (territoire généré)",
                cause_url_name="contracts:detail",
                cause_args=[c.pk],
                first_seen_at=now,
                last_seen_at=now,
            )
            for c in contracts[::5]
        ],
        batch_size=1000,
    )
    return Territory(made, sites, list(Contract.objects.filter(pk__in=[c.pk for c in contracts]).order_by("reference")))


def _walk(contracts: list[Contract]) -> None:
    """Each contract to its state of ``STATES``, one lifecycle step for all the contracts that take it at a time."""
    paths = {c.pk: lifecycle_path(State.PROGRAMMED, STATES[n % len(STATES)]) or [] for n, c in enumerate(contracts)}
    # The history opens as programming opens it (« » → programmed), then follows the lifecycle.
    Transition.objects.bulk_create(
        [
            Transition(contract_id=pk, from_state="", to_state=State.PROGRAMMED, organisation_label="Territoire généré")
            for pk in paths
        ],
        batch_size=1000,
    )
    current = dict.fromkeys(paths, State.PROGRAMMED)
    step = 0
    while True:
        moving = {pk: path[step] for pk, path in paths.items() if len(path) > step}
        if not moving:
            return
        Transition.objects.bulk_create(
            [
                Transition(contract_id=pk, from_state=current[pk], to_state=to, organisation_label="Territoire généré")
                for pk, to in moving.items()
            ],
            batch_size=1000,
        )
        for to in set(moving.values()):
            pks = [pk for pk, state in moving.items() if state == to]
            for start in range(0, len(pks), 500):
                Contract.objects.filter(pk__in=pks[start : start + 500]).update(state=to)
        current.update(moving)
        step += 1
