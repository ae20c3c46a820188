"""A person's deadlines: what they choose to be told (their preferences, with the secret of their calendar feed),
and what they were told (one record per person, deadline and day told, which makes ``cpom notify`` idempotent).

A deadline itself is never stored: the stages compute them (cpom.deadline_sources) and these records only name them
by their stable key.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual

from cpom.records import VersionedModel

# The most days before a deadline a person may ask to be told (the form and the database hold it).
MAX_DAYS_BEFORE = 365
TOKEN_MIN_LENGTH = 32


class Preference(VersionedModel):
    """One person's choices, made on « Mes échéances »; the kinds they never touched keep the kind's default."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deadline_preference", verbose_name="personne"
    )
    # The secret of the calendar feed's address (« echeances/<token>.ics »): a new one refuses the old one.
    feed_token = models.CharField("jeton du calendrier", max_length=64, unique=True)
    token_created_at = models.DateTimeField("jeton créé le")
    updated_at = models.DateTimeField("modifiées le", auto_now=True)

    class Meta:
        verbose_name = "préférences d'échéances"
        verbose_name_plural = "préférences d'échéances"
        constraints = [
            models.CheckConstraint(
                condition=GreaterThanOrEqual(Length("feed_token"), TOKEN_MIN_LENGTH), name="feed_token_long_enough"
            )
        ]

    def __str__(self) -> str:
        return f"Échéances de {self.user}"


class KindChoice(models.Model):
    """For one kind of deadline (a :class:`cpom.deadline_sources.Kind` code): told or not, and how early."""

    preference = models.ForeignKey(Preference, on_delete=models.CASCADE, related_name="kinds")
    kind = models.CharField("type d'échéance", max_length=40)
    enabled = models.BooleanField("prévenir", default=True)
    days_before = models.PositiveSmallIntegerField("jours avant")

    class Meta:
        verbose_name = "choix pour un type d'échéance"
        verbose_name_plural = "choix pour un type d'échéance"
        ordering = ["preference", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["preference", "kind"], name="kind_choice_once_per_preference"),
            models.CheckConstraint(condition=Q(days_before__lte=MAX_DAYS_BEFORE), name="kind_choice_days_bounded"),
            models.CheckConstraint(condition=~Q(kind=""), name="kind_choice_names_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} : {'oui' if self.enabled else 'non'}, {self.days_before} jours avant"


class Sent(models.Model):
    """One deadline told to one person, for the day they were to be told (its day minus their days before): the
    unique constraint is what makes a second run of the day, or two runs at once, tell nobody twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deadlines_told", verbose_name="personne"
    )
    key = models.CharField("échéance (clé)", max_length=200)
    told_on = models.DateField("jour où la personne devait être prévenue")
    day = models.DateField("échéance")
    kind = models.CharField("type d'échéance", max_length=40)
    # The contract's number, not a link: what a person was told is no part of the contract (its signature freezes
    # every record hanging off it, cpom.contracts.freeze).
    contract_id = models.PositiveIntegerField("contrat")
    label = models.CharField("échéance", max_length=500)
    sent_at = models.DateTimeField("envoyé le")

    class Meta:
        verbose_name = "échéance notifiée"
        verbose_name_plural = "échéances notifiées"
        ordering = ["-sent_at", "day"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key", "told_on"], name="deadline_told_once_per_day"),
            models.CheckConstraint(condition=Q(told_on__lte=F("day")), name="deadline_told_before_it"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.user})"
