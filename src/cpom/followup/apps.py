from django.apps import AppConfig
from django.db.models.signals import post_migrate


class FollowupConfig(AppConfig):
    name = "cpom.followup"
    verbose_name = "Suivi annuel du contrat signé"

    def ready(self):
        from . import seal

        # SQLite rebuilds a table it alters and loses its triggers: they are put back after every migrate.
        post_migrate.connect(seal.reinstall, sender=self)
