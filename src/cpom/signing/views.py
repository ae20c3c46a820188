"""The consultations page and the versions page (send, sign, refuse, download, check a hash): thin views over
cpom.signing.services, on the contract's frame (visible contracts only, 404 otherwise)."""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cpom.contracts.models import State
from cpom.contracts.pages import contract_page
from cpom.core.locking import StaleWrite
from cpom.documents.http import document_response

from . import rules, services
from .forms import CheckForm, ConsultationForm, RefusalForm, SendForm, SignatureForm
from .models import ContractVersion, VersionStatus


def _errors_to_form(form, refused: services.SigningRefused) -> None:
    for field, message in refused.errors:
        form.add_error(field if field in form.fields else None, message)


@contract_page("consultations")
def consultations(request, contract):
    establishments = contract.establishments.order_by("name")
    form = ConsultationForm(request.POST or None, request.FILES or None, establishments=establishments)
    status = 200
    if request.method == "POST":
        if refusal := rules.consultation_refusal(request.user, contract):
            messages.error(request, refusal)
            return redirect("signing:consultations", contract_id=contract.pk)
        if form.is_valid():
            try:
                consultation = services.record_consultation(
                    contract, request.user, form.cleaned_data, form.cleaned_data["minutes"]
                )
            except services.SigningRefused as refused:
                _errors_to_form(form, refused)
            else:
                messages.success(request, f"La consultation « {consultation.body} » est enregistrée.")
                return redirect("signing:consultations", contract_id=contract.pk)
        status = 400
    return render(
        request,
        "signing/consultations.html",
        {
            "contract": contract,
            "consultations": contract.consultations.select_related("establishment", "recorded_by"),
            "form": form,
            "refusal": rules.consultation_refusal(request.user, contract),
            "deliberation": services.board_deliberation(contract),
        },
        status=status,
    )


@contract_page("consultations")
def consultation_minutes(request, contract, consultation_id):
    consultation = get_object_or_404(contract.consultations, pk=consultation_id)
    return _download(consultation.minutes, consultation.minutes_name)


def _download(field, name):
    """Downloads only: a stored document is never shown inline, so it cannot run in the platform's pages."""
    if not field:
        raise Http404("Aucun fichier n'est joint.")
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("Le fichier est introuvable.") from None
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _versions_context(request, contract, forms=None, check=None):
    forms = forms or {}
    versions = list(
        contract.versions.select_related("sent_by").prefetch_related("signatures__recorded_by").order_by("-sent_at")
    )
    sent = next((v for v in versions if v.status == VersionStatus.SENT), None)
    key = rules.party_of(request.user, contract)
    refusal = rules.signing_refusal(request.user, contract)
    circuit = services.progress(sent) if sent else None
    send_blockers = (
        services.send_refusals(contract, request.user) if contract.state == State.READY_FOR_SIGNATURE else []
    )
    return {
        "contract": contract,
        "versions": [(v, [(rules.party_name(contract, s.party_key), s) for s in v.signatures.all()]) for v in versions],
        "sent": sent,
        "circuit": circuit,
        "order": _order_rows(contract, sent, circuit) if sent else [],
        "next_party": rules.party_name(contract, circuit.next_key) if circuit and circuit.next_key else "",
        "may_sign": sent is not None and refusal is None and circuit.next_key == key,
        "may_refuse": sent is not None and refusal is None and key in circuit.waiting,
        "signing_refusal": refusal,
        "send_blockers": send_blockers,
        "may_send": contract.state == State.READY_FOR_SIGNATURE and not send_blockers,
        "send_form": forms.get("send") or SendForm(initial={"version": contract.version}),
        "sign_form": forms.get("sign") or SignatureForm(initial={"signed_on": timezone.localdate()}),
        "refusal_form": forms.get("refuse") or RefusalForm(),
        "check_form": forms.get("check") or CheckForm(),
        "check": check,
    }


def _order_rows(contract, version, circuit) -> list[dict]:
    signed = {s.party_key: s for s in circuit.signed}
    return [
        {
            "name": rules.party_name(contract, key),
            "signature": signed.get(key),
            "is_next": key == circuit.next_key,
        }
        for key in version.signature_order
    ]


@contract_page("signature")
def versions(request, contract):
    return render(request, "signing/versions.html", _versions_context(request, contract))


@contract_page("signature")
@require_POST
def send(request, contract):
    form = SendForm(request.POST)
    if form.is_valid():
        contract.version = form.cleaned_data["version"]
        try:
            version = services.send_for_signature(
                contract, request.user, effective_date=form.cleaned_data["effective_date"]
            )
        except services.SigningRefused as refused:
            if isinstance(refused, StaleWrite):
                raise
            _errors_to_form(form, refused)
        else:
            messages.success(
                request, f"La version finale est envoyée pour signature ; son empreinte est {version.content_sha256}."
            )
            return redirect("signing:versions", contract_id=contract.pk)
    context = _versions_context(request, contract, {"send": form})
    return render(request, "signing/versions.html", context, status=400)


def _version(contract, version_id) -> ContractVersion:
    return get_object_or_404(contract.versions, pk=version_id)


@contract_page("signature")
@require_POST
def sign(request, contract, version_id):
    version = _version(contract, version_id)
    form = SignatureForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            signature = services.sign(version, request.user, data, data["scan"])
        except services.SigningRefused as refused:
            _errors_to_form(form, refused)
        else:
            contract.refresh_from_db()
            done = " Toutes les parties ont signé : le contrat est signé." if contract.state == State.SIGNED else ""
            messages.success(request, f"La signature de {signature.signatory_name} est enregistrée.{done}")
            return redirect("signing:versions", contract_id=contract.pk)
    return render(request, "signing/versions.html", _versions_context(request, contract, {"sign": form}), status=400)


@contract_page("signature")
@require_POST
def refuse(request, contract, version_id):
    version = _version(contract, version_id)
    form = RefusalForm(request.POST)
    if form.is_valid():
        try:
            services.refuse(version, request.user, form.cleaned_data["reason"])
        except services.SigningRefused as refused:
            _errors_to_form(form, refused)
        else:
            messages.success(
                request,
                "Le refus de signer est enregistré : la version est annulée et le contrat revient en négociation.",
            )
            return redirect("signing:versions", contract_id=contract.pk)
    return render(request, "signing/versions.html", _versions_context(request, contract, {"refuse": form}), status=400)


@contract_page("signature")
def version_document(request, contract, version_id, extension):
    """The stored bytes, never generated again: what the parties signed is what is downloaded."""
    version = _version(contract, version_id)
    data = bytes(version.pdf if extension == "pdf" else version.docx)
    suffix = "" if version.number == 0 else f"-avenant-{version.number}"
    return document_response(data, f"{contract.reference}{suffix}-{version.status}", extension)


@contract_page("signature")
def signature_scan(request, contract, version_id, signature_id):
    signature = get_object_or_404(_version(contract, version_id).signatures, pk=signature_id)
    return _download(signature.scan, signature.scan_name)


@contract_page("signature")
@require_POST
def check_hash(request, contract, version_id):
    """« Vérifier une empreinte »: a pasted hash or a file's, against the version's content, PDF and Word hashes."""
    version = _version(contract, version_id)
    form = CheckForm(request.POST, request.FILES)
    check = None
    if form.is_valid():
        upload, typed = form.cleaned_data["file"], form.cleaned_data["typed"].strip().lower()
        if upload is not None and upload.size > settings.CPOM_MAX_UPLOAD_BYTES:
            form.add_error("file", f"{upload.name} dépasse la taille autorisée.")
        elif upload is None and not typed:
            form.add_error("typed", "Collez une empreinte ou déposez le fichier à vérifier.")
        else:
            digest = hashlib.sha256(upload.read()).hexdigest() if upload is not None else typed
            check = services.check_hash(version, digest, upload.name if upload is not None else "")
    status = 200 if check else 400
    context = _versions_context(request, contract, {"check": form}, check=check)
    return render(request, "signing/versions.html", context, status=status)
