from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cpom.access import Side, membership_of, visible
from cpom.audit.services import entries_for
from cpom.indicators.models import IndicatorValue
from cpom.indicators.services import consolidated_for
from cpom.registry.models import Authority, Establishment, ManagingBody
from cpom.web.refusals import flash_refusal, forbid, show_refusal

from . import guards, lifecycle, parties, rules, services
from .deadlines import deadlines, next_deadline
from .forms import ContractForm, TransitionForm, establishments_for
from .models import OPEN_STATES, Contract, State
from .pages import contract_page

# Before signature the blockers are worth a glance from the contract page; after it they are history.
READINESS_STATES = OPEN_STATES | {State.READY_FOR_SIGNATURE}


def _contracts_of(user):
    return visible(user, Contract.objects.select_related("managing_body").prefetch_related("parties__authority"))


@login_required
def home(request):
    """« Mes contrats »: every contract the user's organisation is party to, soonest deadline first."""
    today = timezone.localdate()
    contracts = _contracts_of(request.user)
    state = request.GET.get("etat", "")
    if state in State.values:
        contracts = contracts.filter(state=state)
    rows = [(c, next_deadline(c, today)) for c in contracts]
    rows.sort(key=lambda row: (row[1] is None, row[1].day if row[1] else None, row[0].reference))
    context = {
        "rows": rows,
        "states": State.choices,
        "selected_state": state,
        "can_create": rules.can_create_contract(request.user),
    }
    template = "contracts/_contract_table.html" if request.htmx else "contracts/home.html"
    return render(request, template, context)


@contract_page("indicators")
def contract_indicators(request, contract):
    """The perimeter's indicators consolidated per homogeneous category, for one year."""
    years = sorted(
        IndicatorValue.objects.filter(establishment__in=contract.establishments.all())
        .values_list("year", flat=True)
        .distinct(),
        reverse=True,
    )
    year = int(request.GET["annee"]) if request.GET.get("annee", "").isdigit() else (years[0] if years else None)
    rows = consolidated_for(contract.establishments.all(), year) if year else []
    return render(
        request,
        "contracts/contract_indicators.html",
        {"contract": contract, "years": years, "year": year, "rows": rows},
    )


@contract_page("contract")
def contract_detail(request, contract):
    today = timezone.localdate()
    with guards.checking(contract):
        return _render_detail(request, contract, today)


def _render_detail(request, contract, today):
    return render(
        request,
        "contracts/contract_detail.html",
        {
            "contract": contract,
            "establishments": contract.establishments.select_related("managing_body").order_by("category", "name"),
            "deadlines": deadlines(contract),
            "next_deadline": next_deadline(contract, today),
            "transitions": contract.transitions.select_related("user"),
            "options": lifecycle.options_for(contract, request.user, today),
            "readiness_count": len(guards.blockers(contract)) if contract.state in READINESS_STATES else 0,
            "can_edit": rules.can_edit_contract(request.user, contract),
            "awaiting": parties.awaiting(contract),
            "can_answer": rules.may_answer_party_requests(request.user, contract),
            "audit": entries_for(contract)[:20],
            "today": today,
        },
    )


def _form_choices(user, managing_body=None) -> dict:
    membership = membership_of(user)
    lead_authorities = (
        Authority.objects.all()
        if membership.side == Side.PLATFORM
        else Authority.objects.filter(pk=membership.authority_id)
    )
    competent = (
        parties.competent_authorities(parties.competence_scope(managing_body, []))
        if managing_body
        else Authority.objects.none()
    )
    # An authority user programming a contract, or editing it, is its lead: only the lead proposes an outsider.
    outside = None
    if membership.side == Side.AUTHORITY:
        outside = (
            Authority.objects.exclude(pk__in=competent.values("pk")) if managing_body else Authority.objects.none()
        )
    return {
        "user": user,
        "managing_bodies": visible(user, ManagingBody.objects.all()),
        "lead_authorities": lead_authorities,
        "establishments": establishments_for(managing_body, visible(user, Establishment.objects.all())),
        "competent_authorities": competent,
        "outside_authorities": outside,
    }


def _awaiting_message(request, contract) -> None:
    for party in parties.awaiting(contract):
        messages.info(
            request,
            f"{party.authority} n'est pas compétente pour le périmètre du contrat : elle ne verra "
            "rien du contrat tant que l'organisme gestionnaire ne l'aura pas acceptée comme cosignataire.",
        )


def _selected_managing_body(request):
    managing_body_id = request.POST.get("managing_body") or request.GET.get("managing_body")
    if not (managing_body_id or "").isdigit():
        return None
    return visible(request.user, ManagingBody.objects.all()).filter(pk=managing_body_id).first()


@login_required
def contract_create(request):
    forbid(rules.create_refusal(request.user))
    form = ContractForm(request.POST or None, **_form_choices(request.user, _selected_managing_body(request)))
    if request.method == "POST" and form.is_valid():
        contract = services.program_contract(request.user, form.cleaned_data)
        messages.success(request, f"Le contrat {contract.reference} est inscrit à la programmation.")
        _awaiting_message(request, contract)
        return redirect("contracts:detail", contract_id=contract.pk)
    return render(request, "contracts/contract_form.html", {"form": form})


@contract_page("contract")
def contract_update(request, contract):
    forbid(rules.edit_refusal(request.user, contract))
    form = ContractForm(request.POST or None, instance=contract, **_form_choices(request.user, contract.managing_body))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_contract(contract, request.user, form.cleaned_data, form.cleaned_data["version"])
        except lifecycle.StaleContract as refused:
            show_refusal(request, form, refused)
        else:
            messages.success(request, "Le cadre du contrat a été mis à jour.")
            _awaiting_message(request, contract)
            return redirect("contracts:detail", contract_id=contract.pk)
    return render(request, "contracts/contract_form.html", {"form": form, "contract": contract})


@login_required
def perimeter_choices(request):
    """htmx: the perimeter checkboxes for the managing body just chosen in the form."""
    form = ContractForm(**_form_choices(request.user, _selected_managing_body(request)))
    return render(request, "contracts/_perimeter_field.html", {"form": form, "swap_parties": True})


def _answer_party(request, contract, party_id, answer, done: str):
    try:
        party = answer(contract, party_id, request.user)
    except parties.PartiesRefused as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, f"{party.authority} {done}.")
    return redirect("contracts:detail", contract_id=contract.pk)


@contract_page("contract")
@require_POST
def party_accept(request, contract, party_id):
    """The managing body accepts a co-signatory outside its competence."""
    return _answer_party(
        request,
        contract,
        party_id,
        services.accept_party,
        "est acceptée comme cosignataire : elle voit désormais le contrat et son périmètre",
    )


@contract_page("contract")
@require_POST
def party_decline(request, contract, party_id):
    """The managing body declines a co-signatory outside its competence."""
    return _answer_party(request, contract, party_id, services.decline_party, "n'est plus partie au contrat")


@contract_page("contract")
@require_POST
def contract_transition(request, contract):
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "La demande de changement d'état est incomplète.")
        return redirect("contracts:detail", contract_id=contract.pk)
    # The version the user saw: a change made meanwhile by someone else is refused, never overwritten.
    contract.version = form.cleaned_data["version"]
    try:
        lifecycle.transition(contract, form.cleaned_data["to_state"], request.user, form.cleaned_data["comment"])
    except lifecycle.TransitionRefused as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, f"Le contrat est maintenant « {contract.get_state_display()} ».")
    return redirect("contracts:detail", contract_id=contract.pk)
