from django.core.management import call_command

from cpom import commands
from cpom.demo.loader import load_demo


class Command(commands.Command):
    help = "Crée ou met à jour la base et charge les données de démonstration (sans effet si elles y sont déjà)."

    def handle(self, *args, **options):
        call_command("migrate", verbosity=0)
        result = load_demo()
        if result["loaded"]:
            self.stdout.write(self.style.SUCCESS("Démonstration chargée."))
        else:
            self.stdout.write(
                "La démonstration est déjà dans la base : rien n'a été modifié. Pour repartir d'une démonstration "
                "neuve, utilisez une base vide (supprimez var/cpom.sqlite3 ou créez une nouvelle base PostgreSQL)."
            )
        self.stdout.write(f"Comptes : {', '.join(result['users'])} ; mot de passe : {result['password']}")
