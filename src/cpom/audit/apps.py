from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "cpom.audit"
    verbose_name = "Journal des modifications"
