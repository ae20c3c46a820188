from django.apps import AppConfig
from django.db.models.signals import post_migrate


class FollowupConfig(AppConfig):
    name = "cpom.followup"
    verbose_name = "Suivi annuel du contrat signé"

    def ready(self):
        from cpom import deadline_sources

        from . import deadlines, report, seal, workbook, workbook_commands
        from .management.commands.suivi import register_action
        from .snapshot import register_sealed_document

        report.register()

        # SQLite rebuilds a table it alters and loses its triggers: they are put back after every migrate.
        post_migrate.connect(seal.reinstall, sender=self)
        for action in workbook_commands.ACTIONS:
            register_action(action)
        register_sealed_document("grille-xlsx", "Grille de suivi signée (Excel)", workbook.sealed_workbook)
        deadline_sources.register(deadlines.source, *deadlines.KINDS)
