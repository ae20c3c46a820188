from django.core.management import call_command
from django.core.management.base import CommandError

from cpom import commands
from cpom.demo.contract_content import StoryError
from cpom.demo.loader import StoryStepFailed, load_demo
from cpom.demo.story import StoryFileError


class Command(commands.Command):
    help = "Crée ou met à jour la base et charge les données de démonstration (sans effet si elles y sont déjà)."

    def handle(self, *args, **options):
        call_command("migrate", verbosity=0)
        try:
            result = load_demo()
        except (StoryFileError, StoryStepFailed, StoryError) as error:
            # Nothing is written (one transaction): the message names the story file and the step.
            raise CommandError(f"Démonstration non chargée : {error}") from error
        if result["loaded"]:
            self.stdout.write(self.style.SUCCESS("Démonstration chargée."))
        else:
            self.stdout.write(
                "La démonstration est déjà dans la base : rien n'a été modifié. Pour repartir d'une démonstration "
                "neuve, utilisez une base vide (supprimez var/cpom.sqlite3 ou créez une nouvelle base PostgreSQL)."
            )
        self.stdout.write(f"Comptes : {', '.join(result['users'])} ; mot de passe : {result['password']}")
