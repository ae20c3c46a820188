from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cpom.audit.services import entries_for
from cpom.contracts import guards
from cpom.contracts.models import Contract
from cpom.contracts.pages import contract_page
from cpom.contracts.rules import contract_side
from cpom.indicators.models import Kind
from cpom.web.refusals import flash_refusal, forbid, show_refusal

from . import negotiation, readiness, rules, services
from .charts import priority_matrix
from .examples import collection
from .forms import IndicatorForm, MilestoneForm, NegotiationForm, ObjectiveForm, SheetForm
from .models import FollowUpIndicator, Funding, Level, Milestone, Objective, ObjectiveSheet, Status
from .values import ValueRefused

REFUSALS = (negotiation.NegotiationRefused, ValueRefused)


def _objective(contract: Contract, objective_id) -> Objective:
    return get_object_or_404(
        contract.objectives.select_related("contract", "parent", "proposed_by_authority"), pk=objective_id
    )


def _tree(contract: Contract) -> list[tuple[Objective, list[tuple[Objective, list[Objective]]]]]:
    objectives = list(
        contract.objectives.select_related("proposed_by_authority").prefetch_related("indicators").order_by("pk")
    )
    children = {}
    for objective in objectives:
        children.setdefault(objective.parent_id, []).append(objective)
    for members in children.values():
        members.sort(key=readiness.number_order)
    return [
        (strategic, [(operational, children.get(operational.pk, [])) for operational in children.get(strategic.pk, [])])
        for strategic in children.get(None, [])
    ]


@contract_page("objectives")
def objective_list(request, contract):
    tree = _tree(contract)
    operational = [o for _, ops in tree for o, _ in ops]
    limits = readiness.limits_for(contract)
    return render(
        request,
        "objectives/objective_list.html",
        {
            "contract": contract,
            "tree": tree,
            "limits": limits,
            "strategic_count": len(tree),
            "operational_count": sum(
                1 for o in operational if o.funding == Funding.FUNDED and o.status != Status.REJECTED
            ),
            "blockers": guards.blockers(contract),
            "matrix": priority_matrix([o for o in operational if o.status != Status.REJECTED]),
            "can_propose": rules.may_propose(request.user, contract),
        },
    )


@contract_page("readiness")
def readiness_page(request, contract):
    return render(request, "objectives/readiness.html", {"contract": contract, "blockers": guards.blockers(contract)})


@contract_page("objectives")
def objective_create(request, contract):
    forbid(rules.proposal_refusal(request.user, contract))
    level = request.GET.get("niveau", Level.OPERATIONAL)
    if level not in Level.values:
        raise Http404("Niveau d'objectif inconnu.")
    initial = {"parent": request.GET.get("parent")} if request.GET.get("parent", "").isdigit() else {}
    form = ObjectiveForm(request.POST or None, contract=contract, level=level, initial=initial)
    sheet_form = SheetForm(request.POST or None) if level == Level.OPERATIONAL else None
    if request.method == "POST" and form.is_valid() and (sheet_form is None or sheet_form.is_valid()):
        try:
            objective = services.propose(
                contract,
                request.user,
                {**form.cleaned_data, "level": level},
                sheet_form.cleaned_data if sheet_form else None,
            )
        except REFUSALS as refused:
            show_refusal(request, form, refused)
        else:
            messages.success(request, f"L'objectif {objective.number} est proposé aux autres parties.")
            return redirect(objective)
    return render(
        request,
        "objectives/objective_form.html",
        {
            "contract": contract,
            "form": form,
            "sheet_form": sheet_form,
            "level": Level(level),
        },
    )


@contract_page("objectives")
def objective_update(request, contract, objective_id):
    objective = _objective(contract, objective_id)
    forbid(rules.edit_refusal(request.user, objective))
    sheet = ObjectiveSheet.objects.filter(objective=objective).first()
    form = ObjectiveForm(request.POST or None, instance=objective, contract=objective.contract, level=objective.level)
    sheet_form = SheetForm(request.POST or None, instance=sheet) if objective.level == Level.OPERATIONAL else None
    if request.method == "POST" and form.is_valid() and (sheet_form is None or sheet_form.is_valid()):
        try:
            # The form wrote the new values on its instance; the service applies them to a fresh, locked copy.
            services.update(
                objective,
                request.user,
                form.cleaned_data,
                sheet_form.cleaned_data if sheet_form else None,
                form.cleaned_data["version"],
            )
        except REFUSALS as refused:
            show_refusal(request, form, refused)
        else:
            messages.success(
                request, "La nouvelle version de l'objectif est enregistrée ; les accords précédents sont à redonner."
            )
            return redirect(objective)
    return render(
        request,
        "objectives/objective_form.html",
        {
            "contract": objective.contract,
            "form": form,
            "sheet_form": sheet_form,
            "level": Level(objective.level),
            "objective": objective,
        },
    )


def _indicators_by_kind(objective: Objective) -> list[tuple[str, list[FollowUpIndicator]]]:
    indicators = list(objective.indicators.select_related("catalogue_indicator").prefetch_related("targets"))
    return [(label, [i for i in indicators if i.kind == kind]) for kind, label in Kind.choices]


@contract_page("objectives")
def objective_detail(request, contract, objective_id):
    objective = _objective(contract, objective_id)
    contract = objective.contract
    side = contract_side(request.user, contract)
    history = [e for e in entries_for(objective) if e.action.startswith(("Version", "Copié", "Changement"))]
    return render(
        request,
        "objectives/objective_detail.html",
        {
            "contract": contract,
            "objective": objective,
            "sheet": ObjectiveSheet.objects.filter(objective=objective).first(),
            "children": sorted(objective.children.all(), key=readiness.number_order),
            "indicators_by_kind": _indicators_by_kind(objective),
            "due_years": list(range(contract.duration_years)),
            "milestones": objective.milestones.all(),
            "agreements": negotiation.agreement_state(objective),
            "unconcerned": negotiation.unconcerned(objective),
            "thread": objective.messages.select_related("author"),
            "history": history,
            "blockers": [b for b in readiness.blockers(contract) if b.url.startswith(objective.get_absolute_url())],
            "can_edit": rules.may_edit(request.user, objective),
            "can": {
                action: negotiation.may(objective, request.user, action)
                for action in ("agree", "reject", "reopen", "comment")
            },
            "side": side,
            "milestone_form": MilestoneForm(objective=objective),
        },
    )


@contract_page("objectives")
@require_POST
def negotiate(request, contract, objective_id):
    objective = _objective(contract, objective_id)
    form = NegotiationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "La demande est incomplète.")
        return redirect(objective)
    action, text, version = form.cleaned_data["action"], form.cleaned_data["text"], form.cleaned_data["version"]
    try:
        if action == "agree":
            negotiation.agree(objective, request.user, version)
        elif action == "reject":
            negotiation.reject(objective, request.user, text)
        elif action == "reopen":
            negotiation.reopen(objective, request.user, text)
        else:
            negotiation.comment(objective, request.user, text)
    except negotiation.NegotiationRefused as refused:
        flash_refusal(request, refused)
    else:
        objective.refresh_from_db()
        messages.success(request, f"C'est noté. Statut de l'objectif : « {objective.get_status_display()} ».")
    return redirect(f"{objective.get_absolute_url()}#negociation")


@contract_page("objectives")
def indicator_edit(request, contract, objective_id, follow_up_id=None):
    objective = _objective(contract, objective_id)
    forbid(rules.edit_refusal(request.user, objective))
    indicator = get_object_or_404(objective.indicators, pk=follow_up_id) if follow_up_id else None
    form = IndicatorForm(request.POST or None, instance=indicator, objective=objective)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_indicator(
                objective, request.user, form.cleaned_data, form.targets(), form.cleaned_data["version"], indicator
            )
        except REFUSALS as refused:
            show_refusal(request, form, refused)
        else:
            messages.success(request, "L'indicateur de suivi est enregistré.")
            return redirect(f"{objective.get_absolute_url()}#indicateurs")
    return render(
        request,
        "objectives/indicator_form.html",
        {
            "contract": objective.contract,
            "objective": objective,
            "form": form,
            "indicator": indicator,
            "own_fields": ["label", "kind", "value_type", "method", "unit", "data_source", "direction", "tolerance"],
        },
    )


@contract_page("objectives")
@require_POST
def indicator_delete(request, contract, objective_id, follow_up_id):
    objective = _objective(contract, objective_id)
    indicator = get_object_or_404(objective.indicators, pk=follow_up_id)
    _apply(
        request,
        objective,
        lambda version: services.delete_indicator(objective, request.user, indicator, version),
        "L'indicateur est retiré.",
    )
    return redirect(f"{objective.get_absolute_url()}#indicateurs")


def _apply(request, objective, action, success: str) -> None:
    version = request.POST.get("version", "")
    if not version.isdigit():
        messages.error(request, "La demande est incomplète.")
        return
    try:
        action(int(version))
    except REFUSALS as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, success)


@contract_page("objectives")
@require_POST
def milestone_add(request, contract, objective_id):
    objective = _objective(contract, objective_id)
    form = MilestoneForm(request.POST, objective=objective)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(f"{objective.get_absolute_url()}#calendrier")
    data = form.cleaned_data
    _apply(
        request,
        objective,
        lambda version: services.save_milestone(objective, request.user, data["label"], data["due_date"], version),
        "L'étape est ajoutée au calendrier.",
    )
    return redirect(f"{objective.get_absolute_url()}#calendrier")


@contract_page("objectives")
@require_POST
def milestone_delete(request, contract, objective_id, milestone_id):
    objective = _objective(contract, objective_id)
    milestone = get_object_or_404(Milestone, objective=objective, pk=milestone_id)
    _apply(
        request,
        objective,
        lambda version: services.delete_milestone(objective, request.user, milestone, version),
        "L'étape est retirée du calendrier.",
    )
    return redirect(f"{objective.get_absolute_url()}#calendrier")


@contract_page("objectives")
@require_POST
def refresh_baselines(request, contract, objective_id):
    objective = _objective(contract, objective_id)
    _apply(
        request,
        objective,
        lambda version: services.refresh_baselines(objective, request.user, version),
        "Les situations actuelles reprennent les dernières valeurs calculées.",
    )
    return redirect(f"{objective.get_absolute_url()}#indicateurs")


@contract_page("objectives")
def examples(request, contract):
    return render(
        request,
        "objectives/examples.html",
        {
            "contract": contract,
            "collection": collection(),
            "strategic": contract.objectives.filter(level=Level.STRATEGIC).order_by("number"),
            "can_copy": rules.may_propose(request.user, contract),
        },
    )


@contract_page("objectives")
@require_POST
def copy_example(request, contract):
    forbid(rules.proposal_refusal(request.user, contract))
    example = collection().get(request.POST.get("example", ""))
    parent = contract.objectives.filter(level=Level.STRATEGIC, pk=request.POST.get("parent") or 0).first()
    if example is None or parent is None:
        messages.error(request, "Choisissez un exemple et l'objectif stratégique auquel le rattacher.")
        return redirect("objectives:examples", contract_id=contract.pk)
    try:
        objective = services.copy_example(contract, request.user, example, parent)
    except REFUSALS as refused:
        flash_refusal(request, refused)
        return redirect("objectives:examples", contract_id=contract.pk)
    messages.success(
        request,
        f"L'exemple est copié comme objectif {objective.number} : adaptez-le, fixez situation actuelle et cibles.",
    )
    return redirect(objective)
