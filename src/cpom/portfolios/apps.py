from django.apps import AppConfig


class PortfoliosConfig(AppConfig):
    name = "cpom.portfolios"
    verbose_name = "Portefeuilles des autorités et programmation"

    def ready(self):
        from django.db.models import Q

        from cpom.access import Side, register

        # A line of the programming is seen by the authorities it concerns (the platform team sees everything).
        register(
            "portfolios.programmingentry",
            lambda membership: (
                Q(authorities=membership.authority_id) if membership.side == Side.AUTHORITY else Q(pk__in=[])
            ),
        )
