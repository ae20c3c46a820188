"""The authorities' five-year programming: which managing body contracts in which year, for which establishments.

An entry is shared by the authorities it concerns (the ARS and, for a shared contract, the département council):
« Démarche de co-construction entre ARS et CD » (ANAP, seed 001 L259). Each of them sees and edits it; a write based
on an older copy is refused (``version``, cpom.core.locking) and every change is audited.
"""

from django.db import models
from django.db.models import Q

from cpom.contracts.models import Contract
from cpom.records import VersionedModel
from cpom.registry.models import Authority, Contact, Establishment, ManagingBody

from . import factors


class Situation(models.TextChoices):
    """« Situation de l'organisme gestionnaire » (ANAP, seed 001 L263), in the words of the PdL note de cadrage's
    eligibility criteria (« 2.3 - Critères d'éligibilité à la contractualisation », seed 000 L827-838)."""

    REQUEST = factors.REQUEST, "Structure en demande de contractualisation"
    CONVERGENCE = factors.CONVERGENCE, "Structure en situation de convergence tarifaire"
    DEFICIT = factors.DEFICIT, "Structure en situation de déficit structurel"
    HEAD_OFFICE = factors.HEAD_OFFICE, "Structure en demande d'autorisation ou de renouvellement de frais de siège"
    IDENTIFIED = factors.IDENTIFIED, "Structure identifiée par l'ARS comme nécessitant une contractualisation"


class ProgrammingEntry(VersionedModel):
    managing_body = models.ForeignKey(
        ManagingBody,
        on_delete=models.PROTECT,
        related_name="programming_entries",
        verbose_name="organisme gestionnaire",
    )
    establishments = models.ManyToManyField(
        Establishment, related_name="programming_entries", verbose_name="établissements concernés"
    )
    target_year = models.PositiveSmallIntegerField("année de signature visée")
    authorities = models.ManyToManyField(
        Authority, related_name="programming_entries", verbose_name="autorités concernées"
    )
    # The ANAP factors (seed 001 L261-264): the levels of the first two are not in the sources, they are settings
    # (CPOM_PROGRAMMING); the situation is the note de cadrage's list.
    territorial_priority = models.CharField("priorité territoriale", max_length=20)
    maturity = models.CharField("niveau de maturité de l'organisme gestionnaire", max_length=20)
    situation = models.CharField("situation de l'organisme gestionnaire", max_length=20, choices=Situation.choices)
    referent = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programming_entries",
        verbose_name="référent",
    )
    comment = models.TextField("commentaire", blank=True)
    contract = models.OneToOneField(
        Contract,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programming_entry",
        verbose_name="contrat programmé",
    )
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "ligne de la programmation"
        verbose_name_plural = "lignes de la programmation"
        ordering = ["target_year", "managing_body__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["managing_body", "target_year"],
                name="programming_once_per_body_and_year",
                violation_error_message="Cet organisme gestionnaire est déjà programmé pour cette année.",
            ),
            models.CheckConstraint(
                condition=Q(target_year__gte=factors.FIRST_YEAR, target_year__lte=factors.LAST_YEAR),
                name="programming_year_plausible",
            ),
            models.CheckConstraint(condition=Q(situation__in=factors.SITUATIONS), name="programming_known_situation"),
            models.CheckConstraint(
                condition=~Q(territorial_priority="") & ~Q(maturity=""), name="programming_factors_given"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.managing_body} – {self.target_year}"
