from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "cpom.finance"
    verbose_name = "Moyens financiers"
