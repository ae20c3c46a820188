"""The alerts of a signed contract's follow-up: what deserves a look, computed from the data every night and after
each import, never typed.

An alert is kept per contract, kind and stable key (« i-25/250000001/2025 »): a new computation updates the one it
finds (its message, its last sighting) rather than adding another, and marks resolved the ones whose cause is gone.
An acknowledgement (who, when, why) stays with the alert; the audit journal keeps it too.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from cpom.contracts.models import Contract
from cpom.records import VersionedModel
from cpom.registry.models import Establishment

from . import findings


class Kind(models.TextChoices):
    INDICATOR = findings.INDICATOR, "Indicateur hors trajectoire ou non atteint"
    MILESTONE = findings.MILESTONE, "Jalon en retard"
    MISSING_DATA = findings.MISSING_DATA, "Données manquantes avant l'échéance du bilan"
    IMPLAUSIBLE = findings.IMPLAUSIBLE, "Valeur invraisemblable"
    UNDER_ACTIVITY = findings.UNDER_ACTIVITY, "Sous-activité"
    DEFICIT = findings.DEFICIT, "Résultat déficitaire au regard de la trajectoire"


class AlertQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)

    def unacknowledged(self):
        return self.filter(acknowledged_at__isnull=True)


class Alert(VersionedModel):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="alerts", verbose_name="contrat")
    establishment = models.ForeignKey(
        Establishment,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alerts",
        verbose_name="établissement",
    )
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField("année concernée")
    key = models.CharField("clé", max_length=120)
    message = models.CharField("alerte", max_length=500)
    # The cause is linked by URL name and arguments, resolved when shown: the page of a lower app, never imported.
    cause_url_name = models.CharField("page de la cause", max_length=80)
    cause_args = models.JSONField("paramètres de la page", default=list)
    cause_query = models.CharField("requête de la page", max_length=200, blank=True)
    first_seen_at = models.DateTimeField("relevée le")
    last_seen_at = models.DateTimeField("vue pour la dernière fois le")
    resolved_at = models.DateTimeField("levée le", null=True, blank=True)
    acknowledged_at = models.DateTimeField("prise en compte le", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="prise en compte par",
    )
    acknowledgement_comment = models.TextField("commentaire de prise en compte", blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = "alerte"
        verbose_name_plural = "alertes"
        ordering = ["contract", "-year", "kind", "key"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "kind", "key"], name="alert_one_per_contract_kind_key"),
            # An acknowledgement is whole: who, when and why, or nothing.
            models.CheckConstraint(
                condition=(
                    Q(acknowledged_at__isnull=True, acknowledged_by__isnull=True, acknowledgement_comment="")
                    | (Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False) & ~Q(acknowledgement_comment=""))
                ),
                name="alert_acknowledgement_whole",
            ),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="alert_known_kind"),
        ]

    def __str__(self) -> str:
        return self.message

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def cause_url(self) -> str:
        try:
            url = reverse(self.cause_url_name, args=self.cause_args)
        except NoReverseMatch:  # the cause's page is not mounted in this configuration
            return ""
        return f"{url}?{self.cause_query}" if self.cause_query else url
