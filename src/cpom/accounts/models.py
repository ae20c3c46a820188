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
