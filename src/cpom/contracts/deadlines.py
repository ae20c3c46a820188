"""Deadlines computed from the contract's rules, never typed by hand.

Model contract (seed 000): management reviews at least in years 3 and 5; the
parties state their intentions three months before expiry; renewal is prepared
18 months before the end (ANAP guidance, at least 12).
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from .models import SIGNED_STATES, State


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_end_date(start: date, duration_years: int) -> date:
    return add_months(start, 12 * duration_years) - timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    day: date
    label: str


def deadlines(contract) -> list[Deadline]:
    if contract.state in (State.CLOSED, State.TERMINATED):
        return []
    if contract.state not in SIGNED_STATES:
        return [Deadline(contract.target_signature_date, "Signature visée")] if contract.target_signature_date else []
    start, end = contract.start_date, contract.end_date
    items = [Deadline(start, "Entrée en vigueur")]
    for year in (3, 5):
        if year <= contract.duration_years:
            items.append(
                Deadline(add_months(start, 12 * year) - timedelta(days=1), f"Dialogue de gestion de l'année {year}")
            )
    items += [
        Deadline(add_months(end, -18), "Préparation du renouvellement (18 mois avant la fin)"),
        Deadline(add_months(end, -3), "Intentions des parties (3 mois avant la fin)"),
        Deadline(end, "Fin du contrat"),
    ]
    return sorted(items, key=lambda d: d.day)


def next_deadline(contract, today: date) -> Deadline | None:
    return next((d for d in deadlines(contract) if d.day >= today), None)
