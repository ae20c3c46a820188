from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "cpom.notifications"
    verbose_name = "Échéances notifiées"

    def ready(self):
        from django.db.models import Q

        from cpom.access import register
        from cpom.jobs.services import register as register_job

        from . import jobs

        # A person's choices and what they were told are theirs alone (their organisation's administrators do not
        # read them either).
        register("notifications.preference", lambda membership: Q(user_id=membership.user_id))
        register("notifications.kindchoice", lambda membership: Q(preference__user_id=membership.user_id))
        register("notifications.sent", lambda membership: Q(user_id=membership.user_id))
        register_job(jobs.KIND, jobs.daily, retry=True)
