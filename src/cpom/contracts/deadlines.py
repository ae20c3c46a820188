"""Deadlines computed from the contract's rules, never typed by hand.

Model contract (seed 000): management reviews at least in years 3 and 5; the
parties state their intentions three months before expiry; renewal is prepared
18 months before the end (ANAP guidance, at least 12). The months are settings
(``CPOM_CONTRACT_LIFE``), which the lead authority may set for its own contracts
(``CPOM_CONTRACT_LIFE_BY_AUTHORITY``): :func:`life_rule` reads them.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.urls import reverse

from cpom.deadline_sources import Due, Kind

from .models import SIGNED_STATES, State


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_end_date(start: date, duration_years: int) -> date:
    return add_months(start, 12 * duration_years) - timedelta(days=1)


def authority_code(authority) -> str:
    """How the settings name an authority: « ARS-52 », « CD-49 »."""
    return f"{authority.kind}-{authority.territory}"


def life_rules(contract) -> dict:
    """The rules of the signed contract's life (``CPOM_CONTRACT_LIFE``), the lead authority's own values first."""
    lead = next((p.authority for p in contract.parties.all() if p.is_lead), None)
    own = settings.CPOM_CONTRACT_LIFE_BY_AUTHORITY.get(authority_code(lead), {}) if lead else {}
    return {**settings.CPOM_CONTRACT_LIFE, **own}


def life_rule(contract, name: str):
    return life_rules(contract)[name]


def renewal_opens(contract, rules: dict | None = None) -> date:
    rules = rules or life_rules(contract)
    return add_months(contract.end_date, -rules["renewal_ideal_months"])


@dataclass(frozen=True)
class Deadline:
    day: date
    label: str
    kind: str = ""  # a kind of cpom.deadline_sources (KINDS below); "" for a date that calls for no act


# The contract's own deadlines, as people choose them in their preferences, each told this many days before.
KINDS = (
    Kind("target_signature", "Signature visée d'un contrat programmé", 30),
    Kind("renewal", "Fenêtres du renouvellement (préparer, engager)", 60),
    Kind("intentions", "Intentions des parties avant la fin du contrat", 30),
    Kind("contract_end", "Fin d'un contrat", 60),
)


def deadlines(contract) -> list[Deadline]:
    if contract.state in (State.CLOSED, State.TERMINATED):
        return []
    if contract.state not in SIGNED_STATES:
        return (
            [Deadline(contract.target_signature_date, "Signature visée", "target_signature")]
            if contract.target_signature_date
            else []
        )
    start, end = contract.start_date, contract.end_date
    items = [Deadline(start, "Entrée en vigueur")]
    for year in (3, 5):
        if year <= contract.duration_years:
            items.append(
                Deadline(add_months(start, 12 * year) - timedelta(days=1), f"Dialogue de gestion de l'année {year}")
            )
    # Read once: a portfolio asks the deadlines of a thousand contracts.
    rules = life_rules(contract)
    ideal, minimum, intentions = (
        rules[name] for name in ("renewal_ideal_months", "renewal_minimum_months", "intentions_months")
    )
    items += [
        Deadline(
            renewal_opens(contract, rules),
            f"Préparation du renouvellement ({ideal} mois avant la fin, idéalement)",
            "renewal",
        ),
        Deadline(
            add_months(end, -minimum), f"Renouvellement engagé au plus tard ({minimum} mois avant la fin)", "renewal"
        ),
        Deadline(
            add_months(end, -intentions),
            f"Intentions des parties : renouvellement ou dénonciation ({intentions} mois avant la fin)",
            "intentions",
        ),
        Deadline(end, "Fin du contrat", "contract_end"),
    ]
    return sorted(items, key=lambda d: d.day)


def contract_url():
    """``pk -> contract page's address``, reversing once (the placeholder is a number the route accepts)."""
    template = reverse("contracts:detail", kwargs={"contract_id": 999999999})
    return lambda pk: template.replace("999999999", str(pk))


def source(contracts) -> list[Due]:
    """The contracts' own deadlines for :mod:`cpom.deadline_sources` (parties prefetched here, once for all)."""
    prefetch_related_objects(list(contracts), "parties__authority")
    # One reverse() for all: an authority's portfolio asks a thousand contracts' deadlines at once.
    url = contract_url()
    return [
        Due(
            contract_id=contract.pk,
            day=item.day,
            kind=item.kind,
            label=f"{contract.reference} — {item.label}",
            url=url(contract.pk),
            key=f"{item.kind}:{contract.pk}:{item.day.isoformat()}",
        )
        for contract in contracts
        for item in deadlines(contract)
        if item.kind
    ]


def next_deadline(contract, today: date) -> Deadline | None:
    return next((d for d in deadlines(contract) if d.day >= today), None)
