from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "cpom.registry"
    verbose_name = "Référentiel"

    def ready(self):
        from cpom import deadline_sources

        from . import deadlines, display  # noqa: F401 (its filters join the template library)
        from .visibility import register_rules

        register_rules()
        deadline_sources.register(deadlines.source, deadlines.KIND, narrows=True)
