"""The establishments' evaluations, as deadlines of the contracts whose perimeter holds them.

Every establishment or service evaluates the quality of its services in a fixed cycle (the HAS frame since 2022:
every five years; before it, the internal evaluation every five years, seed 003 L814-817), and the external
evaluation conditions the renewal of its authorisation (seed 000 L697): the parties of its contract watch the next
one (seed-contract-followup §7.5). The cycle is a setting (``CPOM_EVALUATIONS["cycle_years"]``); an establishment
whose last evaluation is not recorded has no computed deadline.

The source reads the perimeters of every contract asked in one query and reverses the establishment's address once;
a contract that is over (closed, terminated) no longer calls for the deadline.
"""

import calendar
from datetime import date

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.urls import reverse

from cpom.core.text import of
from cpom.deadline_sources import Due, Kind

KIND = Kind("evaluation", "Évaluation de la qualité d'un établissement à réaliser", 180)
# A contract in these states (cpom.contracts.models.State) calls for no act any more.
OVER = frozenset({"closed", "terminated"})


def next_evaluation(last: date, cycle_years: int) -> date:
    """The day the next evaluation is due: ``cycle_years`` after the last (a 29 February falls on the 28th)."""
    year = last.year + cycle_years
    return date(year, last.month, min(last.day, calendar.monthrange(year, last.month)[1]))


def _establishment_url():
    template = reverse("registry:establishment", kwargs={"finess": "000000000"})
    return lambda finess: template.replace("000000000", finess)


def source(contracts) -> list[Due]:
    contracts = [c for c in contracts if getattr(c, "state", "") not in OVER]
    prefetch_related_objects(contracts, "establishments")
    cycle = int(settings.CPOM_EVALUATIONS["cycle_years"])
    url = _establishment_url()
    items = []
    for contract in contracts:
        for establishment in contract.establishments.all():
            if establishment.last_evaluation_date is None:
                continue
            day = next_evaluation(establishment.last_evaluation_date, cycle)
            items.append(
                Due(
                    contract_id=contract.pk,
                    day=day,
                    kind=KIND.code,
                    label=(
                        f"{contract.reference} — Évaluation de la qualité {of(establishment.name)} à remettre "
                        f"(dernière le {establishment.last_evaluation_date:%d/%m/%Y}, tous les {cycle} ans)"
                    ),
                    url=url(establishment.finess),
                    # The establishment's, not the contract's: told once when two contracts hold it (a renewal).
                    key=f"evaluation:{establishment.finess}:{day.isoformat()}",
                )
            )
    return items
