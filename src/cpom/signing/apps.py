from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "cpom.signing"
    verbose_name = "Consultations et signature"

    def ready(self):
        from cpom.contracts import guards, lifecycle
        from cpom.contracts.models import State

        from . import rendering, services

        guards.register(services.consultation_blockers)
        # The signature circuit owns the way in and the two ways out of « En signature »: no click takes them around it.
        lifecycle.register_check(State.READY_FOR_SIGNATURE, State.IN_SIGNATURE, services.version_sent)
        lifecycle.register_check(State.IN_SIGNATURE, State.SIGNED, services.every_party_signed)
        lifecycle.register_check(State.IN_SIGNATURE, State.NEGOTIATION, services.refusal_recorded)
        rendering.register_context(services.deliberation_context)
        rendering.register_sealed(services.sealed_for_documents)
