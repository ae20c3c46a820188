"""``cpom contrats verification REFERENCE``: what blocks a contract's signature, for scripts and for people.

The later stages add their own actions to the contracts' command (``cpom contrats document REFERENCE``, written by
the documents): they register them when their app is ready (:func:`register_action`), since the contracts cannot
import what comes after them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.management.base import CommandError

from cpom import commands
from cpom.contracts.guards import blockers
from cpom.contracts.models import Contract

REFERENCE_HELP = "référence du contrat, par exemple CPOM-PDL-2027-044-01"


@dataclass(frozen=True)
class Action:
    name: str
    help: str
    arguments: Callable  # (parser) -> None
    run: Callable  # (command, **options) -> None


_ACTIONS: dict[str, Action] = {}


def register_action(action: Action) -> None:
    _ACTIONS[action.name] = action


def contract_by_reference(reference: str) -> Contract:
    contract = Contract.objects.filter(reference=reference).first()
    if contract is None:
        raise CommandError(f"Aucun contrat ne porte la référence « {reference} ».")
    return contract


class Command(commands.Command):
    help = "Contrats : ce qui bloque la signature, et les actions des étapes suivantes (document du contrat…)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        readiness = actions.add_parser(
            "verification", help="Liste ce qui bloque la signature ; code de sortie 1 si quelque chose bloque."
        )
        readiness.add_argument("reference", metavar="REFERENCE", help=REFERENCE_HELP)
        for action in _ACTIONS.values():
            action.arguments(actions.add_parser(action.name, help=action.help))

    def handle(self, *args, action, **options):
        if action in _ACTIONS:
            _ACTIONS[action].run(self, **options)
            return
        self.do_verification(**options)

    def do_verification(self, reference, **options):
        contract = contract_by_reference(reference)
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
