"""The demo's trajectory scenarios: for the association's contract three sets of assumptions to compare side by side,
none retained yet (the negotiation goes on); for the EHPAD's, the one it was signed on, retained.

They start from the contract's reference budget (loaded before them) and take their new measures from the demo's
fiches objectifs, as a user would with « Importer les mesures nouvelles des fiches objectifs », then set aside, as
that user would, the fiches whose means are an investment programme: the MAS restructuring's 4,8 M€ are building
works financed once (PPI), not a yearly operating cost. Loading twice leaves the same three scenarios.
"""

from decimal import ROUND_DOWN, Decimal

from django.db import transaction

from cpom.contracts.models import Contract
from cpom.finance.models import DeficitRule, ReferenceBudget, Scenario, SurplusRule
from cpom.finance.trajectory.services import establishment_bases, replace_imported_measures

OPENING_RESERVES = Decimal("180000.00")
GVT = {"0": "1.4"}  # staff costs drift: seniority and grades (glissement vieillesse technicité)
# The regional median of the association's costliest category, 4 % under its own cost per place: only that
# establishment converges, whatever the amounts of the demo budget.
MEDIAN_GAP = Decimal("0.96")
INVESTMENT_THEMES = {"Patrimoine"}


def _median_target(budget: ReferenceBudget) -> Decimal | None:
    costs = [base.cost_per_place for base in establishment_bases(budget) if base.cost_per_place]
    return (max(costs) * MEDIAN_GAP).quantize(Decimal("100"), rounding=ROUND_DOWN) if costs else None


def _specs(budget: ReferenceBudget) -> list[dict]:
    common = {"expense_rates": GVT, "opening_reserves": OPENING_RESERVES, "convergence_years": 3}
    return [
        {
            **common,
            "name": "Taux régional 1,2 %",
            "envelope_rates": {"0": "1.2"},
            "convergence_target": None,
            "surplus_rule": SurplusRule.RESERVES,
            "deficit_rule": DeficitRule.RESERVE,
        },
        {
            **common,
            "name": "Taux zéro deux ans puis 1 %",
            "envelope_rates": {"0": "0", "1": "0", "2": "1"},
            "convergence_target": None,
            "surplus_rule": SurplusRule.RESERVES,
            "deficit_rule": DeficitRule.RESERVE,
        },
        {
            **common,
            "name": "Convergence vers la médiane",
            "envelope_rates": {"0": "1.2"},
            "convergence_target": _median_target(budget),
            "surplus_rule": SurplusRule.INVESTMENT,
            "deficit_rule": DeficitRule.CARRY_FORWARD,
        },
    ]


@transaction.atomic
def load_demo_scenarios(contract: Contract) -> list[Scenario]:
    """The association's scenarios, with the new measures of its fiches objectifs; nothing without a reference budget."""
    budget = ReferenceBudget.objects.filter(contract=contract).first()
    if budget is None:
        return []
    scenarios = []
    for spec in _specs(budget):
        name = spec.pop("name")
        scenario, _ = Scenario.objects.update_or_create(budget=budget, name=name, defaults=spec)
        replace_imported_measures(scenario)
        scenario.measures.filter(objective__theme__in=INVESTMENT_THEMES).delete()
        scenarios.append(scenario)
    return scenarios


EHPAD_SCENARIO = {
    "name": "Taux de l'autorité 1,5 %",
    "envelope_rates": {"0": "1.5"},
    "expense_rates": GVT,
    "opening_reserves": Decimal("40000.00"),
    "convergence_target": None,
    "convergence_years": 3,
    "surplus_rule": SurplusRule.RESERVES,
    "deficit_rule": DeficitRule.RESERVE,
    "retained": True,
}


@transaction.atomic
def load_demo_retained_scenario(contract: Contract) -> Scenario | None:
    """The EHPAD's retained scenario, before its signature (the readiness check asks for one); a signed contract's
    scenarios are frozen and left as they are."""
    budget = ReferenceBudget.objects.filter(contract=contract).first()
    if budget is None or Contract.objects.get(pk=contract.pk).is_signed:
        return None
    spec = dict(EHPAD_SCENARIO)
    name = spec.pop("name")
    scenario, _ = Scenario.objects.update_or_create(budget=budget, name=name, defaults=spec)
    return scenario
