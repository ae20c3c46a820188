from datetime import datetime

from django.db.models import Model
from django.utils import timezone

from cpom.access import membership_of

from .models import AuditEntry


def _headline(action: str) -> str:
    """Actions quote what changed (an indicator's label…): a long one is shortened, the before/after keep it all."""
    limit = AuditEntry._meta.get_field("action").max_length
    return action if len(action) <= limit else action[: limit - 1] + "…"


def record(
    user, obj: Model, action: str, before: dict | None, after: dict | None, at: datetime | None = None
) -> AuditEntry:
    """Appends an entry; ``at`` is for the demo, which replays a story with its own dates (now by default)."""
    membership = membership_of(user)
    return AuditEntry.objects.create(
        at=at or timezone.now(),
        user=user if user is not None and user.is_authenticated else None,
        organisation_label=membership.organisation_label if membership else "",
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        action=_headline(action),
        before=before,
        after=after,
    )


def entries_for(obj: Model):
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).select_related("user")


def snapshot(instance: Model) -> dict:
    """A record as the journal keeps it: its fields by their French names, related records by their names."""
    data = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key or field.name in ("version", "password"):
            continue
        value = getattr(instance, field.name)
        data[str(field.verbose_name)] = str(value) if field.is_relation and value is not None else value
    if instance.pk is not None:
        for field in instance._meta.many_to_many:
            data[str(field.verbose_name)] = sorted(str(related) for related in getattr(instance, field.name).all())
    return data
