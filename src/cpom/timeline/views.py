"""The contract's history page and its PDF. Thin: the services read the sources, the page shows them."""

from django.contrib import messages
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from cpom.contracts.pages import contract_page
from cpom.documents.http import document_response
from cpom.history_sources import kinds

from . import services
from .document import timeline_pdf, when


@contract_page("history")
@require_safe
def history(request, contract):
    filters, errors = services.read_filters(contract, request.GET)
    for error in errors:
        messages.error(request, error)
    labels = services.kind_labels()
    events = services.history(contract, filters)
    return render(
        request,
        "timeline/history.html",
        {
            "contract": contract,
            "rows": [(when(event), labels.get(event.kind, event.kind), event) for event in events],
            "filters": filters,
            "kinds": kinds(),
            "parties": services.parties(contract) + [services.PLATFORM],
            "query": request.GET.urlencode(),
        },
    )


@contract_page("history")
@require_safe
def history_pdf(request, contract):
    filters, _ = services.read_filters(contract, request.GET)
    data = timeline_pdf(contract, services.history(contract, filters), filters, timezone.localdate())
    return document_response(data, f"historique-{contract.reference}", "pdf")
