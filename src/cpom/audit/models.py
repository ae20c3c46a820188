from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class AuditEntry(models.Model):
    """Who changed what, when, with the values before and after."""

    # Append-only in the database: the moment is set when the entry is written, and the accounts it names are
    # deactivated, never deleted.
    at = models.DateTimeField("le", default=timezone.now, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    organisation_label = models.CharField("organisation", max_length=200)
    object_type = models.CharField("type d'objet", max_length=100)
    object_id = models.CharField("identifiant", max_length=40)
    action = models.CharField("action", max_length=300)
    before = models.JSONField("avant", encoder=DjangoJSONEncoder, null=True)
    after = models.JSONField("après", encoder=DjangoJSONEncoder, null=True)

    class Meta:
        verbose_name = "entrée du journal"
        verbose_name_plural = "journal des modifications"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.object_type} {self.object_id} : {self.action}"

    def changed_fields(self) -> list[tuple[str, object, object]]:
        before, after = self.before or {}, self.after or {}
        return [
            (k, before.get(k), after.get(k)) for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)
        ]
