"""The grid's actions of ``cpom suivi``: ``grille REFERENCE --annee A --sortie F`` writes the campaign's workbook,
``importer-grille FICHIER --utilisateur IDENTIFIANT [--confirmer]`` shows what a filled grid changes and, confirmed,
writes it (all or nothing, the same rules, checks and audit as on the web).

On the command line the import speaks for a person of the platform (``--utilisateur``): the follow-up's rules say
who may fill a grid (the managing body, while the campaign is open), and a system account is no party to a contract.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from cpom.contracts.management.commands.contrats import REFERENCE_HELP, Action, contract_by_reference
from cpom.core.importing import DataImportError
from cpom.import_slots import ImportsBusy

from . import sheet, workbook
from .models import Campaign
from .services import FollowUpRefused

OUTPUT_HELP = "fichier à écrire ; à défaut, la sortie standard (redirigée)"


def grid_arguments(parser) -> None:
    parser.add_argument("reference", metavar="REFERENCE", help=REFERENCE_HELP)
    parser.add_argument("--annee", dest="year", type=int, required=True, metavar="ANNEE", help="année de la campagne")
    parser.add_argument("--sortie", dest="output", type=Path, metavar="FICHIER", help=OUTPUT_HELP)


def _campaign(reference: str, year: int) -> Campaign:
    contract = contract_by_reference(reference)
    campaign = Campaign.objects.filter(contract=contract, year=year).select_related("contract").first()
    if campaign is None:
        raise CommandError(f"Le contrat {contract.reference} n'a pas de campagne de suivi {year}.")
    return campaign


def grid(command, reference, year, output=None, **options) -> None:
    campaign = _campaign(reference, year)
    data = workbook.grid_workbook(campaign)
    with command.result(output, binary=True) as handle:
        handle.write(data)
    command.report(
        f"{campaign.contract.reference} : grille de la campagne {year} écrite dans {output or 'la sortie standard'}.",
        output,
    )


def import_arguments(parser) -> None:
    parser.add_argument("file", type=Path, metavar="FICHIER", help="la grille remplie (.xlsx)")
    parser.add_argument(
        "--utilisateur",
        dest="username",
        required=True,
        metavar="IDENTIFIANT",
        help="la personne de l'organisme gestionnaire au nom de qui la grille est importée",
    )
    parser.add_argument(
        "--confirmer", dest="confirm", action="store_true", help="enregistre les changements (sans : aperçu seul)"
    )


def _campaign_of_file(content: bytes, name: str) -> Campaign:
    """The campaign a grid file names (its hidden identity cell), read with the same bounds as the import."""
    pk = sheet.identity_of(content, name).removeprefix(workbook.IDENTITY.format(pk=""))
    campaign = Campaign.objects.filter(pk=int(pk) if pk.isdigit() else None).select_related("contract").first()
    if campaign is None:
        raise DataImportError(name, [sheet.NOT_A_GRID])
    return campaign


def import_grid(command, file, username, confirm=False, **options) -> None:
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"Aucun compte actif ne porte l'identifiant « {username} ».")
    try:
        content = file.read_bytes()
    except OSError as error:
        raise CommandError(f"Fichier {file} illisible : {error.strerror}.") from None
    try:
        campaign = _campaign_of_file(content, file.name)
        preview = workbook.preview_import(campaign, user, content, file.name)
        if confirm:
            workbook.confirm_import(campaign, user, preview.token)
    except (DataImportError, FollowUpRefused, ImportsBusy) as refused:
        raise CommandError(str(refused)) from None
    where = f"{campaign.contract.reference}, campagne {campaign.year}"
    if not preview.changes:
        command.stdout.write(f"{where} : le fichier {file.name} ne change rien à la grille.")
        return
    command.stdout.write(f"{where} : {len(preview.changes)} cellule(s) à changer.")
    for change in preview.changes:
        command.stdout.write(
            f"- ligne {change.row}, {change.line}, {change.column} : « {change.old} » → « {change.new} »"
        )
    command.stdout.write("Enregistré." if confirm else "Rien n'est enregistré : relancez avec --confirmer.")


ACTIONS = (
    Action(
        "grille",
        "Écrit la grille de suivi d'une campagne (Excel), telle que l'autorité la présente.",
        grid_arguments,
        grid,
    ),
    Action(
        "importer-grille",
        "Importe une grille de suivi remplie : aperçu des changements, enregistrés avec --confirmer (tout ou rien).",
        import_arguments,
        import_grid,
    ),
)
