"""Downloading the generated documents: the diagnostic's synthesis, a fiche objectif, the annex of every fiche.

The documents render the content of several stages, so they sit above them and the stages' pages link here.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from cpom.contracts.pages import contract_page
from cpom.diagnostic import services as diagnostic_services
from cpom.diagnostic.views import diagnostic_page
from cpom.objectives.readiness import number_order

from . import rules
from .http import document_response
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
