from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "cpom.reviews"
    verbose_name = "Dialogues de gestion"

    def ready(self):
        from django.db.models import Q
        from django.db.models.signals import post_migrate

        from cpom import deadline_sources, history_sources
        from cpom.access import register, rule_for
        from cpom.contracts.models import Contract
        from cpom.jobs.services import register as register_job

        from . import jobs, seal, sources

        def of_visible_contracts(path: str):
            return lambda membership: Q(**{f"{path}__in": Contract.objects.filter(rule_for(Contract, membership))})

        # A review and all it holds are seen by whoever sees its contract.
        register("reviews.review", of_visible_contracts("contract"))
        for label in ("participant", "question", "decision", "adjustment", "minutessignature"):
            register(f"reviews.{label}", of_visible_contracts("review__contract"))
        deadline_sources.register(sources.deadlines, *sources.DEADLINE_KINDS)
        history_sources.register(sources.history, *sources.HISTORY_KINDS)
        post_migrate.connect(seal.reinstall, sender=self)
        register_job(jobs.KIND, jobs.build, retry=True)
