"""Pages of the grid's Excel round trip: the download, the upload with its preview (nothing written), the
confirmation. The file is read once for the preview; the confirmation sends back the preview's signed changes and
the versions they were read against, so a grid changed in between refuses it (409, cpom.web.middleware)."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cpom.contracts.pages import contract_page
from cpom.core.importing import DataImportError
from cpom.documents.http import document_response
from cpom.import_slots import ImportsBusy
from cpom.web.forms import DsfrForm
from cpom.web.refusals import flash_refusal, forbid, show_refusal

from . import rules, sheet, workbook
from .models import Campaign
from .services import FollowUpRefused

STAGE = "followup"


class GridImportForm(DsfrForm):
    # Empty files are let through so that the reader refuses them with its message naming the file.
    file = forms.FileField(
        label="Grille remplie (.xlsx)",
        allow_empty_file=True,
        help_text=f"La grille téléchargée depuis cette page, remplie dans Excel ; {sheet.MAX_FILE_BYTES // 2**20} Mo au plus.",
        error_messages={"required": "Choisissez le fichier de la grille remplie."},
    )


def _campaign(contract, campaign_id) -> Campaign:
    return get_object_or_404(Campaign.objects.select_related("contract"), pk=campaign_id, contract=contract)


@contract_page(STAGE)
def grid_download(request, contract, campaign_id):
    campaign = _campaign(contract, campaign_id)
    name = workbook.file_name(campaign).removesuffix(".xlsx")
    return document_response(workbook.grid_workbook(campaign), name, "xlsx")


def _import_page(request, campaign, form, refusal=None, status=200):
    return render(
        request,
        "followup/grid_import.html",
        {"contract": campaign.contract, "campaign": campaign, "form": form, "refusal": refusal},
        status=status,
    )


@contract_page(STAGE)
def grid_import(request, contract, campaign_id):
    campaign = _campaign(contract, campaign_id)
    forbid(rules.entry_refusal(request.user, campaign))
    if request.method != "POST":
        return _import_page(request, campaign, GridImportForm())
    form = GridImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, campaign, form, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > sheet.MAX_FILE_BYTES:
        form.add_error("file", f"Le fichier {upload.name} dépasse {sheet.MAX_FILE_BYTES // 2**20} Mo.")
        return _import_page(request, campaign, form, status=400)
    try:
        preview = workbook.preview_import(campaign, request.user, upload.read(), upload.name)
    except DataImportError as refusal:
        return _import_page(request, campaign, form, refusal=refusal, status=400)
    except ImportsBusy as busy:
        form.add_error("file", str(busy))
        return _import_page(request, campaign, form, status=503)
    except FollowUpRefused as refused:
        show_refusal(request, form, refused)
        return _import_page(request, campaign, form, status=400)
    return render(
        request, "followup/grid_preview.html", {"contract": contract, "campaign": campaign, "preview": preview}
    )


@contract_page(STAGE)
@require_POST
def grid_import_confirm(request, contract, campaign_id):
    campaign = _campaign(contract, campaign_id)
    try:
        changed = workbook.confirm_import(campaign, request.user, request.POST.get("token", ""))
    except FollowUpRefused as refused:
        flash_refusal(request, refused)  # a stale preview stops here with 409
        return redirect("followup:grid_import", contract.pk, campaign.pk)
    messages.success(
        request,
        f"Grille importée : {changed} cellule{'s' if changed > 1 else ''} enregistrée{'s' if changed > 1 else ''}."
        if changed
        else "Grille importée : elle ne changeait rien.",
    )
    return redirect(campaign)
