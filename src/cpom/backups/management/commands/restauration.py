from pathlib import Path

from django.core.management.base import CommandError
from django.db import connections

from cpom import commands
from cpom.backups.archive import ArchiveRefused
from cpom.backups.services import BackupRefused, restore


class Command(commands.Command):
    help = (
        "Restaure une sauvegarde de « cpom sauvegarde » dans une base vide et un dossier de fichiers vide, après avoir "
        "vérifié toute l'archive (empreintes SHA-256) ; la base revient avec ses déclencheurs."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", metavar="ARCHIVE", type=Path, help="l'archive .tar.gz à restaurer")

    def handle(self, *args, **options):
        try:
            outcome = restore(connections["default"], options["archive"])
        except (BackupRefused, ArchiveRefused, OSError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Sauvegarde {outcome.archive.name} restaurée (base {outcome.database}, {outcome.files} fichier{'s' if outcome.files > 1 else ''}). "
            "Lancez « cpom migrate » si cette version de cpom est plus récente que la sauvegarde."
        )
