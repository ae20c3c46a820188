"""The documents' actions of ``cpom contrats``: ``document REFERENCE`` writes the contract's Word or PDF file,
``charger-modele FICHIER`` loads a contract model (all or nothing, errors naming the file and the clause)."""

from pathlib import Path

from django.core.management.base import CommandError

from cpom.contracts.management.commands.contrats import REFERENCE_HELP, Action, contract_by_reference
from cpom.registry.models import Authority

from . import contract as documents
from . import drafting, template

OUTPUT_HELP = "fichier à écrire ; à défaut, la sortie standard (redirigée)"


def _document_arguments(parser) -> None:
    parser.add_argument("reference", metavar="REFERENCE", help=REFERENCE_HELP)
    parser.add_argument("--format", choices=["docx", "pdf"], default="pdf", help="pdf (par défaut) ou docx")
    parser.add_argument("--sortie", dest="output", type=Path, metavar="FICHIER", help=OUTPUT_HELP)


def _document(command, reference, format, output=None, **options) -> None:
    contract = contract_by_reference(reference)
    out = getattr(command.stdout, "_out", command.stdout)
    if output is None and (not hasattr(out, "buffer") or out.isatty()):
        raise CommandError("Un document Word ou PDF s'écrit dans un fichier : nommez-le avec --sortie FICHIER.")
    data = documents.contract_file(contract, format)
    with command.result(output, binary=True) as handle:
        handle.write(data)
    command.report(f"{contract.reference} : contrat écrit dans {output or 'la sortie standard'} ({format}).", output)


def _load_arguments(parser) -> None:
    parser.add_argument("file", type=Path, metavar="FICHIER", help="le fichier TOML du modèle")
    parser.add_argument(
        "--autorite", dest="authority", metavar="ID", type=int, help="identifiant de l'autorité propriétaire du modèle"
    )


def _load(command, file, authority=None, **options) -> None:
    try:
        owner = Authority.objects.get(pk=authority) if authority else None
    except Authority.DoesNotExist:
        raise CommandError(f"Aucune autorité n'a l'identifiant {authority}.") from None
    try:
        model, created = drafting.load_model(file, owner)
    except template.ModelError as error:
        raise CommandError(str(error)) from None
    state = "chargé" if created else "déjà chargé, inchangé"
    command.stdout.write(f"{model} : {state} ({len(model.clauses['clauses'])} clauses, empreinte {model.sha256}).")


ACTIONS = (
    Action("document", "Écrit le contrat (Word ou PDF) tel qu'il est aujourd'hui.", _document_arguments, _document),
    Action(
        "charger-modele",
        "Charge un modèle de contrat (TOML), tout ou rien ; sans --autorite, un modèle commun à toutes.",
        _load_arguments,
        _load,
    ),
)
