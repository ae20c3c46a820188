from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cpom.records import VersionedModel
from cpom.registry.models import Authority, Establishment, ManagingBody


class State(models.TextChoices):
    PROGRAMMED = "programmed", "Programmé"
    LAUNCHED = "launched", "Lancé"
    DIAGNOSTIC = "diagnostic", "Diagnostic partagé"
    NEGOTIATION = "negotiation", "En négociation"
    READY_FOR_SIGNATURE = "ready_for_signature", "Prêt pour signature"
    IN_SIGNATURE = "in_signature", "En signature"
    SIGNED = "signed", "Signé"
    IN_FORCE = "in_force", "En vigueur"
    RENEWAL = "renewal", "En renouvellement"
    CLOSED = "closed", "Clos"
    TERMINATED = "terminated", "Dénoncé"
    # Only inside the transaction that applies a signed amendment or a prorogation to the contract's rows: no other
    # transaction ever sees it, and the history records the step like any other.
    AMENDING = "amending", "Modification en cours d'application"


SIGNED_STATES = {State.SIGNED, State.IN_FORCE, State.RENEWAL, State.CLOSED, State.TERMINATED}
# Sent for signature, the content is the one every party signs: the database freezes it as it freezes a signed one.
FROZEN_STATES = SIGNED_STATES | {State.IN_SIGNATURE}
# A contract in these states still binds its establishments: what its perimeter depends on cannot change under it.
COVERING_STATES = {State.SIGNED, State.IN_FORCE, State.RENEWAL}
# The states in which the contract's content (diagnostic, objectives, reference budget, trajectory scenarios) is open
# for editing: from the launch to the end of the negotiation. Declared ready for signature, it is what the parties
# are about to sign; reopening the negotiation opens it again.
OPEN_STATES = frozenset({State.LAUNCHED, State.DIAGNOSTIC, State.NEGOTIATION})


class LegalBasis(models.TextChoices):
    L313_11 = "L313-11", "Article L.313-11 du CASF (CPOM facultatif)"
    L313_12_2 = "L313-12-2", "Article L.313-12-2 du CASF (CPOM obligatoire, compétence ARS)"
    L313_12_IV_TER = "L313-12-IVter", "Article L.313-12 IV ter du CASF (EHPAD et petites unités de vie)"


class Contract(VersionedModel):
    """CPOM: a multi-year contract between a managing body and its funding authorities."""

    reference = models.CharField(
        "référence",
        max_length=40,
        unique=True,
        error_messages={"unique": "Un contrat porte déjà cette référence."},
    )
    title = models.CharField("intitulé", max_length=250)
    managing_body = models.ForeignKey(
        ManagingBody, on_delete=models.PROTECT, related_name="contracts", verbose_name="organisme gestionnaire"
    )
    legal_basis = models.CharField("fondement juridique", max_length=20, choices=LegalBasis.choices)
    duration_years = models.PositiveSmallIntegerField(
        "durée (années)", default=5, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    start_date = models.DateField("date d'effet")
    end_date = models.DateField("date de fin")
    target_signature_date = models.DateField("date de signature visée", null=True, blank=True)
    state = models.CharField("état", max_length=20, choices=State.choices, default=State.PROGRAMMED)
    establishments = models.ManyToManyField(
        Establishment, related_name="contracts", blank=True, verbose_name="périmètre"
    )
    # The contract this one renews: its final assessment is the successor's starting material.
    predecessor = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successor",
        verbose_name="contrat renouvelé",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "contrat"
        verbose_name_plural = "contrats"
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gt=models.F("start_date")), name="contract_ends_after_start"),
            models.CheckConstraint(
                condition=Q(duration_years__gte=1, duration_years__lte=5), name="contract_duration_1_to_5_years"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} – {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("contracts:detail", kwargs={"contract_id": self.pk})

    @property
    def is_signed(self) -> bool:
        return self.state in SIGNED_STATES

    @property
    def is_frozen(self) -> bool:
        """Sent for signature or signed: its content changes only through an amendment."""
        return self.state in FROZEN_STATES

    @property
    def is_open(self) -> bool:
        """Its content may be written (see OPEN_STATES)."""
        return self.state in OPEN_STATES

    @property
    def lead_authority_id(self) -> int | None:
        lead = next((p for p in self.parties.all() if p.is_lead), None)
        return lead.authority_id if lead else None


class PartyQuerySet(models.QuerySet):
    def admitted(self):
        """The parties that take part: competent for the perimeter, or accepted by the managing body."""
        return self.filter(ADMITTED_PARTY)

    def awaiting_acceptance(self):
        return self.exclude(ADMITTED_PARTY)


ADMITTED_PARTY = Q(acceptance_requested_at__isnull=True) | Q(accepted_at__isnull=False)


class ContractParty(models.Model):
    """An authority signing the contract; exactly one leads the process.

    An authority competent for the perimeter (the ARS of its region, the council of one of its départements, a
    funder of one of its establishments) takes part at once. Any other co-signatory, which only the lead may add,
    waits for the managing body's acceptance and sees nothing of the contract until then.
    """

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="parties")
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="contract_parties", verbose_name="autorité"
    )
    is_lead = models.BooleanField("autorité cheffe de file", default=False)
    acceptance_requested_at = models.DateTimeField("acceptation demandée le", null=True, blank=True)
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    # Frozen with the parties once signed: the account is deactivated, never deleted.
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="acceptée par",
    )

    objects = PartyQuerySet.as_manager()

    class Meta:
        verbose_name = "partie au contrat"
        verbose_name_plural = "parties au contrat"
        ordering = ["-is_lead", "authority__kind", "authority__territory"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "authority"], name="party_once_per_contract"),
            models.UniqueConstraint(fields=["contract"], condition=Q(is_lead=True), name="one_lead_per_contract"),
        ]

    def __str__(self) -> str:
        return f"{self.authority}{' (cheffe de file)' if self.is_lead else ''}"

    @property
    def is_admitted(self) -> bool:
        return self.acceptance_requested_at is None or self.accepted_at is not None


class Transition(models.Model):
    """A recorded change of lifecycle state: who, when, from, to, why."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField("état de départ", max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField("nouvel état", max_length=20, choices=State.choices)
    # The history is append-only in the database: its authors' accounts are deactivated, never deleted.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="par"
    )
    organisation_label = models.CharField("organisation", max_length=200)
    # Set when the row is written, never after (the database refuses any update).
    at = models.DateTimeField("le", default=timezone.now, editable=False)
    comment = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "changement d'état"
        verbose_name_plural = "changements d'état"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.contract.reference} : {self.get_from_state_display()} → {self.get_to_state_display()}"
