from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "cpom.documents"
    verbose_name = "Documents du contrat"

    def ready(self):
        from cpom.contracts import guards
        from cpom.contracts.management.commands.contrats import register_action

        from .commands import ACTIONS
        from .contract import missing_parameters

        guards.register(missing_parameters)
        for action in ACTIONS:
            register_action(action)
