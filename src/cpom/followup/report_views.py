"""The annual report's download: the draft written now, or the signed report as stored at the campaign's close."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from cpom.contracts.pages import contract_page
from cpom.documents.http import document_response

from . import report
from .models import SealedDocument


@contract_page("followup")
def report_download(request, contract, campaign_id, extension):
    if extension not in report.WRITERS:
        raise Http404
    campaign = get_object_or_404(contract.campaigns.select_related("contract"), pk=campaign_id)
    try:
        name, data = report.report_file(campaign, extension)
    except SealedDocument.DoesNotExist:
        raise Http404("Ce rapport n'a pas été scellé à la clôture de la campagne.") from None
    return document_response(data, name.removesuffix(f".{extension}"), extension)
