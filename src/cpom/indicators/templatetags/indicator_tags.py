from decimal import Decimal

from django import template

from cpom.numbers import NBSP, grouped

register = template.Library()

BAND_BADGES = {
    "below_q1": "fr-badge--purple-glycine",
    "q1_median": "fr-badge--blue-ecume",
    "median_q3": "fr-badge--green-emeraude",
    "above_q3": "fr-badge--orange-terre-battue",
    "no_comparison": "",
}


@register.filter
def measure(value, unit=""):
    """A value as French users read it: comma decimals, thin spaces for thousands, its unit."""
    if value is None:
        return "—"
    digits = 0 if abs(value) >= 1000 else 2 if abs(value) < 100 else 1
    text = grouped(Decimal(repr(value)), digits)
    return f"{text}{NBSP}{unit}" if unit else text


@register.inclusion_tag("indicators/_band_badge.html")
def band_badge(value):
    return {"label": value.get_band_display(), "css": BAND_BADGES.get(value.band, ""), "band": value.band}
