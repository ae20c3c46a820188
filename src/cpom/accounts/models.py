from django.conf import settings
from django.db import models
from django.db.models import Q

from cpom.access import Role, Side, role_reaches
from cpom.registry.models import Authority, ManagingBody


class Membership(models.Model):
    """The one organisation a user belongs to, and the role they hold there."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    managing_body = models.ForeignKey(
        ManagingBody,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name="organisme gestionnaire",
    )
    authority = models.ForeignKey(
        Authority, null=True, blank=True, on_delete=models.PROTECT, related_name="members", verbose_name="autorité"
    )
    is_platform = models.BooleanField("équipe de la plateforme", default=False)
    role = models.CharField("rôle", max_length=12, choices=Role.choices, default=Role.READ)

    class Meta:
        verbose_name = "rattachement"
        verbose_name_plural = "rattachements"
        constraints = [
            models.CheckConstraint(
                condition=Q(managing_body__isnull=False, authority__isnull=True, is_platform=False)
                | Q(managing_body__isnull=True, authority__isnull=False, is_platform=False)
                | Q(managing_body__isnull=True, authority__isnull=True, is_platform=True),
                name="membership_exactly_one_organisation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation_label} ({self.get_role_display()})"

    @property
    def side(self) -> str:
        if self.is_platform:
            return Side.PLATFORM
        return Side.MANAGING_BODY if self.managing_body_id else Side.AUTHORITY

    @property
    def organisation_label(self) -> str:
        if self.is_platform:
            return "Plateforme cpom"
        return str(self.managing_body or self.authority)

    def has_role(self, minimum: str) -> bool:
        return role_reaches(self.role, minimum)


class ApiToken(models.Model):
    """A person's key to the API (« Mon compte »): stored as a digest, shown once, expiring, revocable.

    A person may hold several (one per program that reads cpom for them), each named, so that revoking the key of a
    retired spreadsheet does not break the accounting software."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    label = models.CharField("nom du jeton", max_length=100)
    prefix = models.CharField("début du jeton", max_length=13, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("créé le")
    expires_at = models.DateTimeField("expire le")
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="api_token_expires_after"),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=models.F("created_at")),
                name="api_token_revoked_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.prefix}…)"

    def is_usable(self, now) -> bool:
        return self.revoked_at is None and now < self.expires_at
