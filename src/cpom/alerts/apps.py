from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "cpom.alerts"
    verbose_name = "Alertes du suivi"

    def ready(self):
        from django.db.models import Q
        from django.db.models.signals import post_migrate

        from cpom import import_slots
        from cpom.access import register, rule_for
        from cpom.contracts.models import Contract
        from cpom.followup.management.commands.suivi import register_action
        from cpom.jobs.services import register as register_job

        from . import commands, jobs, kept, services

        # An alert is seen by whoever sees its contract.
        register(
            "alerts.alert", lambda membership: Q(contract__in=Contract.objects.filter(rule_for(Contract, membership)))
        )
        # The lower layers announce their imports without knowing this app: each one recomputes the alerts.
        import_slots.after_import(services.refresh_after_import)
        register_action(commands.ACTION)
        post_migrate.connect(kept.reinstall, sender=self)
        register_job(jobs.KIND, jobs.nightly, retry=True)
