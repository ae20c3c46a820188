from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "cpom.audit"
    verbose_name = "Journal des modifications"

    def ready(self):
        # The admin app is listed first: every admin module is loaded by now, third-party ones included.
        from .admin import audit_every_admin

        audit_every_admin()
