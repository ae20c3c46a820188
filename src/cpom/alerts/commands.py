"""``cpom suivi alertes [--contrat RÉFÉRENCE]``: computes the alerts of the contracts in force and says what changed;
meant for a nightly scheduled run (README, « Exploitation »). Registered on the follow-up's command."""

from django.core.management.base import CommandError

from cpom.contracts.management.commands.contrats import Action
from cpom.contracts.models import Contract

from . import jobs, services


def _arguments(parser) -> None:
    parser.add_argument("--contrat", dest="reference", metavar="RÉFÉRENCE", help="un seul contrat, par sa référence")
    parser.add_argument(
        "--en-file",
        dest="queued",
        action="store_true",
        help="confie le calcul de tous les contrats à « cpom worker » (retenté en cas d'échec) au lieu de le faire ici",
    )


def _compute(command, reference=None, queued=False, **options) -> None:
    if queued:
        if reference:
            raise CommandError("--en-file calcule tous les contrats en vigueur : il ne se combine pas avec --contrat.")
        job = jobs.ask()
        command.stdout.write(f"Calcul des alertes confié à la file d'attente : travail n° {job.pk}.")
        return
    contracts = services.contracts_in_force()
    if reference:
        contracts = contracts.filter(reference=reference)
        if not contracts:
            known = Contract.objects.filter(reference=reference).first()
            if known is None:
                raise CommandError(f"Aucun contrat ne porte la référence « {reference} ».")
            raise CommandError(
                f"Le contrat {reference} est à l'état « {known.get_state_display()} » : seuls les contrats en "
                "vigueur ont des alertes."
            )
    count, total = services.compute_all(contracts=contracts)
    command.stdout.write(services.summary_text(count, total))


ACTION = Action(
    "alertes", "Calcule les alertes des contrats en vigueur et affiche ce qui a changé.", _arguments, _compute
)
