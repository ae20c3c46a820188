from django.apps import AppConfig


class ObjectivesConfig(AppConfig):
    name = "cpom.objectives"
    verbose_name = "Objectifs et indicateurs de suivi"

    def ready(self):
        from cpom.contracts import guards

        from . import display  # noqa: F401 (its tags join the template library)
        from .readiness import blockers

        guards.register(blockers)
