"""``cpom suivi ouvrir-campagnes [--date JJ/MM/AAAA]``: opens the year's campaigns of the contracts in force whose lead
authority set a day for it (``CPOM_FOLLOW_UP["automatic_opening"]``, per authority in
``CPOM_FOLLOW_UP_BY_AUTHORITY``); meant for a daily scheduled run.

The follow-up's other actions (the grid's workbook, the alerts) register themselves here (:func:`register_action`),
each from its own module.
"""

from datetime import datetime

from django.core.management.base import CommandError
from django.utils import timezone

from cpom import commands
from cpom.contracts.management.commands.contrats import Action
from cpom.followup.services import open_due_campaigns

_ACTIONS: dict[str, Action] = {}


def register_action(action: Action) -> None:
    _ACTIONS[action.name] = action


def _day(text: str | None):
    if not text:
        return timezone.localdate()
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        raise CommandError(f"--date : « {text} » n'est pas une date au format JJ/MM/AAAA.") from None


class Command(commands.Command):
    help = "Suivi annuel des contrats signés : ouverture des campagnes et actions du suivi."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        opening = actions.add_parser(
            "ouvrir-campagnes",
            help="Ouvre les campagnes de l'année arrivées à la date d'ouverture fixée par leur autorité cheffe de file.",
        )
        opening.add_argument("--date", metavar="JJ/MM/AAAA", help="jour de référence (par défaut aujourd'hui)")
        for action in _ACTIONS.values():
            action.arguments(actions.add_parser(action.name, help=action.help))

    def handle(self, *args, action, **options):
        if action in _ACTIONS:
            _ACTIONS[action].run(self, **options)
            return
        opened = open_due_campaigns(_day(options.get("date")))
        if not opened:
            self.stdout.write("Aucune campagne à ouvrir.")
        for campaign in opened:
            self.stdout.write(
                f"{campaign.contract.reference} : campagne {campaign.year} ouverte, bilan attendu le "
                f"{campaign.report_deadline:%d/%m/%Y}."
            )
