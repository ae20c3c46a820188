from django import template

from cpom.core import numbers
from cpom.indicators import bands

register = template.Library()


@register.filter
def measure(value, unit=""):
    """cpom.core.numbers.measure, « — » when there is no value."""
    return "—" if value is None else numbers.measure(value, unit or "")


@register.inclusion_tag("indicators/_band_badge.html")
def band_badge(band: str, label: str, direction: str):
    """A value's position among its peers, green when favourable and red when not, by the indicator's direction."""
    return {"band": band, "label": label, "css": bands.badge_class(band, direction), "tone": bands.tone(band, direction)}
