from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cpom.accounts"
    verbose_name = "Comptes et droits"
