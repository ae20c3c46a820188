from django import template

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
