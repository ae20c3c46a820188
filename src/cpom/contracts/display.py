"""The contracts' tags of the template library (``{% load cpom %}``)."""

from cpom.web.templatetags.cpom import register

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
