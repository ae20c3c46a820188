from pathlib import Path

from django.core.management.base import CommandError

from cpom import commands
from cpom.core.text import plural, the
from cpom.diagnostic import frames
from cpom.registry.models import Authority


class Command(commands.Command):
    help = "Diagnostic partagé : chargement de la trame (sections, check-list de l'ANAP)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        load = actions.add_parser("charger-trame", help="Charge la trame nationale, ou le fichier TOML donné.")
        load.add_argument(
            "file",
            nargs="?",
            type=Path,
            metavar="FICHIER",
            help="trame propre à une autorité (TOML) ; la trame nationale si omis",
        )
        load.add_argument(
            "--autorite",
            dest="authority",
            metavar="ID",
            type=int,
            help="identifiant de l'autorité propriétaire de la trame",
        )

    def handle(self, *args, action, **options):
        handler = getattr(self, "do_" + action.replace("-", "_"))
        handler(**options)

    def do_charger_trame(self, file=None, authority=None, **options):
        if file is None and authority:
            # The national frame belongs to no authority: attaching it to one would take it from everybody else.
            raise CommandError("--autorite s'emploie avec le fichier de la trame propre à cette autorité.")
        try:
            authority = Authority.objects.get(pk=authority) if authority else None
        except Authority.DoesNotExist:
            raise CommandError(f"Autorité inconnue : {authority}.") from None
        try:
            template = frames.load_template(file or frames.NATIONAL_FILE, authority)
        except frames.TemplateError as error:
            raise CommandError(str(error)) from None
        owner = f" pour {the(authority.name)}" if authority else " (trame nationale)"
        self.stdout.write(
            self.style.SUCCESS(
                f"{template}{owner} : {plural(template.sections.count(), 'section')}, "
                f"{plural(template.checklist.count(), 'thème')} dans la check-list."
            )
        )
