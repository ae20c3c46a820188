from django.apps import AppConfig


class PortfoliosConfig(AppConfig):
    name = "cpom.portfolios"
    verbose_name = "Portefeuilles des autorités et programmation"
