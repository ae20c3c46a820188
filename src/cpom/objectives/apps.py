from django.apps import AppConfig


class ObjectivesConfig(AppConfig):
    name = "cpom.objectives"
    verbose_name = "Objectifs et indicateurs de suivi"
