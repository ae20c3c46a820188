"""Reference screens of the finance app: national mean costs per place, and the chart of accounts in force."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render

from cpom.access import Side as MembershipSide
from cpom.access import membership_of
from cpom.core.locking import STALE_STATUS, StaleWrite
from cpom.core.text import plural
from cpom.finance import rules
from cpom.finance.accounting.services import chart_for
from cpom.finance.models import GROUP_LABELS, ChartOfAccounts, FunctionalGroup, Side
from cpom.finance.reference import services as reference_costs
from cpom.finance.reference.forms import mean_cost_entries
from cpom.registry.models import Authority


@login_required
def mean_costs(request, year=None):
    """« Coûts moyens de référence »: everyone signed in reads; the platform and ARS validators edit."""
    year = year if year is not None else reference_costs.latest_year()
    if not reference_costs.is_valid_year(year):
        raise Http404
    refusal = rules.mean_costs_refusal(request.user)
    may_edit = refusal is None
    rows = reference_costs.mean_costs(year)
    shown = {row.category: reference_costs.format_amount(row.value) for row in rows}
    errors, stale, status = {}, "", 200
    if request.method == "POST":
        if refusal:
            raise PermissionDenied(refusal)
        entries = mean_cost_entries(request.POST)
        try:
            changes = reference_costs.save_mean_costs(request.user, year, entries, request.POST.get("read_as"))
        except reference_costs.ReferenceCostError as error:
            errors, shown, status = error.errors, {**shown, **entries}, 400
        except StaleWrite as refused:
            stale, shown, status = str(refused), {**shown, **entries}, STALE_STATUS
        else:
            messages.success(request, f"Coûts moyens {year} enregistrés ({plural(changes, 'modification')}).")
            return redirect("finance:reference_costs_year", year=year)
    return render(
        request,
        "finance/reference/mean_costs.html",
        {
            "year": year,
            "may_edit": may_edit,
            "errors": errors,
            "stale": stale,
            "read_as": reference_costs.read_as(year),
            "other_years": [y for y in (year - 1, year + 1) if reference_costs.is_valid_year(y)],
            "rows": [(row, shown.get(row.category, ""), errors.get(row.category)) for row in rows],
        },
        status=status,
    )


def _authority_shown(request) -> Authority | None:
    """The authority picked in the list, else the user's own (authority users), else none (national frame)."""
    picked = request.GET.get("autorite", "")
    if picked.isdigit():
        return Authority.objects.filter(pk=int(picked), charts__isnull=False).first()
    m = membership_of(request.user)
    return m.authority if m is not None and m.side == MembershipSide.AUTHORITY else None


@login_required
def chart(request):
    """« Regroupement des comptes »: the rules in force for an authority, by side and functional group."""
    authority = _authority_shown(request)
    in_force = chart_for(authority)
    sections = [
        (
            side.label,
            [(GROUP_LABELS[(side, group)], in_force.rules_of(side, group)) for group in FunctionalGroup.values],
        )
        for side in Side
    ]
    return render(
        request,
        "finance/reference/chart.html",
        {
            "chart": in_force,
            "authority": authority,
            "sections": sections,
            "authorities_with_own_chart": Authority.objects.filter(
                pk__in=ChartOfAccounts.objects.exclude(authority=None).values("authority")
            ),
        },
    )
