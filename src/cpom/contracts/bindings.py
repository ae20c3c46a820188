"""A signed contract binds the establishments of its perimeter (registered with cpom.registry.bindings)."""

from cpom.registry.bindings import Binding

from .freeze import ESTABLISHMENT_FROZEN_COLUMNS
from .models import COVERING_STATES, Contract

# The form fields behind the columns the database freezes, and the funders (a table of their own).
FROZEN_FIELDS = frozenset(c.removesuffix("_id") for c in ESTABLISHMENT_FROZEN_COLUMNS if c != "id") | {"funders"}


def signed_contracts(establishment) -> list[Binding]:
    covering = Contract.objects.filter(establishments=establishment, state__in=COVERING_STATES).order_by("reference")
    return [
        Binding(f"couvert par le contrat signé {c.reference} ({c.get_state_display().lower()})", FROZEN_FIELDS)
        for c in covering
    ]
