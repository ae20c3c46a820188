from django.core.management import call_command
from django.core.management.base import BaseCommand

from cpom.demo.loader import load_demo


class Command(BaseCommand):
    help = "Crée ou met à jour la base et charge les données de démonstration (sans effet si déjà chargées)."

    def handle(self, *args, **options):
        call_command("migrate", verbosity=0)
        result = load_demo()
        self.stdout.write(self.style.SUCCESS("Démonstration chargée."))
        self.stdout.write(f"Comptes : {', '.join(result['users'])} ; mot de passe : {result['password']}")
