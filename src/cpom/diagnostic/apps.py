from django.apps import AppConfig


class DiagnosticConfig(AppConfig):
    name = "cpom.diagnostic"
    verbose_name = "Diagnostic partagé"
