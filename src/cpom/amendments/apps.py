from django.apps import AppConfig


class AmendmentsConfig(AppConfig):
    name = "cpom.amendments"
    verbose_name = "Vie du contrat signé : avenants, prorogation, dénonciation, renouvellement"
