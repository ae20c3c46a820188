from pathlib import Path

from django.core.management.base import CommandError
from django.db import connections

from cpom import commands
from cpom.backups.archive import ArchiveRefused
from cpom.backups.services import BackupRefused, backup
from cpom.core.numbers import grouped


class Command(commands.Command):
    help = (
        "Sauvegarde la base (SQLite ou PostgreSQL) et les fichiers déposés dans une archive .tar.gz, avec un "
        "manifeste des empreintes SHA-256. À planifier chaque jour ; se restaure avec « cpom restauration »."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sortie",
            dest="output",
            metavar="FICHIER",
            type=Path,
            help="archive à écrire (par défaut : var/sauvegardes/cpom-AAAAMMJJ-HHMMSS.tar.gz)",
        )

    def handle(self, *args, **options):
        try:
            outcome = backup(connections["default"], options["output"])
        except (BackupRefused, ArchiveRefused, OSError) as error:
            raise CommandError(str(error)) from None
        size = grouped(outcome.size / 1_000_000, 1)
        self.stdout.write(
            f"Sauvegarde écrite : {outcome.archive} (base {outcome.database}, {outcome.files} fichier{'s' if outcome.files > 1 else ''}, {size} Mo)."
        )
