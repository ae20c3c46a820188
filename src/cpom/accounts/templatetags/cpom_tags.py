from decimal import Decimal

from django import template

from cpom.core import numbers, text
from cpom.registry.territories import territory_label

register = template.Library()

STATE_BADGES = {
    "programmed": "fr-badge--new",
    "launched": "fr-badge--info",
    "diagnostic": "fr-badge--info",
    "negotiation": "fr-badge--info",
    "ready_for_signature": "fr-badge--warning",
    "signed": "fr-badge--success",
    "in_force": "fr-badge--success",
    "renewal": "fr-badge--warning",
    "closed": "",
    "terminated": "fr-badge--error",
}


@register.inclusion_tag("contracts/_state_badge.html")
def state_badge(contract):
    return {"label": contract.get_state_display(), "css": STATE_BADGES.get(contract.state, "")}


@register.filter
def person(user) -> str:
    """Who did it: the full name, else the username; « — » for an entry with no account (a command, a script)."""
    if user is None:
        return "—"
    return user.get_full_name() or user.username


@register.filter
def money(value):
    """« 12 500,50 € » (« −46 666,67 € » for a deficit), or « — » when there is no amount."""
    return "—" if value is None or value == "" else numbers.money(Decimal(str(value)))


@register.filter
def the(name) -> str:
    """« l'ARS Pays de la Loire », « le Conseil départemental… » (cpom.core.text.the)."""
    return text.the(str(name))


@register.filter
def of(name) -> str:
    """« de l'ARS Pays de la Loire », « du Conseil départemental… » (cpom.core.text.of)."""
    return text.of(str(name))


@register.filter
def to(name) -> str:
    """« à l'ARS Pays de la Loire », « au Conseil départemental… » (cpom.core.text.to)."""
    return text.to(str(name))


@register.filter
def territory(authority) -> str:
    """An authority's territory by name: « Pays de la Loire » for an ARS, « Loire-Atlantique (44) » for a council."""
    return territory_label("region" if authority.kind == "ARS" else "department", authority.territory)


def _forms(words: str) -> tuple[str, str | None]:
    singular, _, plural_form = words.partition(",")
    return singular, plural_form or None


@register.filter
def plural(count, words: str) -> str:
    """« 3 établissements », « 1 place installée »: ``{{ n|plural:"place installée,places installées" }}``; unlike
    Django's pluralize, French counts 0 and 1 as singular (cpom.core.text.plural)."""
    return text.plural(int(count), *_forms(words))


@register.filter
def agreed(count, words: str) -> str:
    """The words alone, agreed with ``count``: ``<strong>{{ n }}</strong> {{ n|agreed:"objectif,objectifs" }}``."""
    return text.agreed(int(count), *_forms(words))
