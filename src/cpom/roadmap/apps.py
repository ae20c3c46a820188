from django.apps import AppConfig


class RoadmapConfig(AppConfig):
    name = "cpom.roadmap"
    verbose_name = "Portefeuille de l'organisme gestionnaire et fiches établissement"
