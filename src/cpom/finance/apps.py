from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "cpom.finance"
    verbose_name = "Moyens financiers"

    def ready(self):
        from cpom.contracts import guards
        from cpom.jobs.services import register

        from .accounting import jobs
        from .readiness import blockers

        guards.register(blockers)
        register(jobs.KIND, jobs.run, retry=False)
