"""The pages of the yearly follow-up: a contract's campaigns, a campaign's grid with what each side writes on it,
the shared conclusions and their signatures, the sealed documents. Thin: the services decide, the pages say it."""

import mimetypes

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from cpom.contracts.pages import contract_page
from cpom.signing.rules import party_name, party_of
from cpom.web.refusals import flash_refusal, forbid, show_refusal

from . import levels, rules, services
from .forms import ConclusionsForm, ConfirmForm, EntryForm, MilestoneProgressForm, OpenCampaignForm, SignForm
from .grid import grid_for
from .models import Campaign, CampaignStatus


def _campaign(contract, campaign_id: int) -> Campaign:
    return get_object_or_404(
        Campaign.objects.select_related("contract", "framing_note", "opened_by"), contract=contract, pk=campaign_id
    )


@contract_page("followup")
def campaign_list(request, contract):
    return render(
        request,
        "followup/campaign_list.html",
        {
            "contract": contract,
            "campaigns": contract.campaigns.exclude(status=CampaignStatus.PLANNED).order_by("-year"),
            "open_refusal": rules.open_refusal(request.user, contract, _this_year()),
        },
    )


def _this_year() -> int:
    return timezone.localdate().year


@contract_page("followup")
def campaign_open(request, contract):
    forbid(rules.open_refusal(request.user, contract, _this_year()))
    form = OpenCampaignForm(
        request.POST or None, initial={"year": _this_year()}, authority_id=contract.lead_authority_id
    )
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.open_campaign(contract, request.user, form.cleaned_data)
        except services.FollowUpRefused as refused:
            show_refusal(request, form, refused)
        else:
            messages.success(
                request,
                f"La campagne {campaign.year} est ouverte : bilan attendu le {campaign.report_deadline:%d/%m/%Y}.",
            )
            return redirect(campaign)
    return render(
        request,
        "followup/campaign_open.html",
        {"contract": contract, "form": form},
        status=400 if form.errors else 200,
    )


@contract_page("followup")
def campaign_detail(request, contract, campaign_id):
    campaign = _campaign(contract, campaign_id)
    grid = grid_for(campaign)
    party = party_of(request.user, contract)
    signed = services.signed_parties(campaign)
    waiting = next((key for key in campaign.signature_order if key not in signed), None)
    return render(
        request,
        "followup/campaign_detail.html",
        {
            "contract": contract,
            "campaign": campaign,
            "grid": grid,
            "due_labels": [levels.due_label(offset, grid.start_year) for offset in range(contract.duration_years)],
            "may_fill": rules.entry_refusal(request.user, campaign) is None,
            "may_confirm": rules.confirm_refusal(request.user, campaign) is None,
            "submit_refusal": rules.submit_refusal(request.user, campaign),
            "may_write_conclusions": rules.conclusions_refusal(request.user, campaign) is None,
            "send_refusal": rules.send_conclusions_refusal(request.user, campaign),
            "sign_refusal": rules.sign_conclusions_refusal(request.user, campaign, party, signed),
            "signatures": campaign.signatures.order_by("recorded_at"),
            "waiting": party_name(contract, waiting, of_it=True) if waiting else "",
            "campaign_title": f"Campagne {campaign.year}",
            "documents": campaign.documents.all(),
            "level_choices": levels.LEVEL_LABELS,
        },
    )


def _back(campaign: Campaign, anchor: str = ""):
    return redirect(campaign.get_absolute_url() + (f"#{anchor}" if anchor else ""))


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label} : {error}" if label else error)


@contract_page("followup")
@require_POST
def entry_save(request, contract, campaign_id, entry_id):
    campaign = _campaign(contract, campaign_id)
    forbid(rules.entry_refusal(request.user, campaign))
    form = EntryForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(campaign, f"ligne-{entry_id}")
    data = {name: form.cleaned_data[name] for name in services.ENTRY_FIELDS if name in request.POST}
    try:
        services.save_entry(campaign, request.user, entry_id, data, form.cleaned_data["version"])
    except services.FollowUpRefused as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, "La ligne est enregistrée ; le niveau proposé est recalculé.")
    return _back(campaign, f"ligne-{entry_id}")


@contract_page("followup")
@require_POST
def level_confirm(request, contract, campaign_id, entry_id):
    campaign = _campaign(contract, campaign_id)
    forbid(rules.confirm_refusal(request.user, campaign))
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(campaign, f"ligne-{entry_id}")
    try:
        entry = services.confirm_level(
            campaign,
            request.user,
            entry_id,
            form.cleaned_data["level"],
            form.cleaned_data["override_comment"],
            form.cleaned_data["version"],
        )
    except services.FollowUpRefused as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, f"Niveau {entry.confirmed_level} retenu pour « {entry} ».")
    return _back(campaign, f"ligne-{entry_id}")


@contract_page("followup")
@require_POST
def milestone_save(request, contract, campaign_id, milestone_id):
    campaign = _campaign(contract, campaign_id)
    forbid(rules.entry_refusal(request.user, campaign))
    form = MilestoneProgressForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(campaign, "jalons")
    try:
        services.save_milestone(
            campaign,
            request.user,
            milestone_id,
            form.cleaned_data["done_on"],
            form.cleaned_data["comment"],
            form.cleaned_data["version"],
        )
    except services.FollowUpRefused as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, "L'avancement du jalon est enregistré.")
    return _back(campaign, "jalons")


def _campaign_action(request, campaign, action, done: str, *args):
    try:
        action(campaign, request.user, *args)
    except services.FollowUpRefused as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, done)
    return _back(campaign)


def _version(request):
    form = ConclusionsForm(request.POST)
    form.is_valid()
    return form.cleaned_data.get("version")


@contract_page("followup")
@require_POST
def campaign_submit(request, contract, campaign_id):
    campaign = _campaign(contract, campaign_id)
    forbid(rules.submit_refusal(request.user, campaign))
    return _campaign_action(
        request, campaign, services.submit, "La grille est transmise à l'autorité.", _version(request)
    )


@contract_page("followup")
@require_POST
def conclusions_save(request, contract, campaign_id):
    campaign = _campaign(contract, campaign_id)
    forbid(rules.conclusions_refusal(request.user, campaign))
    form = ConclusionsForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(campaign, "conclusions")
    return _campaign_action(
        request,
        campaign,
        services.save_conclusions,
        "Les éléments conclusifs partagés sont enregistrés.",
        form.cleaned_data["conclusions"],
        form.cleaned_data["version"],
    )


@contract_page("followup")
@require_POST
def conclusions_send(request, contract, campaign_id):
    campaign = _campaign(contract, campaign_id)
    forbid(rules.send_conclusions_refusal(request.user, campaign))
    return _campaign_action(
        request,
        campaign,
        services.send_conclusions,
        "La grille et les conclusions sont envoyées pour signature ; leur contenu est fixé.",
        _version(request),
    )


@contract_page("followup")
@require_POST
def conclusions_sign(request, contract, campaign_id):
    campaign = _campaign(contract, campaign_id)
    forbid(
        rules.sign_conclusions_refusal(
            request.user, campaign, party_of(request.user, contract), services.signed_parties(campaign)
        )
    )
    form = SignForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(campaign, "signatures")
    return _campaign_action(
        request,
        campaign,
        services.sign_conclusions,
        "Votre signature des conclusions est enregistrée.",
        form.cleaned_data,
        form.cleaned_data["version"],
    )


@contract_page("followup")
def sealed_document(request, contract, campaign_id, kind):
    campaign = _campaign(contract, campaign_id)
    document = get_object_or_404(campaign.documents, kind=kind)
    content_type = mimetypes.guess_type(document.file_name)[0] or "application/octet-stream"
    response = HttpResponse(bytes(document.content), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, document.file_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
