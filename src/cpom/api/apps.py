from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cpom.api"
    verbose_name = "API"
