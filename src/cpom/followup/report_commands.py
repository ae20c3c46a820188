"""``cpom suivi rapport REFERENCE --annee A [--format pdf|docx] --sortie FICHIER``: writes a campaign's annual report,
as ``cpom contrats document`` writes the contract (the draft until the campaign is closed, then the signed report as
stored at closing)."""

from pathlib import Path

from django.core.management.base import CommandError

from cpom.contracts.management.commands.contrats import REFERENCE_HELP, Action, contract_by_reference
from cpom.documents.commands import OUTPUT_HELP
from cpom.followup.management.commands.suivi import register_action

from .models import CampaignStatus, SealedDocument
from .report import report_file


def _arguments(parser) -> None:
    parser.add_argument("reference", metavar="REFERENCE", help=REFERENCE_HELP)
    parser.add_argument("--annee", dest="year", type=int, required=True, metavar="ANNEE", help="année de la campagne")
    parser.add_argument("--format", choices=["docx", "pdf"], default="pdf", help="pdf (par défaut) ou docx")
    parser.add_argument("--sortie", dest="output", type=Path, metavar="FICHIER", help=OUTPUT_HELP)


def _report(command, reference, year, format, output=None, **options) -> None:
    contract = contract_by_reference(reference)
    campaign = contract.campaigns.exclude(status=CampaignStatus.PLANNED).filter(year=year).first()
    if campaign is None:
        known = ", ".join(
            str(y) for y in contract.campaigns.exclude(status=CampaignStatus.PLANNED).values_list("year", flat=True)
        )
        raise CommandError(
            f"{contract.reference} n'a pas de campagne de suivi {year} ouverte"
            + (f" (campagnes : {known})." if known else " (aucune campagne ouverte).")
        )
    out = getattr(command.stdout, "_out", command.stdout)
    if output is None and (not hasattr(out, "buffer") or out.isatty()):
        raise CommandError("Un document Word ou PDF s'écrit dans un fichier : nommez-le avec --sortie FICHIER.")
    try:
        _, data = report_file(campaign, format)
    except SealedDocument.DoesNotExist:
        raise CommandError(f"Le rapport {format} de la campagne {year} n'a pas été scellé à sa clôture.") from None
    with command.result(output, binary=True) as handle:
        handle.write(data)
    state = "signé" if campaign.status == CampaignStatus.CLOSED else "projet"
    command.report(
        f"{contract.reference} : rapport annuel {year} ({state}) écrit dans {output or 'la sortie standard'} ({format}).",
        output,
    )


register_action(Action("rapport", "Écrit le rapport annuel d'une campagne (Word ou PDF).", _arguments, _report))
