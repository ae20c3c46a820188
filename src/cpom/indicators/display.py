"""The indicators' tags of the template library (``{% load cpom %}``)."""

from cpom.indicators import bands
from cpom.web.templatetags.cpom import register


@register.inclusion_tag("indicators/_band_badge.html")
def band_badge(band: str, label: str, direction: str):
    """A value's position among its peers, green when favourable and red when not, by the indicator's direction."""
    return {
        "band": band,
        "label": label,
        "css": bands.badge_class(band, direction),
        "tone": bands.tone(band, direction),
    }
