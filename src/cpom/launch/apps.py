from django.apps import AppConfig


class LaunchConfig(AppConfig):
    name = "cpom.launch"
    verbose_name = "Kit de lancement"
