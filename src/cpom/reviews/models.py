"""A contract's management reviews (dialogues de gestion), their participants, the managing body's questions, the
relevé de décisions with its decisions, the managing body's proposed adjustments, and the two sides' signatures.

A review goes planned → held (the lead authority drafts the relevé; the managing body proposes adjustments) →
in signature (its content fixed, with its SHA-256) → sealed when both sides signed. The database holds it
(cpom.reviews.seal): a sealed relevé and its decisions' text never change; a decision's status stays open to change.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from cpom.amendments.models import Amendment
from cpom.contracts.models import Contract
from cpom.records import VersionedModel
from cpom.registry.models import Authority, Contact

from . import planning


class Kind(models.TextChoices):
    ANNUAL = planning.ANNUAL, "Dialogue de gestion annuel"
    MID_TERM = planning.MID_TERM, "Dialogue de gestion à mi-parcours"
    FINAL = planning.FINAL, "Dialogue de gestion de fin de contrat"
    RENEWAL = planning.RENEWAL, "Dialogue de gestion préparant le renouvellement"
    EXTRA = planning.EXTRA, "Dialogue de gestion supplémentaire"


class ReviewState(models.TextChoices):
    PLANNED = "planned", "Planifié"
    HELD = "held", "Tenu : relevé de décisions en rédaction"
    SIGNING = "signing", "Relevé de décisions en signature"
    SEALED = "sealed", "Relevé de décisions signé et scellé"


class PartySide(models.TextChoices):
    MANAGING_BODY = "managing_body", "Organisme gestionnaire"
    AUTHORITY = "authority", "Autorité"


class Review(VersionedModel):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="reviews", verbose_name="contrat")
    year = models.PositiveSmallIntegerField("année du contrat")
    kind = models.CharField("type", max_length=12, choices=Kind.choices)
    purposes = models.JSONField("objets", default=list)  # every purpose of the meeting (planning.PRIORITY's codes)
    day = models.DateField("date")
    place = models.CharField("lieu", max_length=200)
    state = models.CharField("état", max_length=10, choices=ReviewState.choices, default=ReviewState.PLANNED)
    summary = models.TextField("synthèse des échanges", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="planifié par"
    )
    organisation_label = models.CharField("organisation", max_length=200)
    created_at = models.DateTimeField("planifié le")
    held_at = models.DateTimeField("tenu le", null=True, blank=True)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What both sides sign: the relevé as canonical JSON, and its SHA-256 (set when sent for signature).
    snapshot = models.JSONField("relevé signé", null=True, blank=True)
    content_sha256 = models.CharField("empreinte SHA-256 du relevé", max_length=64, blank=True)
    sent_at = models.DateTimeField("envoyé pour signature le", null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sealed_at = models.DateTimeField("scellé le", null=True, blank=True)

    class Meta:
        verbose_name = "dialogue de gestion"
        verbose_name_plural = "dialogues de gestion"
        ordering = ["contract", "year"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "year"], name="review_once_per_contract_year"),
            models.CheckConstraint(condition=Q(year__gte=1, year__lte=5), name="review_year_of_contract"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="review_known_kind"),
            models.CheckConstraint(condition=Q(state__in=ReviewState.values), name="review_known_state"),
            models.CheckConstraint(condition=~Q(place=""), name="review_has_a_place"),
            # Sent or sealed: its content and hash are there; sealed: the moment too.
            models.CheckConstraint(
                condition=Q(state__in=["planned", "held"])
                | (Q(snapshot__isnull=False, sent_at__isnull=False) & ~Q(content_sha256="")),
                name="review_sent_with_its_hash",
            ),
            models.CheckConstraint(
                condition=~Q(state="sealed") | Q(sealed_at__isnull=False), name="review_sealed_at_its_moment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} – {self.contract.reference}"

    @property
    def title(self) -> str:
        labels = ", ".join(planning.LABELS.get(p, p) for p in self.purposes) or planning.LABELS[self.kind]
        return f"Dialogue de gestion de l'année {self.year} ({labels})"

    @property
    def is_sealed(self) -> bool:
        return self.state == ReviewState.SEALED


class Participant(models.Model):
    """A person at the review, as they were at its date: the contact's name, role and organisation then."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="participants")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+", verbose_name="contact")
    side = models.CharField("partie", max_length=14, choices=PartySide.choices)
    name = models.CharField("nom", max_length=210)
    role = models.CharField("fonction à la date du dialogue", max_length=150)
    organisation = models.CharField("organisation", max_length=200)

    class Meta:
        verbose_name = "participant"
        verbose_name_plural = "participants"
        ordering = ["review", "side", "organisation", "name"]
        constraints = [
            models.UniqueConstraint(fields=["review", "contact"], name="participant_once_per_review"),
            models.CheckConstraint(condition=Q(side__in=PartySide.values), name="participant_known_side"),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.role} ({self.organisation})"


class Question(models.Model):
    """A question or subject to settle that the managing body sends before the review (seed 003 L5775-5783)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField("question ou sujet à arbitrer")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation_label = models.CharField("organisation", max_length=200)
    asked_at = models.DateTimeField("envoyée le")

    class Meta:
        verbose_name = "question préalable"
        verbose_name_plural = "questions préalables"
        ordering = ["review", "asked_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="question_not_empty")]

    def __str__(self) -> str:
        return self.text


class DecisionKind(models.TextChoices):
    ADJUST_ACTION = "adjust_action", "Ajuster une action"
    ADJUST_TARGET = "adjust_target", "Ajuster une cible"
    PREPARE_AMENDMENT = "prepare_amendment", "Préparer un avenant"
    CORRECTIVE_MEASURE = "corrective_measure", "Mesure corrective"
    DOCUMENT_TO_SEND = "document_to_send", "Document à transmettre"
    NEXT_MEETING = "next_meeting", "Prochaine rencontre"


class DecisionStatus(models.TextChoices):
    OPEN = "open", "À faire"
    DONE = "done", "Réalisée"
    DROPPED = "dropped", "Abandonnée"


class Decision(VersionedModel):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="decisions")
    number = models.PositiveSmallIntegerField("numéro")
    kind = models.CharField("type", max_length=20, choices=DecisionKind.choices)
    text = models.TextField("décision")
    owner_side = models.CharField("porteur", max_length=14, choices=PartySide.choices)
    owner_authority = models.ForeignKey(
        Authority, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="autorité porteuse"
    )
    owner_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_decisions",
        verbose_name="personne porteuse",
    )
    due_date = models.DateField("échéance")
    status = models.CharField("état", max_length=8, choices=DecisionStatus.choices, default=DecisionStatus.OPEN)
    status_comment = models.TextField("commentaire sur l'état", blank=True)
    amendment = models.ForeignKey(
        Amendment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_decisions",
        verbose_name="avenant ouvert",
    )
    created_at = models.DateTimeField("inscrite le")

    class Meta:
        verbose_name = "décision"
        verbose_name_plural = "décisions"
        ordering = ["review", "number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="decision_numbered_once_per_review"),
            models.CheckConstraint(condition=Q(kind__in=DecisionKind.values), name="decision_known_kind"),
            models.CheckConstraint(condition=Q(status__in=DecisionStatus.values), name="decision_known_status"),
            models.CheckConstraint(condition=~Q(text=""), name="decision_has_a_text"),
            # The owner is the managing body, or one named authority.
            models.CheckConstraint(
                condition=Q(owner_side="managing_body", owner_authority__isnull=True)
                | Q(owner_side="authority", owner_authority__isnull=False),
                name="decision_owner_is_one_party",
            ),
            models.CheckConstraint(
                condition=Q(amendment__isnull=True) | Q(kind="prepare_amendment"),
                name="decision_amendment_only_when_prepared",
            ),
        ]

    def __str__(self) -> str:
        return f"Décision n° {self.number} : {self.text}"

    @property
    def is_open(self) -> bool:
        return self.status == DecisionStatus.OPEN


class AdjustmentAnswer(models.TextChoices):
    PENDING = "pending", "En attente de réponse"
    ACCEPTED = "accepted", "Acceptée"
    REFUSED = "refused", "Non retenue"


class Adjustment(models.Model):
    """The managing body's proposed wording of a decision of the draft relevé, and the authority's answer: kept."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="adjustments")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="adjustments")
    text = models.TextField("rédaction proposée")
    reason = models.TextField("motif", blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_by_organisation = models.CharField("organisation", max_length=200)
    proposed_at = models.DateTimeField("proposée le")
    previous_text = models.TextField("rédaction d'origine")
    answer = models.CharField(
        "réponse", max_length=10, choices=AdjustmentAnswer.choices, default=AdjustmentAnswer.PENDING
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField("répondue le", null=True, blank=True)
    answer_comment = models.TextField("commentaire de la réponse", blank=True)

    class Meta:
        verbose_name = "ajustement proposé"
        verbose_name_plural = "ajustements proposés"
        ordering = ["review", "proposed_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="adjustment_not_empty"),
            models.CheckConstraint(condition=Q(answer__in=AdjustmentAnswer.values), name="adjustment_known_answer"),
            models.CheckConstraint(
                condition=Q(answer="pending", answered_at__isnull=True, answered_by__isnull=True)
                | (~Q(answer="pending") & Q(answered_at__isnull=False, answered_by__isnull=False)),
                name="adjustment_answer_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"Ajustement proposé : {self.text}"


class MinutesSignature(models.Model):
    """One side's signature of the relevé: who, with which title, on which day, on which hash (append-only)."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="signatures")
    side = models.CharField("partie", max_length=14, choices=PartySide.choices)
    authority = models.ForeignKey(Authority, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation_label = models.CharField("organisation", max_length=200)
    signatory_name = models.CharField("nom du signataire", max_length=200)
    signatory_title = models.CharField("qualité du signataire", max_length=200)
    signed_on = models.DateField("signé le")
    signed_hash = models.CharField("empreinte signée", max_length=64)
    recorded_at = models.DateTimeField("enregistrée le")

    class Meta:
        verbose_name = "signature du relevé"
        verbose_name_plural = "signatures du relevé"
        ordering = ["review", "recorded_at"]
        constraints = [
            models.UniqueConstraint(fields=["review", "side"], name="minutes_signed_once_per_side"),
            models.CheckConstraint(
                condition=Q(side="managing_body", authority__isnull=True)
                | Q(side="authority", authority__isnull=False),
                name="minutes_signature_one_party",
            ),
            models.CheckConstraint(
                condition=~Q(signatory_name="") & ~Q(signatory_title=""), name="minutes_signatory_named"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signatory_name}, {self.signatory_title} ({self.organisation_label})"
