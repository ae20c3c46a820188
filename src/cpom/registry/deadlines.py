"""The establishments' evaluations, as deadlines of the contracts whose perimeter holds them.

Every establishment or service evaluates the quality of its services in a fixed cycle (the HAS frame since 2022:
every five years; before it, the internal evaluation every five years, seed 003 L814-817), and the external
evaluation conditions the renewal of its authorisation (seed 000 L697): the parties of its contract watch the next
one (seed-contract-followup §7.5). The cycle is a setting (``CPOM_EVALUATIONS["cycle_years"]``); an establishment
whose last evaluation is not recorded has no computed deadline.

The source reads the perimeters of every contract asked in one query (their evaluated establishments only) and reverses the establishment's address once;
a contract that is over (closed, terminated) no longer calls for the deadline.
"""

import calendar
from datetime import date, timedelta

from django.conf import settings
from django.urls import reverse

from cpom.core.text import of
from cpom.deadline_sources import ALWAYS, Due, Kind, Window

KIND = Kind("evaluation", "Évaluation de la qualité d'un établissement à réaliser", 180)
# A contract in these states (cpom.contracts.models.State) calls for no act any more.
OVER = frozenset({"closed", "terminated"})
ONE_DAY = timedelta(days=1)


def next_evaluation(last: date, cycle_years: int) -> date:
    """The day the next evaluation is due: ``cycle_years`` after the last (a 29 February falls on the 28th)."""
    year = last.year + cycle_years
    return date(year, last.month, min(last.day, calendar.monthrange(year, last.month)[1]))


def _evaluated_within(window: Window, cycle_years: int) -> dict:
    """The last evaluations whose next one may fall in ``window``: the window moved back a cycle, a day wider on each
    side for the 29 February."""
    lookups = {}
    if window.since:
        lookups["establishment__last_evaluation_date__gte"] = _years_before(window.since, cycle_years) - ONE_DAY
    if window.until:
        lookups["establishment__last_evaluation_date__lte"] = _years_before(window.until, cycle_years) + ONE_DAY
    return lookups


def _years_before(day: date, years: int) -> date:
    return next_evaluation(day, -years)


def _establishment_url():
    template = reverse("registry:establishment", kwargs={"finess": "000000000"})
    return lambda finess: template.replace("000000000", finess)


def source(contracts, window: Window = ALWAYS) -> list[Due]:
    contracts = {c.pk: c for c in contracts if getattr(c, "state", "") not in OVER}
    if not contracts:
        return []
    cycle = int(settings.CPOM_EVALUATIONS["cycle_years"])
    url = _establishment_url()
    # Through the perimeter's table (the contract's model is a layer above the registry: read off a contract), only
    # the establishments with an evaluation recorded, as plain values: an authority's portfolio asks a thousand
    # contracts of seven establishments each.
    perimeter = type(next(iter(contracts.values()))).establishments.through
    perimeters = perimeter.objects.filter(
        contract_id__in=contracts, establishment__last_evaluation_date__isnull=False, **_evaluated_within(window, cycle)
    ).values_list("contract_id", "establishment__finess", "establishment__name", "establishment__last_evaluation_date")
    items = []
    for contract_id, finess, name, last in perimeters:
        contract = contracts[contract_id]
        day = next_evaluation(last, cycle)
        if not window.holds(day):
            continue  # the query's day more on each side
        items.append(
            Due(
                contract_id=contract_id,
                day=day,
                kind=KIND.code,
                label=(
                    f"{contract.reference} — Évaluation de la qualité {of(name)} à remettre "
                    f"(dernière le {last:%d/%m/%Y}, tous les {cycle} ans)"
                ),
                url=url(finess),
                # The establishment's, not the contract's: told once when two contracts hold it (a renewal).
                key=f"evaluation:{finess}:{day.isoformat()}",
            )
        )
    return items
