"""Trajectory screens: the scenarios compared, one scenario year by year, its new measures, the Excel workbook."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from cpom.audit.services import entries_for
from cpom.contracts.models import Contract
from cpom.contracts.pages import contract_page
from cpom.core import numbers
from cpom.finance import rules
from cpom.finance.models import ReferenceBudget, Scenario
from cpom.finance.trajectory import services as scenarios
from cpom.finance.trajectory.charts import Series, bar_chart, line_chart
from cpom.finance.trajectory.export import trajectory_workbook
from cpom.finance.trajectory.forms import MeasureForm, ScenarioForm
from cpom.finance.trajectory.projection import Sums, yearly_rates
from cpom.finance.trajectory.services import ScenarioRefused, ScenarioRun
from cpom.objectives.models import DUE_YEAR_LABELS
from cpom.web.refusals import flash_refusal, show_refusal

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Label, attribute of a year (or of the totals), and whether it details the line above it.
QUANTITIES = [
    ("Enveloppe", "envelope", False),
    ("dont convergence", "convergence", True),
    ("dont mesures nouvelles", "measures_envelope", True),
    ("Autres produits", "other_income", False),
    ("Dépenses", "expenses", False),
    ("dont mesures nouvelles", "measures_expenses", True),
    ("Résultat", "result", False),
]


@dataclass(frozen=True)
class Line:
    label: str
    amounts: list[Decimal]
    total: Decimal | None  # None where adding the years up means nothing (a balance)
    detail: bool = False


def _scenario(contract: Contract, scenario_id) -> Scenario:
    return get_object_or_404(
        Scenario.objects.select_related("budget__contract"), budget__contract=contract, pk=scenario_id
    )


def _require_editor(request, contract: Contract) -> None:
    refusal = rules.scenario_refusal(request.user, contract)
    if refusal:
        raise PermissionDenied(refusal)


def _lines(years: list, totals: Sums) -> list[Line]:
    return [
        Line(label, [getattr(year, attribute) for year in years], getattr(totals, attribute), detail)
        for label, attribute, detail in QUANTITIES
    ]


def _allocation_lines(run: ScenarioRun) -> list[Line]:
    trajectory = run.trajectory
    years = trajectory.years
    return [
        Line("Report de l'année précédente", [y.carried_in for y in years], None),
        Line("Résultat à affecter", [y.to_allocate for y in years], None),
        Line("Affecté aux réserves", [y.to_reserves for y in years], trajectory.to_reserves, True),
        Line("Affecté à l'investissement", [y.to_investment for y in years], trajectory.to_investment, True),
        Line(
            "Déficit couvert par les réserves",
            [y.covered_by_reserves for y in years],
            trajectory.covered_by_reserves,
            True,
        ),
        Line("Report à nouveau", [y.carried_out for y in years], None, True),
        Line("Réserves en fin d'année", [y.reserves for y in years], None),
    ]


@contract_page("trajectory")
def trajectory_list(request, contract):
    budget = scenarios.budget_of(contract)
    runs = scenarios.runs(budget) if budget else []
    labels = list(runs[0].year_labels) if runs else []
    return render(
        request,
        "finance/trajectory/list.html",
        {
            "contract": contract,
            "budget": budget,
            "runs": runs,
            "year_labels": labels,
            "comparison": scenarios.comparison(runs),
            "chart": line_chart(
                labels, [Series(r.scenario.name, [y.sums.envelope for y in r.trajectory.years]) for r in runs]
            ),
            "can_edit": budget is not None and rules.scenario_refusal(request.user, contract) is None,
        },
    )


@contract_page("trajectory")
def trajectory_detail(request, contract, scenario_id):
    scenario = _scenario(contract, scenario_id)
    contract = scenario.budget.contract
    run = scenarios.run(scenario)
    trajectory, labels = run.trajectory, list(run.year_labels)
    establishments = [
        {
            "base": base,
            "finess": run.establishments[base.key].finess,
            "lines": _lines(list(trajectory.rows[base.key]), trajectory.establishment_totals(base.key)),
        }
        for base in trajectory.establishments
    ]
    return render(
        request,
        "finance/trajectory/detail.html",
        {
            "contract": contract,
            "scenario": scenario,
            "run": run,
            "year_labels": labels,
            "rates": list(
                zip(
                    labels,
                    map(numbers.rate, yearly_rates(scenarios.given_rates(scenario.envelope_rates), len(labels))),
                    map(numbers.rate, yearly_rates(scenarios.given_rates(scenario.expense_rates), len(labels))),
                    strict=True,
                )
            ),
            # The other funders' parts grow at their own rates (the budget's growth), beside the scenario's.
            "funder_rates": [
                (growth.authority, [numbers.rate(r) for r in run.trajectory.assumptions.funder_envelope_rates[key]])
                for growth in scenarios.growth_by_funder(scenario.budget)
                if (key := str(growth.authority.pk)) in run.trajectory.assumptions.funder_envelope_rates
            ],
            "establishments": establishments,
            "contract_lines": _lines([y.sums for y in trajectory.years], trajectory.totals) + _allocation_lines(run),
            "money_chart": line_chart(
                labels,
                [
                    Series("Enveloppe", [y.sums.envelope for y in trajectory.years]),
                    Series("Dépenses", [y.sums.expenses for y in trajectory.years]),
                ],
            ),
            "reserves_chart": bar_chart(labels, [y.reserves for y in trajectory.years], "Réserves en fin d'année"),
            "history": entries_for(scenario)[:20],
            "can_edit": rules.scenario_refusal(request.user, contract) is None,
            "read_as": scenarios.fingerprint(scenario),
        },
    )


def _budget_or_redirect(request, contract: Contract) -> ReferenceBudget | None:
    budget = scenarios.budget_of(contract)
    if budget is None:
        messages.error(
            request, "Le budget de référence du contrat n'est pas encore établi : les scénarios partent de lui."
        )
    return budget


def _save(request, contract: Contract, budget: ReferenceBudget, scenario: Scenario | None):
    _require_editor(request, contract)
    form = ScenarioForm(request.POST or None, budget=budget, scenario=scenario)
    if request.method == "POST" and form.is_valid():
        try:
            saved = scenarios.save_scenario(
                budget, request.user, form.scenario_data(), scenario, form.cleaned_data["read_as"]
            )
        except ScenarioRefused as refused:
            show_refusal(request, form, refused)
        else:
            messages.success(request, f"Le scénario « {saved.name} » est enregistré.")
            return redirect("finance:trajectory_detail", contract.pk, saved.pk)
    cancel = (
        reverse("finance:trajectory_detail", args=[contract.pk, scenario.pk])
        if scenario
        else reverse("finance:trajectory_list", args=[contract.pk])
    )
    return render(
        request,
        "finance/trajectory/form.html",
        {
            "contract": contract,
            "scenario": scenario,
            "form": form,
            "cancel_url": cancel,
        },
    )


@contract_page("trajectory")
def trajectory_create(request, contract):
    budget = _budget_or_redirect(request, contract)
    if budget is None:
        return redirect("finance:trajectory_list", contract.pk)
    return _save(request, contract, budget, None)


@contract_page("trajectory")
def trajectory_update(request, contract, scenario_id):
    scenario = _scenario(contract, scenario_id)
    return _save(request, scenario.budget.contract, scenario.budget, scenario)


@contract_page("trajectory")
@require_POST
def trajectory_retain(request, contract, scenario_id):
    scenario = _scenario(contract, scenario_id)
    contract = scenario.budget.contract
    _require_editor(request, contract)
    try:
        scenarios.retain_scenario(scenario, request.user, request.POST.get("read_as", ""))
    except ScenarioRefused as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, f"Le scénario « {scenario.name} » est le scénario retenu pour le contrat.")
    return redirect("finance:trajectory_detail", contract.pk, scenario.pk)


@contract_page("trajectory")
@require_POST
def trajectory_delete(request, contract, scenario_id):
    scenario = _scenario(contract, scenario_id)
    contract = scenario.budget.contract
    _require_editor(request, contract)
    name = scenario.name
    scenarios.delete_scenario(scenario, request.user)
    messages.success(request, f"Le scénario « {name} » est supprimé.")
    return redirect("finance:trajectory_list", contract.pk)


@contract_page("trajectory")
def trajectory_measures(request, contract, scenario_id):
    scenario = _scenario(contract, scenario_id)
    contract = scenario.budget.contract
    can_edit = rules.scenario_refusal(request.user, contract) is None
    if request.method == "POST":
        _require_editor(request, contract)
    form = MeasureForm(request.POST or None, contract=contract)
    if request.method == "POST" and form.is_valid():
        try:
            measure = scenarios.add_measure(scenario, request.user, form.cleaned_data)
        except ScenarioRefused as refused:
            show_refusal(request, form, refused)
        else:
            messages.success(request, f"La mesure « {measure.label} » est ajoutée au scénario.")
            return redirect("finance:trajectory_measures", contract.pk, scenario.pk)
    measures = list(
        scenario.measures.select_related("establishment", "objective").order_by("start_year", "label", "pk")
    )
    managing_body = sum((m.managing_body_means for m in measures), Decimal(0))
    authority = sum((m.authority_means for m in measures), Decimal(0))
    return render(
        request,
        "finance/trajectory/measures.html",
        {
            "contract": contract,
            "scenario": scenario,
            "form": form if can_edit else None,
            "can_edit": can_edit,
            "rows": [
                {
                    "measure": m,
                    "start": DUE_YEAR_LABELS[m.start_year],
                    "cost": m.managing_body_means + m.authority_means,
                }
                for m in measures
            ],
            "totals": {"managing_body": managing_body, "authority": authority, "cost": managing_body + authority},
        },
    )


@contract_page("trajectory")
@require_POST
def trajectory_measure_delete(request, contract, scenario_id):
    scenario = _scenario(contract, scenario_id)
    contract = scenario.budget.contract
    _require_editor(request, contract)
    measure_id = request.POST.get("mesure", "")
    try:
        if not measure_id.isdigit():
            raise ScenarioRefused("La demande ne dit pas quelle mesure retirer.")
        scenarios.remove_measure(scenario, request.user, int(measure_id))
    except ScenarioRefused as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, "La mesure est retirée du scénario.")
    return redirect("finance:trajectory_measures", contract.pk, scenario.pk)


@contract_page("trajectory")
@require_POST
def trajectory_measures_import(request, contract, scenario_id):
    scenario = _scenario(contract, scenario_id)
    contract = scenario.budget.contract
    _require_editor(request, contract)
    imported = scenarios.import_measures(scenario, request.user)
    if imported:
        objectives = len({m.objective_id for m in imported})
        messages.success(
            request,
            f"Mesures importées des fiches objectifs : {_count(len(imported), 'mesure')} "
            f"pour {_count(objectives, 'objectif')}.",
        )
    else:
        messages.info(request, "Aucune fiche objectif acceptée et financée ne porte de moyens : rien à importer.")
    return redirect("finance:trajectory_measures", contract.pk, scenario.pk)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


@contract_page("trajectory")
def trajectory_export(request, contract):
    budget = _budget_or_redirect(request, contract)
    if budget is None:
        return redirect("finance:trajectory_list", contract.pk)
    response = HttpResponse(trajectory_workbook(contract, scenarios.runs(budget)), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"trajectoire-{contract.reference}.xlsx")
    response["X-Content-Type-Options"] = "nosniff"
    return response
