from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "cpom.backups"
    verbose_name = "Sauvegardes"
