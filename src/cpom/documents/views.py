"""Downloading the generated documents: the diagnostic's synthesis, a fiche objectif, the annex of every fiche,
the contract itself (its page, its Word and PDF files) and its drafting.

The documents render the content of several stages, so they sit above them and the stages' pages link here.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from cpom.contracts.pages import contract_page
from cpom.diagnostic import services as diagnostic_services
from cpom.diagnostic.views import diagnostic_page
from cpom.objectives.readiness import number_order
from cpom.web.refusals import forbid, show_refusal

from . import contract, drafting, rules, template
from .forms import DraftingForm, initial_of
from .http import document_response
from .layout import Banner, Bullet, Heading, Signature, Table, Text
from .objective_sheet import sheet_docx, sheet_pdf, sheets_docx, sheets_pdf
from .synthesis import synthesis_docx, synthesis_pdf

SYNTHESIS_WRITERS = {"docx": synthesis_docx, "pdf": synthesis_pdf}
SHEET_WRITERS = {"docx": sheet_docx, "pdf": sheet_pdf}
ANNEX_WRITERS = {"docx": sheets_docx, "pdf": sheets_pdf}


@diagnostic_page
def synthesis(request, diagnostic, extension):
    name = f"synthese-diagnostic-{diagnostic.contract.reference}"
    return document_response(SYNTHESIS_WRITERS[extension](diagnostic_services.synthesis(diagnostic)), name, extension)


@contract_page("objectives")
def objective_sheet(request, contract, objective_id, extension):
    objective = get_object_or_404(contract.objectives.select_related("contract", "parent"), pk=objective_id)
    if refusal := rules.sheet_refusal(objective):
        raise Http404(refusal)
    name = f"fiche-objectif-{contract.reference}-{objective.number}"
    return document_response(SHEET_WRITERS[extension](objective), name, extension)


@contract_page("objectives")
def objective_annex(request, contract, extension):
    operational = sorted(filter(rules.in_annex, contract.objectives.all()), key=number_order)
    return document_response(ANNEX_WRITERS[extension](operational), f"fiches-objectifs-{contract.reference}", extension)


# --- The contract's document -------------------------------------------------------------------------------------


def _parties(contract_) -> list[tuple[str, str]]:
    return [
        (contract.authority_code(p.authority), p.authority.name)
        for p in contract_.parties.admitted().select_related("authority")
    ]


@contract_page("document")
def contract_text(request, contract_):
    """The contract article by article, from the same blocks as the Word and PDF files, and what is missing."""
    sealed = contract.sealed_document(contract_)
    snapshot = sealed["snapshot"] if sealed else contract.contract_snapshot(contract_)
    consolidation = sealed["consolidation"] if sealed else ""
    document = contract.contract_document(
        snapshot, content_hash=None, draft=not contract_.is_signed, consolidation=consolidation
    )
    return render(
        request,
        "documents/contract.html",
        {
            "contract": contract_,
            "document": document,
            "blocks": html_blocks(document.blocks),
            "blockers": contract.missing_parameters(contract_),
            "model": (snapshot["drafting"] or {}).get("model"),
            "may_draft": drafting_refusal(request.user, contract_) is None,
        },
    )


@contract_page("document")
def contract_file(request, contract_, extension):
    data = contract.contract_file(contract_, extension)
    return document_response(data, f"contrat-{contract_.reference}", extension)


def drafting_refusal(user, contract_) -> str | None:
    from cpom.access import Role, membership_of

    membership = membership_of(user)
    if membership is None or membership.authority_id is None or membership.authority_id != contract_.lead_authority_id:
        return drafting.NOT_LEAD
    if not membership.has_role(Role.CONTRIBUTE):
        return drafting.READ_ONLY
    if not contract_.is_open:
        return drafting.NOT_OPEN
    return None


@contract_page("document")
def drafting_page(request, contract_):
    """The lead authority picks the model and fills its choices and parameters; the others read them."""
    current = drafting.drafting_of(contract_)
    if current is None:
        raise Http404("Aucun modèle de contrat n'est chargé.")
    models = drafting.models_for(contract_)
    parties = _parties(contract_)
    refusal = drafting_refusal(request.user, contract_)
    chosen_model = current.model
    if request.method == "POST":
        picked = next((m for m in models if str(m.pk) == request.POST.get("model")), None)
        chosen_model = picked or chosen_model
    spec = template.ContractModelSpec.from_json(chosen_model.clauses)
    form = DraftingForm(
        request.POST if request.method == "POST" else None,
        initial=initial_of(current, spec, parties),
        models=models,
        spec=spec,
        parties=parties,
    )
    if refusal:
        # The others read the drafting as the lead authority wrote it, without a field to type in.
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST":
        if refusal:
            forbid(refusal)
        if form.is_valid():
            choices, options, parameters = form.drafting_values()
            try:
                drafting.save_drafting(
                    contract_,
                    request.user,
                    model=form.cleaned_data["model"],
                    choices=choices,
                    options=options,
                    parameters=parameters,
                    expected_version=form.cleaned_data["version"],
                )
            except drafting.DraftingRefused as refused:
                if refused.field in form.fields:
                    form.add_error(refused.field, str(refused))
                else:
                    show_refusal(request, form, refused)
            else:
                messages.success(request, "La rédaction du contrat est enregistrée.")
                return redirect("documents:drafting", contract_id=contract_.pk)
    return render(
        request,
        "documents/drafting.html",
        {
            "contract": contract_,
            "form": form,
            "spec": spec,
            "refusal": refusal,
            "instructions": spec.instructions,
            "blockers": contract.missing_parameters(contract_),
        },
    )


# The page's h1 is its own title: the document's title and Titres are h2, articles h3, their parts h4.
HTML_LEVELS = {0: 2, 1: 2, 2: 3, 3: 4}


def html_blocks(blocks) -> list[dict]:
    """The document's blocks as the page shows them (the same text as the files, article by article)."""
    shown = []
    for block in blocks:
        match block:
            case Heading():
                shown.append(
                    {"kind": "heading", "level": HTML_LEVELS[block.level], "text": block.text, "id": f"b{len(shown)}"}
                )
            case Text():
                shown.append({"kind": "text", "label": block.label, "text": block.text})
            case Bullet():
                shown.append({"kind": "bullet", "text": block.text, "detail": block.detail})
            case Banner():
                shown.append({"kind": "banner", "text": block.text})
            case Table():
                shown.append({"kind": "table", "header": block.header, "rows": block.rows})
            case Signature():
                shown.append({"kind": "signature", "role": block.role, "lines": block.lines})
    return shown
