from django.db.models import Model

from cpom.accounts.access import membership_of

from .models import AuditEntry


def _headline(action: str) -> str:
    """Actions quote what changed (an indicator's label…): a long one is shortened, the before/after keep it all."""
    limit = AuditEntry._meta.get_field("action").max_length
    return action if len(action) <= limit else action[: limit - 1] + "…"


def record(user, obj: Model, action: str, before: dict | None, after: dict | None) -> AuditEntry:
    membership = membership_of(user)
    return AuditEntry.objects.create(
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
