"""What the contract's money still lacks before signature: the generated contract prints the reference budget, each
funder's growth mode (Titre 3.8) and the retained trajectory; each missing piece is a blocker of the readiness check
(registered as a guard of cpom.contracts.guards when the app is ready), with the page where to fix it."""

from django.urls import reverse

from cpom.contracts.guards import Blocker
from cpom.contracts.models import Contract
from cpom.core.text import the
from cpom.finance.budget.services import growth_by_funder
from cpom.finance.models import ReferenceBudget
from cpom.finance.trajectory.services import retained_scenario


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def blockers(contract: Contract) -> list[Blocker]:
    """The budget's and the trajectory's blockers of ``contract``; empty when the document has what it needs."""
    budget = ReferenceBudget.objects.filter(contract=contract).first()
    budget_url = reverse("finance:budget_detail", kwargs={"contract_id": contract.pk})
    result = []
    if budget is None or not budget.lines.exists():
        result.append(
            Blocker(
                "no_reference_budget",
                "Le budget de référence n'est pas saisi : la dotation globalisée commune du contrat en découle.",
                budget_url,
            )
        )
    if budget is not None:
        for growth in growth_by_funder(budget):
            if growth.mode is None:
                result.append(
                    Blocker(
                        "no_growth_mode",
                        f"{_capital(the(str(growth.authority)))} n'a pas fixé le mode d'évolution de sa dotation "
                        "(titre 3 du contrat).",
                        reverse(
                            "finance:budget_growth",
                            kwargs={"contract_id": contract.pk, "authority_id": growth.authority.pk},
                        ),
                    )
                )
    if retained_scenario(budget) is None:
        result.append(
            Blocker(
                "no_retained_scenario",
                "Aucun scénario de trajectoire n'est retenu : retenez celui sur lequel le contrat est signé.",
                reverse("finance:trajectory_list", kwargs={"contract_id": contract.pk}),
            )
        )
    return result
