"""The authority's portfolio and programming pages, and their exports. Thin: :mod:`.portfolio` and
:mod:`.programming` read, :mod:`.services` write, :mod:`.rules` decide who may."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from cpom.documents.http import document_response
from cpom.web.refusals import flash_refusal, forbid, show_refusal

from . import exports, rules, services
from .forms import ChooseBodyForm, ProgrammingEntryForm
from .models import ProgrammingEntry
from .portfolio import Filters, filter_choices, portfolio
from .programming import programming

PAGE_SIZE_KEY = "page_size"


def _context_line(authority, chosen: Filters, today) -> str:
    parts = [authority.name, f"au {today.strftime('%d/%m/%Y')}"]
    if chosen.describe():
        parts.append(f"filtres : {chosen.describe()}")
    return " – ".join(parts)


def _shown(table, size: int) -> str:
    """Said under a table shown in part: the export holds every line."""
    if table.count <= size:
        return ""
    return f"{table.count} lignes, les {size} premières ci-dessus ; l'export Excel les donne toutes"


@login_required
def portfolio_page(request, authority_id):
    authority = rules.authority_or_404(request.user, authority_id)
    chosen = Filters.read(request.GET, authority)
    today = timezone.localdate()
    found = portfolio(authority, chosen, today)
    size = settings.CPOM_PORTFOLIO[PAGE_SIZE_KEY]
    page = Paginator(found.contract_table.rows, size).get_page(request.GET.get("page"))
    return render(
        request,
        "portfolios/portfolio.html",
        {
            "authority": authority,
            "portfolio": found,
            "chosen": chosen,
            "query": chosen.query(),
            "choices": filter_choices(authority),
            "contract_page": page,
            "deadline_days": settings.CPOM_PORTFOLIO["deadline_days"],
            "deadline_rows": found.deadlines.rows[:size],
            "deadline_note": _shown(found.deadlines, size),
            "outside_rows": found.outside.rows[:size],
            "outside_note": _shown(found.outside, size),
        },
    )


@login_required
def portfolio_export(request, authority_id, table):
    authority = rules.authority_or_404(request.user, authority_id)
    chosen = Filters.read(request.GET, authority)
    today = timezone.localdate()
    found = portfolio(authority, chosen, today)
    tables = found.tables() if table == "tout" else [found.table(table)]
    if None in tables:
        raise Http404
    name = f"portefeuille-{authority.kind}-{authority.territory}-{table}"
    return document_response(exports.workbook(tables, _context_line(authority, chosen, today)), name, "xlsx")


def _first_year(request) -> int:
    year = request.GET.get("debut", "")
    today = timezone.localdate()
    return int(year) if year.isdigit() and today.year - 10 <= int(year) <= today.year + 10 else today.year


@login_required
def programming_page(request, authority_id):
    authority = rules.authority_or_404(request.user, authority_id)
    chosen = Filters.read(request.GET, authority)
    first = _first_year(request)
    found = programming(authority, first, chosen)
    today = timezone.localdate()
    return render(
        request,
        "portfolios/programming.html",
        {
            "authority": authority,
            "programming": found,
            "chosen": chosen,
            "first": first,
            "first_years": list(range(today.year - 3, today.year + 4)),
            "query": "&".join(p for p in (f"debut={first}", chosen.query()) if p),
            "choices": filter_choices(authority),
            "may_write": rules.write_refusal(request.user, authority) is None,
        },
    )


@login_required
def programming_export(request, authority_id, extension):
    authority = rules.authority_or_404(request.user, authority_id)
    found = programming(authority, _first_year(request), Filters.read(request.GET, authority))
    today = timezone.localdate()
    name = f"programmation-{authority.kind}-{authority.territory}-{found.years[0]}-{found.years[-1]}"
    if extension == "docx":
        return document_response(exports.annex_docx(found, today), name, "docx")
    if extension == "xlsx":
        return document_response(exports.annex_xlsx(found, today), name, "xlsx")
    raise Http404


def _entry_page(request, authority, form, entry=None, status=200):
    if status != 200:  # a refused save: 409 when it was based on an outdated copy (cpom.web.refusals)
        status = getattr(request, "cpom_status", None) or status
    return render(
        request,
        "portfolios/entry_form.html",
        {"authority": authority, "form": form, "entry": entry, "managing_body": form.managing_body},
        status=status,
    )


@login_required
def entry_create(request, authority_id):
    authority = rules.authority_or_404(request.user, authority_id)
    forbid(rules.write_refusal(request.user, authority))
    chooser = ChooseBodyForm(request.GET or None, user=request.user)
    if not chooser.is_valid():
        return render(request, "portfolios/entry_choose.html", {"authority": authority, "chooser": chooser})
    body = chooser.cleaned_data["managing_body"]
    if request.method != "POST":
        form = ProgrammingEntryForm(
            user=request.user,
            authority=authority,
            managing_body=body,
            initial={"authorities": [authority.pk], "target_year": timezone.localdate().year + 1},
        )
        return _entry_page(request, authority, form)
    form = ProgrammingEntryForm(request.POST, user=request.user, authority=authority, managing_body=body)
    if form.is_valid():
        try:
            entry = services.create_entry(request.user, authority, form.data_for_service())
        except services.ProgrammingRefused as refused:
            show_refusal(request, form, refused)
        else:
            messages.success(request, f"« {entry} » est ajouté à la programmation.")
            return redirect("portfolios:programming", authority_id=authority.pk)
    return _entry_page(request, authority, form, status=400)


@login_required
def entry_update(request, authority_id, entry_id):
    authority = rules.authority_or_404(request.user, authority_id)
    entry = get_object_or_404(
        ProgrammingEntry.objects.select_related("managing_body"), pk=entry_id, authorities=authority
    )
    forbid(rules.write_refusal(request.user, authority, entry))
    body = entry.managing_body
    if request.method != "POST":
        form = ProgrammingEntryForm(
            user=request.user,
            authority=authority,
            managing_body=body,
            initial={
                "target_year": entry.target_year,
                "establishments": list(entry.establishments.values_list("pk", flat=True)),
                "authorities": list(entry.authorities.values_list("pk", flat=True)),
                "territorial_priority": entry.territorial_priority,
                "maturity": entry.maturity,
                "situation": entry.situation,
                "referent": entry.referent_id,
                "contract": entry.contract_id,
                "comment": entry.comment,
                "version": entry.version,
            },
        )
        return _entry_page(request, authority, form, entry)
    form = ProgrammingEntryForm(request.POST, user=request.user, authority=authority, managing_body=body)
    if form.is_valid():
        try:
            services.update_entry(request.user, authority, entry, form.data_for_service(), form.cleaned_data["version"])
        except services.ProgrammingRefused as refused:
            show_refusal(request, form, refused)
        else:
            messages.success(request, f"« {entry.managing_body} » : la ligne de la programmation est enregistrée.")
            return redirect("portfolios:programming", authority_id=authority.pk)
    return _entry_page(request, authority, form, entry, status=400)


@login_required
def entry_remove(request, authority_id, entry_id):
    authority = rules.authority_or_404(request.user, authority_id)  # an outsider learns nothing, not even the method
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    entry = get_object_or_404(ProgrammingEntry, pk=entry_id, authorities=authority)
    forbid(rules.write_refusal(request.user, authority, entry))
    version = request.POST.get("version", "")
    try:
        label = services.remove_entry(request.user, authority, entry, int(version) if version.isdigit() else None)
    except services.ProgrammingRefused as refused:
        flash_refusal(request, refused)
        return redirect("portfolios:entry_update", authority_id=authority.pk, entry_id=entry.pk)
    messages.success(request, f"« {label} » est retiré de la programmation.")
    return redirect("portfolios:programming", authority_id=authority.pk)
