from django.apps import AppConfig


class LaunchConfig(AppConfig):
    name = "cpom.launch"
    verbose_name = "Kit de lancement"

    def ready(self):
        from django.db.models import Q
        from django.db.models.signals import post_migrate

        from cpom import deadline_sources, history_sources
        from cpom.access import register, rule_for
        from cpom.contracts.models import Contract

        from . import seal, sources

        def seen_contracts(membership):
            return Contract.objects.filter(rule_for(Contract, membership))

        # Everything of a kit is seen by whoever sees its contract.
        register("launch.launchkit", lambda membership: Q(contract__in=seen_contracts(membership)))
        for label in (
            "launch.committeemember",
            "launch.racicell",
            "launch.checklistitem",
            "launch.steprecord",
            "launch.letterissue",
        ):
            register(label, lambda membership: Q(kit__contract__in=seen_contracts(membership)))
        deadline_sources.register(sources.deadlines, *sources.KINDS)
        history_sources.register(sources.history, *sources.EVENT_KINDS)
        # SQLite rebuilds a table it alters and loses its triggers: they are put back after every migrate.
        post_migrate.connect(seal.reinstall, sender=self)
