from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "cpom.jobs"
    verbose_name = "File d'attente"
