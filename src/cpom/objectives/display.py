"""The objectives' tags and filters of the template library (``{% load cpom %}``)."""

from cpom.objectives.models import DUE_YEAR_LABELS, due_year_in_calendar
from cpom.web.templatetags.cpom import register

STATUS_BADGES = {
    "proposed": "fr-badge--info",
    "under_discussion": "fr-badge--new",
    "agreed": "fr-badge--success",
    "rejected": "fr-badge--error",
    "intention": "fr-badge--purple-glycine",
}


@register.inclusion_tag("objectives/_status_badge.html")
def status_badge(objective):
    return {"label": objective.get_status_display(), "status": objective.status, "css": STATUS_BADGES[objective.status]}


@register.filter
def target_for(indicator, due_year):
    """The target of ``indicator`` for ``due_year``, from the prefetched targets."""
    return next((t.value for t in indicator.targets.all() if t.due_year == due_year), "")


@register.filter
def due_label(due_year, contract=None):
    """« N+2 », or « N+2 (2029) » given the contract: the calendar year beside the contract year."""
    return DUE_YEAR_LABELS[due_year] if contract is None else due_year_in_calendar(due_year, contract)
