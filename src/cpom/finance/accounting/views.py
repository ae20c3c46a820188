"""Pages of the accounting imports: upload, preview (nothing written), confirmation, report, past imports, sections.

The uploaded file waits on disk between the preview and the confirmation (imports.keep_pending); the session
only holds its random name and what the user chose. Confirmation reads the file again before writing.
"""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cpom.access import visible
from cpom.core.formatting import money
from cpom.core.importing import DataImportError
from cpom.core.numbers import count
from cpom.core.text import the, to
from cpom.finance import rules
from cpom.finance.accounting import balances, jobs
from cpom.finance.accounting import services as imports
from cpom.finance.accounting.forms import ESTABLISHMENT, ImportForm, SectionForm, resolve_target
from cpom.import_slots import ImportsBusy
from cpom.registry.models import Establishment

PENDING = "finance_pending_import"


def _forget_session_file(request) -> None:
    pending = request.session.pop(PENDING, None)
    if pending:
        imports.forget_pending(pending["token"])


def _form_page(request, form, refusal=None, status=200):
    return render(request, "finance/accounting/import_form.html", {"form": form, "refusal": refusal}, status=status)


@login_required
def start(request):
    refusal = rules.import_refusal(request.user)
    if refusal:
        raise PermissionDenied(refusal)
    if request.method != "POST":
        finess = request.GET.get("finess", "")
        return _form_page(
            request, ImportForm(user=request.user, initial={"target": f"{ESTABLISHMENT}{finess}" if finess else ""})
        )
    form = ImportForm(request.POST, request.FILES, user=request.user)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    data, upload = form.cleaned_data, form.cleaned_data["file"]
    try:
        token = imports.keep_pending(upload)
    except imports.ImportRefused as refused:
        form.add_error("file", str(refused))
        return _form_page(request, form, status=400)
    try:
        balance = imports.read(imports.pending_content(token), upload.name, data["kind"], data["period"])
    except DataImportError as refusal:
        imports.forget_pending(token)
        return _form_page(request, form, refusal=refusal, status=400)
    except ImportsBusy as busy:
        imports.forget_pending(token)
        form.add_error("file", str(busy))
        return _form_page(request, form, status=503)
    _forget_session_file(request)
    request.session[PENDING] = {
        "token": token,
        "file_name": upload.name,
        "kind": data["kind"],
        "target": data["target"],
        "year": data["year"],
        "start": data["period"].start.isoformat(),
        "end": data["period"].end.isoformat(),
    }
    preview = imports.preview(balance, data["establishment"], data["year"])
    return render(
        request,
        "finance/accounting/import_preview.html",
        {"preview": preview, "section": data["section"], **_figures(preview)},
    )


def _figures(preview: imports.Preview) -> dict:
    """The preview's numbers as French readers expect them; templates only place them."""
    balance = preview.balance
    return {
        "kind_label": imports.KINDS[balance.kind],
        "lines": count(balance.lines),
        "entries": count(balance.entries) if balance.entries is not None else None,
        "accounts": count(len(imports.accounts_to_store(balance))),
        "total_debit": money(balance.total_debit),
        "total_credit": money(balance.total_credit),
        "balanced": balance.total_debit == balance.total_credit,
        "result": money(preview.result),
        "result_kind": "excédent" if preview.result > 0 else "déficit" if preview.result < 0 else "équilibre",
        "classes": [
            {
                "label": c.label,
                "accounts": count(c.accounts),
                "debit": money(c.debit),
                "credit": money(c.credit),
                "balance": money(c.balance),
                "top": [{"number": a.number, "label": a.label, "balance": money(a.balance)} for a in c.top],
            }
            for c in preview.classes
        ],
    }


def _pending_target(request):
    pending = request.session.get(PENDING)
    if not pending:
        messages.error(request, "Aucun import en attente de confirmation : choisissez de nouveau le fichier.")
        return None, None
    establishment, _ = resolve_target(request.user, pending["target"])
    if establishment is None:
        raise PermissionDenied(rules.IMPORT_REFUSAL)
    return pending, establishment


@login_required
@require_POST
def confirm(request):
    pending, establishment = _pending_target(request)
    if pending is None:
        return redirect("finance:import_start")
    try:
        period = imports.fiscal_year(
            pending["year"], date.fromisoformat(pending["start"]), date.fromisoformat(pending["end"])
        )
        content = imports.pending_content(pending["token"])
        if jobs.is_large(content):
            return _queued(request, pending, establishment)
        batch, balance = imports.read_and_store(
            content, pending["file_name"], pending["kind"], period, establishment, pending["year"], request.user
        )
    except ImportsBusy as busy:
        # The file still waits: the person confirms again in a moment, without choosing it anew.
        return render(request, "finance/accounting/import_busy.html", {"message": str(busy)}, status=503)
    except (imports.ImportRefused, DataImportError) as refusal:
        _forget_session_file(request)
        messages.error(request, str(refusal))
        return redirect("finance:import_start")
    _forget_session_file(request)
    messages.success(
        request,
        f"{count(len(imports.accounts_to_store(balance)))} soldes de comptes enregistrés pour {the(establishment.name)} ({pending['year']}).",
    )
    return redirect("finance:import_report", batch_id=batch.pk)


def _queued(request, pending: dict, establishment):
    """A large file is read and stored by the worker: the person follows it on the job's page."""
    job = jobs.ask(pending, establishment, request.user)
    # The file now belongs to the job: the session forgets it without deleting it.
    request.session.pop(PENDING, None)
    messages.info(request, "Le fichier est volumineux : son import se poursuit en arrière-plan.")
    return redirect(job)


@login_required
@require_POST
def cancel(request):
    _forget_session_file(request)
    messages.info(request, "Import abandonné : rien n'a été enregistré.")
    return redirect("finance:import_start")


@login_required
def batches(request):
    recent = list(imports.visible_batches(request.user)[:100])
    names = dict(Establishment.objects.filter(pk__in={b.establishment_id for b in recent}).values_list("pk", "name"))
    rows = [{"batch": b, "establishment": names.get(b.establishment_id), "accounts": count(b.accounts)} for b in recent]
    present = balances.balances_table(balances.year_balances(visible(request.user, Establishment.objects.all())))
    return render(
        request,
        "finance/accounting/import_list.html",
        {
            "rows": rows,
            "may_import": rules.import_refusal(request.user) is None,
            "present": present,
        },
    )


@login_required
def report(request, batch_id):
    batch = get_object_or_404(imports.visible_batches(request.user), pk=batch_id)
    result = imports.batch_report(batch)
    return render(
        request,
        "finance/accounting/import_report.html",
        {
            "report": result,
            "kind_label": imports.KINDS.get(batch.kind, batch.kind),
            "lines": count(batch.rows),
            "accounts": count(len(result.balances)),
            "balances": [(number, money(value)) for number, value in result.balances],
            "classes": [(label, count(accounts), money(total)) for label, accounts, total in result.classes],
        },
    )


@login_required
def sections(request):
    user = request.user
    form = SectionForm(user=user)
    if request.method == "POST":
        if "remove" in request.POST:
            return _remove_section(request)
        form = SectionForm(request.POST, user=user)
        if form.is_valid():
            try:
                section = imports.add_section(
                    user, form.cleaned_data["establishment"], form.cleaned_data["code"], form.cleaned_data["label"]
                )
            except imports.ImportRefused as refused:
                form.add_error("code", str(refused))
            else:
                messages.success(
                    request, f"La section « {section.code} » représente désormais {the(section.establishment.name)}."
                )
                return redirect("finance:import_sections")
    mappings = imports.visible_sections(user).order_by("managing_body__name", "code")
    editable = set(imports.importable_sections(user).values_list("pk", flat=True))
    return render(
        request,
        "finance/accounting/import_sections.html",
        {
            "rows": [(m, m.pk in editable) for m in mappings],
            "form": form,
            "may_edit": rules.import_refusal(user) is None,
        },
        status=400 if form.errors else 200,
    )


def _remove_section(request):
    if not request.POST["remove"].isdigit():
        raise Http404
    section = get_object_or_404(imports.visible_sections(request.user), pk=int(request.POST["remove"]))
    try:
        imports.remove_section(request.user, section)
    except imports.ImportRefused as refused:
        raise PermissionDenied(str(refused)) from None
    messages.success(request, f"La section « {section.code} » n'est plus rattachée {to(section.establishment.name)}.")
    return redirect("finance:import_sections")
