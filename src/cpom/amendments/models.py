"""The life of a signed contract: its amendments (each a list of changes against the current version, agreed by
every party, signed as the contract's version n), its prorogation by a light form, its termination with notice.

The signed contract itself stays frozen by the database (cpom.contracts.freeze): these records are drafted beside it,
and a signed amendment or a prorogation changes the contract's rows only inside the one transaction that applies it,
while the contract is « Modification en cours d'application ». The renewal's successor is a contract of its own
(``Contract.predecessor``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from cpom.contracts.models import Contract
from cpom.finance.models import BudgetLine
from cpom.objectives.models import DUE_YEAR_CHOICES, FollowUpIndicator, Objective
from cpom.records import VersionedModel
from cpom.registry.models import Authority, Establishment, ManagingBody
from cpom.signing.models import ContractVersion


class Trigger(models.TextChoices):
    """Why an amendment is drafted (seed-contract-followup §3.2)."""

    CHANGE_OF_SITUATION = "change_of_situation", "Changement de situation"
    CAPACITY_EXTENSION = "capacity_extension", "Extension de capacité"
    TAKEOVER = "takeover", "Reprise d'un établissement"
    PERIMETER_EXTENSION = "perimeter_extension", "Extension du périmètre"
    ENVELOPE_UPDATE = "envelope_update", "Actualisation annuelle de l'enveloppe"
    MANAGEMENT_REVIEW = "management_review", "Ajustement décidé en dialogue de gestion"
    DURATION_EXTENSION = "duration_extension", "Prolongation de la durée"


class AmendmentStatus(models.TextChoices):
    DRAFT = "draft", "En préparation"
    IN_SIGNATURE = "in_signature", "En signature"
    APPLIED = "applied", "Signé et appliqué au contrat"


class Amendment(VersionedModel):
    """« Avenant n° N »: numbered per contract; ``version`` bumps at every edit, so older agreements lapse."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="amendments")
    number = models.PositiveSmallIntegerField("numéro")
    trigger = models.CharField("motif", max_length=30, choices=Trigger.choices)
    summary = models.TextField("objet de l'avenant")
    status = models.CharField("état", max_length=20, choices=AmendmentStatus.choices, default=AmendmentStatus.DRAFT)
    # The procedure of the model contract (seed 000 L715-718): a registered letter, a meeting within two months of its
    # first presentation, the managing body's note at least eight days before the meeting.
    letter_sent_on = models.DateField("date de la lettre recommandée", null=True, blank=True)
    letter_presented_on = models.DateField("date de première présentation de la lettre", null=True, blank=True)
    meeting_on = models.DateField("date de la réunion des parties", null=True, blank=True)
    note_sent_on = models.DateField("date d'envoi de la note de l'organisme gestionnaire", null=True, blank=True)
    effective_date = models.DateField("date d'effet", null=True, blank=True)
    # The version sent for signature (the last one: a refused version is voided and the amendment drafted again).
    version_sent = models.ForeignKey(
        ContractVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="version envoyée pour signature",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="préparé par"
    )
    organisation_label = models.CharField("organisation", max_length=200)
    created_at = models.DateTimeField("créé le")
    applied_at = models.DateTimeField("appliqué le", null=True, blank=True)

    class Meta:
        verbose_name = "avenant"
        verbose_name_plural = "avenants"
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="amendment_number_once_per_contract"),
            models.CheckConstraint(condition=Q(number__gte=1), name="amendment_numbered_from_one"),
            models.CheckConstraint(
                condition=~Q(status="applied") | Q(applied_at__isnull=False, version_sent__isnull=False),
                name="applied_amendment_has_its_version",
            ),
            models.CheckConstraint(
                condition=Q(letter_presented_on__isnull=True)
                | Q(letter_sent_on__isnull=True)
                | Q(letter_presented_on__gte=models.F("letter_sent_on")),
                name="amendment_letter_presented_after_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"Avenant n° {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("amendments:detail", kwargs={"contract_id": self.contract_id, "number": self.number})

    @property
    def is_draft(self) -> bool:
        return self.status == AmendmentStatus.DRAFT


class ChangeKind(models.TextChoices):
    TARGET = "target", "Cible d'un indicateur"
    OBJECTIVE_TITLE = "objective_title", "Intitulé d'un objectif"
    SHEET_FIELD = "sheet_field", "Rubrique d'une fiche objectif"
    PLACES = "places", "Places d'un établissement"
    PERIMETER_ADD = "perimeter_add", "Entrée d'un établissement dans le périmètre"
    PERIMETER_REMOVE = "perimeter_remove", "Sortie d'un établissement du périmètre"
    BUDGET_LINE = "budget_line", "Montant d'une ligne du budget de référence"
    END_DATE = "end_date", "Date de fin du contrat"


class Change(models.Model):
    """One structured change of an amendment against the contract's current version: what, its old and new value.

    The old value is the one read when the change was drafted; the application refuses a change whose old value is no
    longer the contract's (something else changed it meanwhile)."""

    amendment = models.ForeignKey(Amendment, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField("nature", max_length=20, choices=ChangeKind.choices)
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="objectif"
    )
    indicator = models.ForeignKey(
        FollowUpIndicator,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="indicateur",
    )
    due_year = models.PositiveSmallIntegerField("échéance", null=True, blank=True, choices=DUE_YEAR_CHOICES)
    establishment = models.ForeignKey(
        Establishment, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="établissement"
    )
    budget_line = models.ForeignKey(
        BudgetLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="ligne budgétaire"
    )
    # For a fiche's field or an establishment's places: which one (the model's field name).
    field = models.CharField("rubrique", max_length=40, blank=True)
    label = models.CharField("ce qui change", max_length=400)
    old_value = models.TextField("valeur actuelle", blank=True)
    new_value = models.TextField("nouvelle valeur", blank=True)

    class Meta:
        verbose_name = "modification"
        verbose_name_plural = "modifications"
        ordering = ["amendment", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="target", indicator__isnull=False, due_year__isnull=False) | ~Q(kind="target"),
                name="change_target_names_indicator_and_year",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["objective_title", "sheet_field"], objective__isnull=False)
                | ~Q(kind__in=["objective_title", "sheet_field"]),
                name="change_objective_named",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["places", "perimeter_add", "perimeter_remove"], establishment__isnull=False)
                | ~Q(kind__in=["places", "perimeter_add", "perimeter_remove"]),
                name="change_establishment_named",
            ),
            models.CheckConstraint(
                condition=Q(kind="budget_line", budget_line__isnull=False) | ~Q(kind="budget_line"),
                name="change_budget_line_named",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class AmendmentAgreement(models.Model):
    """One party's agreement to one version of an amendment's changes; an edit makes older agreements lapse."""

    amendment = models.ForeignKey(Amendment, on_delete=models.CASCADE, related_name="agreements")
    managing_body = models.ForeignKey(ManagingBody, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    authority = models.ForeignKey(Authority, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField("version acceptée")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("le")

    class Meta:
        verbose_name = "accord sur un avenant"
        verbose_name_plural = "accords sur un avenant"
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(managing_body__isnull=False, authority__isnull=True)
                | Q(managing_body__isnull=True, authority__isnull=False),
                name="amendment_agreement_one_party",
            ),
            models.UniqueConstraint(
                fields=["amendment", "version", "managing_body"],
                condition=Q(managing_body__isnull=False),
                name="amendment_agreement_once_per_body",
            ),
            models.UniqueConstraint(
                fields=["amendment", "version", "authority"],
                condition=Q(authority__isnull=False),
                name="amendment_agreement_once_per_authority",
            ),
        ]

    def __str__(self) -> str:
        return f"Accord sur {self.amendment}"


class Prorogation(models.Model):
    """A prorogation of one year by a light form: a decision, its date and the parties' agreement."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="prorogations")
    number = models.PositiveSmallIntegerField("numéro")
    decided_on = models.DateField("date de la décision")
    decision = models.CharField("décision (référence)", max_length=300)
    old_end_date = models.DateField("date de fin avant la prorogation")
    new_end_date = models.DateField("nouvelle date de fin")
    # The parties whose agreement the decision records, by name, as the recording user attested them.
    agreed_by = models.JSONField("accord des parties")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="enregistrée par"
    )
    organisation_label = models.CharField("organisation", max_length=200)
    recorded_at = models.DateTimeField("enregistrée le")

    class Meta:
        verbose_name = "prorogation"
        verbose_name_plural = "prorogations"
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="prorogation_number_once_per_contract"),
            models.CheckConstraint(
                condition=Q(new_end_date__gt=models.F("old_end_date")), name="prorogation_extends_the_end"
            ),
        ]

    def __str__(self) -> str:
        return f"Prorogation jusqu'au {self.new_end_date:%d/%m/%Y}"


class TerminationGround(models.TextChoices):
    BREACH = "breach", "Non-respect des engagements"
    LAW_CHANGE = "law_change", "Modification législative ou réglementaire"
    ENVELOPE_CHANGE = "envelope_change", "Modification de l'enveloppe"
    NON_RENEWAL = "non_renewal", "Non-renouvellement"


DEFAULT_BUDGET_REGIME = "Retour à la procédure contradictoire annuelle d'élaboration des budgets"


class Termination(models.Model):
    """A dénonciation by one party: its ground, the registered letter, the notice and what follows."""

    contract = models.OneToOneField(Contract, on_delete=models.PROTECT, related_name="termination")
    initiator = models.CharField("partie à l'initiative", max_length=200)
    initiator_authority = models.ForeignKey(
        Authority, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="autorité"
    )
    ground = models.CharField("motif", max_length=20, choices=TerminationGround.choices)
    explanation = models.TextField("exposé des motifs", blank=True)
    letter_sent_on = models.DateField("date de la lettre recommandée avec accusé de réception")
    letter_presented_on = models.DateField("date de première présentation de la lettre")
    notice_months = models.PositiveSmallIntegerField("préavis (mois)")
    ends_on = models.DateField("fin du préavis")
    budget_regime = models.CharField("régime budgétaire après la dénonciation", max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="enregistrée par"
    )
    organisation_label = models.CharField("organisation", max_length=200)
    recorded_at = models.DateTimeField("enregistrée le")

    class Meta:
        verbose_name = "dénonciation"
        verbose_name_plural = "dénonciations"
        constraints = [
            models.CheckConstraint(
                condition=Q(letter_presented_on__gte=models.F("letter_sent_on")),
                name="termination_letter_presented_after_sent",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("letter_presented_on")), name="termination_notice_after_letter"
            ),
            models.CheckConstraint(condition=~Q(ground=""), name="termination_has_ground"),
        ]

    def __str__(self) -> str:
        return f"Dénonciation ({self.get_ground_display()})"
