"""The demo contracts' reference budgets, pre-filled from the demo's synthetic account balances.

The association's contract (in negotiation) takes its 2025 accounts, the latest closed year, with the regional
rate of 1,2 %; the EHPAD's contract (in force since 2024) took its 2023 accounts, with a rate set by the
authority. Forecast days come from the synthetic « journées prévues » of the base year.

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
from cpom.finance.models import ActivityForecast, BudgetLine, GrowthMode, ReferenceBudget
from cpom.indicators.models import DataValue

FORECAST_ELEMENT = "journees_prevues"


@dataclass(frozen=True)
class DemoBudget:
    base_year: int
    growth_mode: str
    growth_rate: Decimal


DEMO_BUDGETS = {
    "association": DemoBudget(2025, GrowthMode.REGIONAL_RATE, Decimal("1.2")),
    "ehpad": DemoBudget(2023, GrowthMode.AUTHORITY_RATE, Decimal("1.5")),
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
        defaults={
            "base_year": spec.base_year,
            "growth_mode": spec.growth_mode,
            "growth_rate": spec.growth_rate,
            "zero_rate_years": 0,
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
