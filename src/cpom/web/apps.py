from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "cpom.web"
    label = "cpom_web"
    verbose_name = "Pages"
