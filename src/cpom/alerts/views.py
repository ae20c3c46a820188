"""The alerts' pages: a contract's alerts, the alerts of every contract the user sees, and the acknowledgement.
Thin: the services compute and record, the rules decide who may."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cpom.access import visible
from cpom.contracts.models import Contract
from cpom.contracts.pages import contract_page
from cpom.web.refusals import flash_refusal

from . import rules, services
from .forms import AcknowledgeForm
from .models import Alert, Kind

ALERTS = Alert.objects.select_related("contract", "establishment", "acknowledged_by")


def _filtered(request, alerts):
    """The list's filters, as the form below the title gives them: kind, contract, acknowledged or not, open or all."""
    chosen = {
        "kind": request.GET.get("type", ""),
        "contract": request.GET.get("contrat", ""),
        "acknowledged": request.GET.get("prise_en_compte", ""),
        "all": request.GET.get("toutes", ""),
    }
    if chosen["kind"] in Kind.values:
        alerts = alerts.filter(kind=chosen["kind"])
    if chosen["contract"].isdigit():
        alerts = alerts.filter(contract_id=int(chosen["contract"]))
    if chosen["acknowledged"] == "oui":
        alerts = alerts.filter(acknowledged_at__isnull=False)
    elif chosen["acknowledged"] == "non":
        alerts = alerts.filter(acknowledged_at__isnull=True)
    if chosen["all"] != "oui":
        alerts = alerts.open()
    return alerts, chosen


@contract_page("alerts")
def contract_alerts(request, contract):
    alerts, chosen = _filtered(request, ALERTS.filter(contract=contract))
    return render(
        request,
        "alerts/contract_alerts.html",
        {
            "contract": contract,
            "alerts": alerts,
            "chosen": chosen,
            "kinds": Kind.choices,
            "may_acknowledge": rules.acknowledge_refusal(request.user, contract) is None,
        },
    )


@login_required
def alert_list(request):
    contracts = visible(request.user, Contract.objects.all())
    alerts, chosen = _filtered(request, visible(request.user, ALERTS.all()))
    return render(
        request,
        "alerts/alert_list.html",
        {
            "alerts": alerts,
            "chosen": chosen,
            "kinds": Kind.choices,
            "contracts": contracts.filter(alerts__isnull=False).distinct().order_by("reference"),
        },
    )


@contract_page("alerts")
@require_POST
def acknowledge(request, contract, alert_id):
    alert = get_object_or_404(ALERTS, contract=contract, pk=alert_id)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, rules.COMMENT_REQUIRED)
    else:
        try:
            services.acknowledge(request.user, alert, form.cleaned_data["comment"], form.cleaned_data["version"])
        except services.AcknowledgementRefused as refused:
            flash_refusal(request, refused)
        else:
            messages.success(request, "L'alerte est prise en compte ; votre commentaire est enregistré.")
    return redirect("alerts:contract", contract_id=contract.pk)
