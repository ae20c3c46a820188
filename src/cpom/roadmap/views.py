"""The managing body's portfolio (and its tables in Excel) and the fiche établissement. Thin: the services read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from cpom.access import visible
from cpom.documents.http import document_response
from cpom.registry.models import Establishment, ManagingBody
from cpom.web.views import visible_or_404

from . import rules, services
from .exports import TABLES, table_workbook


def _managing_body(request, managing_body_id):
    managing_body = get_object_or_404(ManagingBody, pk=managing_body_id)
    if not rules.may_see_portfolio(request.user, managing_body):
        raise Http404  # as for a body that does not exist
    return managing_body


def _portfolio(request, managing_body):
    filters, errors = services.read_filters(request.GET)
    return services.portfolio(request.user, managing_body, timezone.localdate(), filters), errors


@login_required
def portfolio(request, managing_body_id):
    managing_body = _managing_body(request, managing_body_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    result, errors = _portfolio(request, managing_body)
    for error in errors:
        messages.error(request, error)
    return render(
        request,
        "roadmap/portfolio.html",
        {
            "managing_body": managing_body,
            "portfolio": result,
            "horizons": services.horizons(),
            "chosen_horizon": result.filters.horizon or services.default_horizon(),
            "query": request.GET.urlencode(),
            "tables": TABLES,
            "establishments": visible(request.user, managing_body.establishments.order_by("name")),
        },
    )


@login_required
def portfolio_export(request, managing_body_id, table):
    managing_body = _managing_body(request, managing_body_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    if table not in TABLES:
        raise Http404
    result, _ = _portfolio(request, managing_body)
    name = f"portefeuille-{slugify(managing_body.name)}-{table}"
    return document_response(table_workbook(table, result), name, "xlsx")


@login_required
@require_safe
def establishment_sheet(request, finess):
    establishment = visible_or_404(request.user, Establishment.objects.select_related("managing_body"), finess=finess)
    return render(
        request,
        "roadmap/establishment_sheet.html",
        {
            "establishment": establishment,
            "sheets": services.establishment_sheet(request.user, establishment, timezone.localdate()),
        },
    )
