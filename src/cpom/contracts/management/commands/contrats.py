"""``cpom contrats verification REFERENCE``: what blocks a contract's signature, for scripts and for people."""

from django.core.management.base import CommandError

from cpom import commands
from cpom.contracts.guards import blockers
from cpom.contracts.models import Contract


class Command(commands.Command):
    help = "Contrats : ce qui bloque la signature."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        readiness = actions.add_parser(
            "verification", help="Liste ce qui bloque la signature ; code de sortie 1 si quelque chose bloque."
        )
        readiness.add_argument(
            "reference", metavar="REFERENCE", help="référence du contrat, par exemple CPOM-PDL-2027-044-01"
        )

    def handle(self, *args, action, reference, **options):
        contract = Contract.objects.filter(reference=reference).first()
        if contract is None:
            raise CommandError(f"Aucun contrat ne porte la référence « {reference} ».")
        found = blockers(contract)
        if not found:
            self.stdout.write(f"{contract.reference} : rien ne bloque la signature.")
            return
        self.stdout.write(
            f"{contract.reference} : {len(found)} point{'s' if len(found) > 1 else ''} bloque{'nt' if len(found) > 1 else ''} la signature."
        )
        for blocker in found:
            self.stdout.write(f"- {blocker.message}\n  à corriger : {blocker.url}")
        # The exit status lets a script (or CI of an authority) stop on a contract that is not ready.
        raise SystemExit(1)
