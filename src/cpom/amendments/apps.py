from django.apps import AppConfig


class AmendmentsConfig(AppConfig):
    name = "cpom.amendments"
    verbose_name = "Vie du contrat signé : avenants, prorogation, dénonciation, renouvellement"

    def ready(self):
        from cpom import deadline_sources
        from cpom.contracts import lifecycle
        from cpom.contracts.models import State

        from . import circuit, deadlines
        from .life import notice_reached
        from .services import AmendmentRefused, apply_signed, back_where_it_was, only_while_applying, return_to_draft

        for state in lifecycle.AMENDABLE_STATES:
            # Nobody steps into « amending » by hand; out of it, the contract goes back where it was.
            lifecycle.register_check(state, State.AMENDING, only_while_applying)
            lifecycle.register_check(State.AMENDING, state, back_where_it_was(state))
            # A termination ends the contract at its notice's end, not before.
            if (state, State.TERMINATED) in lifecycle.RULES:
                lifecycle.register_check(state, State.TERMINATED, notice_reached)
        circuit.connect(apply_signed, return_to_draft, AmendmentRefused)
        deadline_sources.register(deadlines.source, *deadlines.KINDS)
