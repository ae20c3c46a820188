from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "cpom.finance"
    verbose_name = "Moyens financiers"

    def ready(self):
        from cpom.contracts import guards

        from .readiness import blockers

        guards.register(blockers)
