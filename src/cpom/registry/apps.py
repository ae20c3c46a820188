from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "cpom.registry"
    verbose_name = "Référentiel"
