"""The registry's filters of the template library (``{% load cpom %}``)."""

from cpom.registry.territories import territory_label
from cpom.web.templatetags.cpom import register


@register.filter
def territory(authority) -> str:
    """An authority's territory by name: « Pays de la Loire » for an ARS, « Loire-Atlantique (44) » for a council."""
    return territory_label("region" if authority.kind == "ARS" else "department", authority.territory)
