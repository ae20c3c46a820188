"""The contract page's « Alertes » panel: the counts by kind and the open alerts, each linking to its cause."""

from django import template
from django.db.models import Count

from ..models import Alert, Kind

register = template.Library()

SHOWN = 5


@register.inclusion_tag("alerts/_alerts_panel.html")
def alerts_panel(contract):
    alerts = Alert.objects.open().filter(contract=contract).select_related("establishment")
    counts = dict(alerts.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    return {
        "contract": contract,
        "counts": [(label, counts[kind]) for kind, label in Kind.choices if kind in counts],
        "total": sum(counts.values()),
        "unacknowledged": alerts.unacknowledged().count(),
        "shown": list(alerts.order_by("acknowledged_at", "-year", "kind")[:SHOWN]),
    }
