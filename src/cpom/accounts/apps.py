from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cpom.accounts"
    verbose_name = "Comptes et droits"

    def ready(self):
        from . import signals  # noqa: F401  (connects the login receivers)
