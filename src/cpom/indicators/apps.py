from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "cpom.indicators"
    verbose_name = "Indicateurs"

    def ready(self):
        from cpom.jobs.services import register

        from . import (
            display,  # noqa: F401 (its tags join the template library)
            jobs,
        )

        register(jobs.KIND, jobs.recompute, retry=True)
        register(jobs.IMPORT_KIND, jobs.import_data, retry=False)
