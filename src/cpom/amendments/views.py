"""The pages of a signed contract's life: its amendments, the prorogation, the termination, the renewal and the
history of its versions with their field-by-field difference. Thin: the services decide, the pages say it."""

import json

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cpom.contracts.models import LegalBasis
from cpom.contracts.pages import contract_page
from cpom.documents.http import document_response
from cpom.objectives.negotiation import parties
from cpom.signing.models import ContractVersion, VersionStatus
from cpom.web.refusals import flash_refusal, forbid, show_refusal

from . import life, rules, services
from .diff import diff
from .document import amendment_docx, amendment_pdf, shown_value
from .forms import CHANGE_FORMS, AmendmentForm, ProrogationForm, RenewalForm, TerminationForm
from .models import Amendment, AmendmentStatus, Termination

WRITERS = {"docx": amendment_docx, "pdf": amendment_pdf}


def _amendment(contract, number: int) -> Amendment:
    return get_object_or_404(
        Amendment.objects.select_related("contract", "version_sent"), contract=contract, number=number
    )


@contract_page("contract")
def amendment_list(request, contract):
    return render(
        request,
        "amendments/amendment_list.html",
        {
            "contract": contract,
            "amendments": contract.amendments.prefetch_related("changes"),
            "draft_refusal": rules.draft_refusal(request.user, contract),
        },
    )


@contract_page("contract")
def amendment_create(request, contract):
    forbid(rules.draft_refusal(request.user, contract))
    form = AmendmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            amendment = services.create_amendment(contract, request.user, form.cleaned_data)
        except services.AmendmentRefused as refused:
            show_refusal(request, form, refused)
        else:
            messages.success(
                request, f"L'avenant n° {amendment.number} est en préparation : ajoutez ses modifications."
            )
            return redirect(amendment)
    return render(
        request,
        "amendments/amendment_form.html",
        {"contract": contract, "form": form, "form_title": "Préparer un avenant"},
        status=400 if form.errors else 200,
    )


@contract_page("contract")
def amendment_update(request, contract, number):
    amendment = _amendment(contract, number)
    forbid(rules.draft_refusal(request.user, contract))
    form = AmendmentForm.for_amendment(amendment, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_amendment(amendment, request.user, form.cleaned_data, form.cleaned_data["version"])
        except services.StaleAmendment:
            raise
        except services.AmendmentRefused as refused:
            show_refusal(request, form, refused)
        else:
            messages.success(request, "La procédure de l'avenant est enregistrée.")
            return redirect(amendment)
    return render(
        request,
        "amendments/amendment_form.html",
        {"contract": contract, "form": form, "amendment": amendment, "form_title": f"{amendment} : procédure"},
        status=400 if form.errors else 200,
    )


@contract_page("contract")
def amendment_detail(request, contract, number):
    amendment = _amendment(contract, number)
    may_draft = amendment.is_draft and rules.draft_refusal(request.user, contract) is None
    forms = [form(amendment) for form in CHANGE_FORMS.values()] if may_draft else []
    status = 200
    if request.method == "POST":
        forbid(rules.draft_refusal(request.user, contract))
        kind = request.POST.get("kind", "")
        if kind not in CHANGE_FORMS:
            raise Http404("Nature de modification inconnue.")
        bound = CHANGE_FORMS[kind](amendment, request.POST)
        forms = [bound if f.change_kind == kind else f for f in forms]
        if bound.is_valid():
            try:
                change = services.save_change(
                    amendment, request.user, kind, bound.service_data(), bound.cleaned_data["version"]
                )
            except services.StaleAmendment:
                raise
            except services.AmendmentRefused as refused:
                show_refusal(request, bound, refused)
            else:
                messages.success(
                    request, f"Modification enregistrée : {change.label}. Les accords donnés sont à renouveler."
                )
                return redirect(amendment)
        status = 400
    changes = [(c, shown_value(c, c.old_value), shown_value(c, c.new_value)) for c in amendment.changes.all()]
    seen, stale = None, []
    if changes and amendment.status != AmendmentStatus.APPLIED:
        try:
            seen = services.preview(amendment)
        except services.AmendmentRefused as refused:
            stale = refused.reasons
    return render(
        request,
        "amendments/amendment_detail.html",
        {
            "contract": contract,
            "amendment": amendment,
            "changes": changes,
            "forms": [f for f in forms if f.is_available],
            "may_draft": may_draft,
            "agreements": services.agreement_state(amendment),
            "agree_refusal": rules.agree_refusal(request.user, contract),
            "send_refusal": rules.send_refusal(request.user, contract),
            "deadlines": services.procedure_deadlines(amendment),
            "envelope_rows": seen.envelope_rows() if seen else [],
            "envelope_changes": seen.envelope_changes if seen else False,
            "stale": stale,
            "agreed": services.is_agreed(amendment),
        },
        status=status,
    )


def _button(request, contract, number, action, done: str):
    amendment = _amendment(contract, number)
    version = request.POST.get("version", "")
    try:
        action(amendment, request.user, int(version) if version.isdigit() else None)
    except services.AmendmentRefused as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, done)
    return redirect(amendment)


@contract_page("contract")
@require_POST
def change_remove(request, contract, number):
    change_id = request.POST.get("change", "")
    return _button(
        request,
        contract,
        number,
        lambda a, user, version: services.remove_change(a, user, int(change_id) if change_id.isdigit() else 0, version),
        "La modification est retirée de l'avenant. Les accords donnés sont à renouveler.",
    )


@contract_page("contract")
@require_POST
def amendment_agree(request, contract, number):
    return _button(
        request, contract, number, services.agree, "Votre accord sur cette version de l'avenant est enregistré."
    )


@contract_page("contract")
@require_POST
def amendment_send(request, contract, number):
    return _button(
        request,
        contract,
        number,
        services.send_for_signature,
        "L'avenant est envoyé pour signature : son contenu est figé, chaque partie le signe à son tour.",
    )


@contract_page("contract")
def amendment_document(request, contract, number, extension):
    """The amendment's document: the stored bytes of its version once sent, a draft marked « PROJET » before."""
    amendment = _amendment(contract, number)
    name = f"avenant-{amendment.number}-{contract.reference}"
    if amendment.version_sent_id and amendment.version_sent.status != VersionStatus.VOIDED:
        stored = amendment.version_sent.pdf if extension == "pdf" else amendment.version_sent.docx
        return document_response(bytes(stored), name, extension)
    try:
        seen = services.preview(amendment)
    except services.AmendmentRefused as refused:
        flash_refusal(request, refused)
        return redirect(amendment)
    return document_response(WRITERS[extension](amendment, seen), name, extension)


@contract_page("contract")
def prorogation(request, contract):
    forbid(rules.prorogation_refusal(request.user, contract))
    labels = [p.label for p in parties(contract)]
    form = ProrogationForm(labels, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = life.prorogate(contract, request.user, form.cleaned_data)
        except services.AmendmentRefused as refused:
            show_refusal(request, form, refused)
        else:
            messages.success(
                request, f"Le contrat est prorogé d'une année : il prend fin le {done.new_end_date:%d/%m/%Y}."
            )
            return redirect(contract)
    return render(
        request,
        "amendments/prorogation.html",
        {
            "contract": contract,
            "form": form,
            "blockers": life.prorogation_blockers(contract),
            "bases": [LegalBasis(basis).label for basis in life.prorogation_bases(contract)],
            "prorogations": contract.prorogations.all(),
        },
        status=400 if form.errors else 200,
    )


@contract_page("contract")
def termination(request, contract):
    existing = Termination.objects.filter(contract=contract).first()
    refusal = rules.termination_refusal(request.user, contract)
    form = TerminationForm(request.POST or None)
    if request.method == "POST":
        forbid(refusal)
        if form.is_valid():
            try:
                done = life.terminate(contract, request.user, form.cleaned_data)
            except services.AmendmentRefused as refused:
                show_refusal(request, form, refused)
            else:
                messages.success(
                    request,
                    f"La dénonciation est enregistrée : le contrat reste en vigueur jusqu'à la fin du préavis, le "
                    f"{done.ends_on:%d/%m/%Y}.",
                )
                return redirect(contract)
    return render(
        request,
        "amendments/termination.html",
        {
            "contract": contract,
            "form": form,
            "termination": existing,
            "refusal": refusal,
            "notice_months": life.notice_months(contract),
        },
        status=400 if form.errors else 200,
    )


@contract_page("contract")
def renewal(request, contract):
    forbid(rules.renewal_refusal(request.user, contract))
    form = RenewalForm(contract, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            successor = life.renew(contract, request.user, form.cleaned_data)
        except services.AmendmentRefused as refused:
            show_refusal(request, form, refused)
        else:
            messages.success(
                request,
                f"Le contrat {successor.reference} est programmé pour renouveler {contract.reference} : "
                "confirmez ses parties et son périmètre, puis lancez la démarche.",
            )
            return redirect(successor)
    return render(
        request,
        "amendments/renewal.html",
        {"contract": contract, "form": form, "start": life.renewal_start(contract)},
        status=400 if form.errors else 200,
    )


@contract_page("contract")
def assessment(request, contract):
    """On the successor: the predecessor's final assessment, each item with « Reprendre »."""
    if contract.predecessor_id is None:
        raise Http404("Ce contrat ne renouvelle aucun contrat.")
    if request.method == "POST":
        try:
            finding = life.take_up(contract, request.user, request.POST.get("item", ""))
        except services.AmendmentRefused as refused:
            flash_refusal(request, refused)
        else:
            messages.success(request, f"Repris dans le diagnostic partagé : « {finding.text} ».")
        return redirect("amendments:assessment", contract_id=contract.pk)
    return render(
        request,
        "amendments/assessment.html",
        {
            "contract": contract,
            "predecessor": contract.predecessor,
            "items": life.assessment(contract),
            "no_review": life.NO_REVIEW_YET,
            "take_up_refusal": rules.take_up_refusal(request.user, contract),
        },
    )


def _version_label(version: ContractVersion) -> str:
    return f"Version {version.number} – {version.label} ({version.get_status_display().lower()})"


@contract_page("contract")
def version_history(request, contract):
    """Every version of the contract, and the field-by-field difference between the two chosen."""
    versions = list(ContractVersion.objects.filter(contract=contract).order_by("number", "sent_at"))
    by_id = {str(v.pk): v for v in versions}
    sealed = [v for v in versions if v.status == VersionStatus.SEALED]
    old = by_id.get(request.GET.get("de", "")) or (sealed[-2] if len(sealed) > 1 else None)
    new = by_id.get(request.GET.get("a", "")) or (sealed[-1] if len(sealed) > 1 else None)
    differences = diff(json.loads(old.snapshot), json.loads(new.snapshot)) if old and new else []
    return render(
        request,
        "amendments/version_history.html",
        {
            "contract": contract,
            "versions": versions,
            "labels": {v.pk: _version_label(v) for v in versions},
            "old": old,
            "new": new,
            "differences": differences,
            "today": timezone.localdate(),
            "applied": {a.version_sent_id: a for a in contract.amendments.filter(status=AmendmentStatus.APPLIED)},
        },
    )
