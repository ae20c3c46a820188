from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "cpom.signing"
    verbose_name = "Consultations et signature"
