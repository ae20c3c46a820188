from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "cpom.notifications"
    verbose_name = "Échéances notifiées"
