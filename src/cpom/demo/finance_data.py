"""The demo contracts' reference budgets, pre-filled from the demo's synthetic account balances.

The association's contract (in negotiation) takes its 2025 accounts, the latest closed year; the ARS applies the
regional rate of 1,2 % (the yearly tariff still under the contradictory procedure), the council of Loire-Atlantique
its own rate of 0,8 %. The EHPAD's contract (in force since 2024) took its 2023 accounts, with a rate set by each
authority: 1,5 % for the ARS, 1 % for the council of Maine-et-Loire. Forecast days come from the synthetic
« journées prévues » of the base year.

Rows are written with the ORM, not through the services (which need a user), but they are the ones the pre-fill
would write. Every call gives the same budgets (idempotent): the budget is found by its contract and updated in
place, so that what hangs on it (the trajectory scenarios) survives; its lines and forecasts are rewritten. A
signed contract's budget is the one signed: the database freezes it, and it is left as it is.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from cpom.contracts.models import Contract
from cpom.finance.budget.services import PER_DAY_CATEGORIES, plan_prefill
from cpom.finance.models import ActivityForecast, BudgetLine, FunderGrowth, GrowthMode, ReferenceBudget
from cpom.finance.rules import funder_authorities
from cpom.indicators.models import DataValue
from cpom.registry.models import AuthorityKind

FORECAST_ELEMENT = "journees_prevues"


@dataclass(frozen=True)
class DemoGrowth:
    mode: str
    rate: Decimal
    contradictory: bool | None = None  # asked by the zero and regional rates only


@dataclass(frozen=True)
class DemoBudget:
    base_year: int
    growths: dict[str, DemoGrowth]  # by the funder's kind of authority: each funder sets its own


DEMO_BUDGETS = {
    "association": DemoBudget(
        2025,
        {
            AuthorityKind.ARS: DemoGrowth(GrowthMode.REGIONAL_RATE, Decimal("1.2"), True),
            AuthorityKind.CD: DemoGrowth(GrowthMode.AUTHORITY_RATE, Decimal("0.8")),
        },
    ),
    "ehpad": DemoBudget(
        2023,
        {
            AuthorityKind.ARS: DemoGrowth(GrowthMode.AUTHORITY_RATE, Decimal("1.5")),
            AuthorityKind.CD: DemoGrowth(GrowthMode.AUTHORITY_RATE, Decimal("1.0")),
        },
    ),
}


@transaction.atomic
def load_demo_budgets(contracts: dict[str, Contract]) -> None:
    """``contracts`` as the loader holds them: {"association": …, "ehpad": …}."""
    for key, spec in DEMO_BUDGETS.items():
        _load(contracts[key], spec)


def _load(contract: Contract, spec: DemoBudget) -> None:
    if Contract.objects.get(pk=contract.pk).is_frozen:
        return
    # A demo loaded without its figures has no accounts: the budget then keeps its settings and no line.
    plan = plan_prefill(contract, spec.base_year)
    if plan.problems:
        raise ValueError(f"Démonstration, comptes {spec.base_year} de {contract.reference} : {' '.join(plan.problems)}")
    budget, _ = ReferenceBudget.objects.update_or_create(
        contract=contract,
        defaults={"base_year": spec.base_year, "version": 1},
    )
    for authority in funder_authorities(contract):
        growth = spec.growths[authority.kind]
        FunderGrowth.objects.update_or_create(
            budget=budget,
            authority=authority,
            defaults={
                "growth_mode": growth.mode,
                "growth_rate": growth.rate,
                "zero_rate_years": 0,
                "contradictory_procedure": growth.contradictory,
                "version": 1,
            },
        )
    budget.lines.all().delete()
    BudgetLine.objects.bulk_create(
        BudgetLine(budget=budget, establishment_id=e, funder=f, side=s, group=g, amount=a)
        for (e, f, s, g), a in plan.lines.items()
    )
    budget.activity.all().delete()
    per_day = [e for e in contract.establishments.all() if e.category in PER_DAY_CATEGORIES]
    days = dict(
        DataValue.objects.filter(establishment__in=per_day, year=spec.base_year, element=FORECAST_ELEMENT).values_list(
            "establishment_id", "value"
        )
    )
    ActivityForecast.objects.bulk_create(
        ActivityForecast(budget=budget, establishment_id=establishment_id, days=round(value))
        for establishment_id, value in days.items()
        if value > 0
    )
