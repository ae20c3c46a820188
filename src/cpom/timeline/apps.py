from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "cpom.timeline"
    verbose_name = "Historique des contrats"

    def ready(self):
        from .sources import register

        register()
