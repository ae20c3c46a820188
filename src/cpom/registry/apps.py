from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "cpom.registry"
    verbose_name = "Référentiel"

    def ready(self):
        from .visibility import register_rules

        register_rules()
