from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "cpom.reviews"
    verbose_name = "Dialogues de gestion"
