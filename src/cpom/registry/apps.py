from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "cpom.registry"
    verbose_name = "Référentiel"

    def ready(self):
        from . import display  # noqa: F401 (its filters join the template library)
        from .visibility import register_rules

        register_rules()
