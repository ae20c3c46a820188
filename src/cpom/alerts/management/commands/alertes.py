from django.core.management.base import CommandError

from cpom import commands
from cpom.alerts import services
from cpom.contracts.models import Contract


class Command(commands.Command):
    help = "Alertes du suivi : calcul de celles des contrats en vigueur (chaque nuit, et après chaque import)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        compute = actions.add_parser(
            "calculer", help="Calcule les alertes des contrats en vigueur et affiche ce qui a changé."
        )
        compute.add_argument(
            "--contrat", dest="reference", metavar="RÉFÉRENCE", help="un seul contrat, par sa référence"
        )

    def handle(self, *args, action, reference=None, **options):
        contracts = services.contracts_in_force()
        if reference:
            contracts = contracts.filter(reference=reference)
            if not contracts:
                known = Contract.objects.filter(reference=reference).first()
                if known is None:
                    raise CommandError(f"Aucun contrat n'a la référence « {reference} ».")
                raise CommandError(
                    f"Le contrat {reference} est à l'état « {known.get_state_display()} » : seuls les contrats en "
                    "vigueur ont des alertes."
                )
        count, total = services.compute_all(contracts=contracts)
        self.stdout.write(services.summary_text(count, total))
