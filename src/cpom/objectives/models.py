from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from cpom.contracts.models import Contract
from cpom.diagnostic.models import Finding
from cpom.indicators.models import Direction, Indicator, Kind, ValueType
from cpom.records import VersionedModel
from cpom.registry.models import Authority, Establishment, ManagingBody

DUE_YEAR_LABELS = ["N", "N+1", "N+2", "N+3", "N+4"]
DUE_YEAR_CHOICES = list(enumerate(DUE_YEAR_LABELS))


def due_year_in_calendar(due_year: int, contract: Contract) -> str:
    """« N+2 (2029) »: a contract year with the calendar year it falls in; year N is the year of the contract's start
    date (cpom.contracts.deadlines counts the contract's years from it too)."""
    return f"{DUE_YEAR_LABELS[due_year]} ({contract.start_date.year + due_year})"


class Level(models.TextChoices):
    STRATEGIC = "strategic", "Objectif stratégique"
    OPERATIONAL = "operational", "Objectif opérationnel"
    ACTION = "action", "Action"

    @property
    def with_article(self) -> str:
        """« un objectif stratégique », « une action »: the level in a sentence."""
        return {
            "strategic": "un objectif stratégique",
            "operational": "un objectif opérationnel",
            "action": "une action",
        }[self.value]


class Status(models.TextChoices):
    PROPOSED = "proposed", "Proposé"
    UNDER_DISCUSSION = "under_discussion", "En discussion"
    AGREED = "agreed", "Accepté par toutes les parties"
    REJECTED = "rejected", "Rejeté"
    INTENTION = "intention", "Gardé en fiche d'intention"


class Funding(models.TextChoices):
    FUNDED = "funded", "Financé dans le contrat"
    INTENTION = "intention", "Fiche d'intention (non financé, en annexe)"


class RegionalPriority(models.Model):
    """A priority of an authority's schemes (PRS, schéma départemental...) that objectives may answer."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="priorities")
    code = models.CharField("code", max_length=20)
    label = models.CharField("priorité", max_length=300)
    source = models.CharField("document de référence", max_length=200, blank=True)

    class Meta:
        verbose_name = "priorité territoriale"
        verbose_name_plural = "priorités territoriales"
        ordering = ["authority", "code"]
        constraints = [models.UniqueConstraint(fields=["authority", "code"], name="priority_code_unique_per_authority")]

    def __str__(self) -> str:
        return f"{self.code} – {self.label}"


class ObjectiveLimits(models.Model):
    """How many objectives an authority accepts in one contract (defaults: the survey's median, 15 operational)."""

    authority = models.OneToOneField(Authority, on_delete=models.CASCADE, related_name="objective_limits")
    max_strategic = models.PositiveSmallIntegerField("objectifs stratégiques au plus", default=5)
    max_operational = models.PositiveSmallIntegerField("objectifs opérationnels au plus", default=15)

    class Meta:
        verbose_name = "limite du nombre d'objectifs"
        verbose_name_plural = "limites du nombre d'objectifs"

    def __str__(self):
        return f"Plafonds d'objectifs de {self.authority}"


class Objective(VersionedModel):
    """A strategic objective, an operational objective (with its fiche) or an action, negotiated between the parties."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="objectives")
    level = models.CharField("niveau", max_length=12, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children", verbose_name="rattaché à"
    )
    number = models.CharField("mesure n°", max_length=20)
    title = models.CharField("objectif", max_length=300)
    theme = models.CharField("thème", max_length=200, blank=True)
    # Who proposed it: the managing body (no authority) or one authority; only that side edits the proposal.
    proposed_by_authority = models.ForeignKey(
        Authority,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="proposé par l'autorité",
    )
    status = models.CharField("statut", max_length=20, choices=Status.choices, default=Status.PROPOSED)
    funding = models.CharField("financement", max_length=10, choices=Funding.choices, default=Funding.FUNDED)
    due_year = models.PositiveSmallIntegerField("échéance", null=True, blank=True, choices=DUE_YEAR_CHOICES)
    establishments = models.ManyToManyField(
        Establishment, blank=True, related_name="objectives", verbose_name="établissements concernés"
    )
    findings = models.ManyToManyField(
        Finding, blank=True, related_name="objectives", verbose_name="constats auxquels il répond"
    )
    priorities = models.ManyToManyField(
        RegionalPriority,
        blank=True,
        related_name="objectives",
        verbose_name="priorités territoriales auxquelles il répond",
    )
    stakes = models.PositiveSmallIntegerField(
        "enjeu",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text="De 1 (faible) à 4 (majeur) : que risque-t-on à ne pas l'atteindre, que gagne-t-on à l'atteindre ?",
    )
    feasibility = models.PositiveSmallIntegerField(
        "accessibilité",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text="De 1 (difficile) à 4 (à portée de main) : effort, moyens et délais nécessaires.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "objectif"
        verbose_name_plural = "objectifs"
        ordering = ["contract", "number", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level="strategic", parent__isnull=True) | (~Q(level="strategic") & Q(parent__isnull=False)),
                name="objective_parent_by_level",
            ),
            models.CheckConstraint(
                condition=Q(due_year__isnull=True) | Q(due_year__lte=4), name="objective_due_year_n_to_n4"
            ),
            models.CheckConstraint(
                condition=Q(stakes__isnull=True) | Q(stakes__gte=1, stakes__lte=4), name="objective_stakes_1_to_4"
            ),
            models.CheckConstraint(
                condition=Q(feasibility__isnull=True) | Q(feasibility__gte=1, feasibility__lte=4),
                name="objective_feasibility_1_to_4",
            ),
            models.UniqueConstraint(fields=["contract", "number"], name="objective_number_unique_in_contract"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("objectives:detail", kwargs={"contract_id": self.contract_id, "objective_id": self.pk})

    @property
    def proposer_label(self) -> str:
        return str(self.proposed_by_authority) if self.proposed_by_authority_id else str(self.contract.managing_body)

    @property
    def due_year_label(self) -> str:
        return DUE_YEAR_LABELS[self.due_year] if self.due_year is not None else ""

    @property
    def due_year_in_calendar(self) -> str:
        return due_year_in_calendar(self.due_year, self.contract) if self.due_year is not None else ""

    @property
    def is_in_force_candidate(self) -> bool:
        """Rejected objectives are out of the contract; everything else will be signed or annexed."""
        return self.status != Status.REJECTED


class ObjectiveSheet(models.Model):
    """The fiche objectif of the model contract's annex, for an operational objective."""

    objective = models.OneToOneField(Objective, on_delete=models.CASCADE, related_name="sheet")
    context = models.TextField("contexte", blank=True)
    problem_state = models.TextField("état de la problématique", blank=True)
    stakes_text = models.TextField("enjeux", blank=True)
    implementation = models.TextField("modalités de mise en œuvre des actions", blank=True)
    pilot = models.CharField("pilotage", max_length=200, blank=True)
    partners = models.TextField("partenaires associés", blank=True)
    expected_results = models.TextField("résultats attendus", blank=True)
    constant_means_value = models.DecimalField(
        "valorisation à moyens constants (€)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    constant_means_note = models.TextField("valorisation à moyens constants : précisions", blank=True)
    managing_body_means = models.DecimalField(
        "moyens apportés par le gestionnaire (€)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    managing_body_means_note = models.TextField("moyens apportés par le gestionnaire : nature", blank=True)
    authority_means = models.DecimalField(
        "moyens apportés par l'autorité (€)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    authority_means_note = models.TextField("moyens apportés par l'autorité : nature", blank=True)

    class Meta:
        verbose_name = "fiche objectif"
        verbose_name_plural = "fiches objectif"
        constraints = [
            models.CheckConstraint(
                condition=(Q(constant_means_value__isnull=True) | Q(constant_means_value__gte=0))
                & (Q(managing_body_means__isnull=True) | Q(managing_body_means__gte=0))
                & (Q(authority_means__isnull=True) | Q(authority_means__gte=0)),
                name="sheet_means_not_negative",
            ),
        ]

    def __str__(self):
        return f"Fiche de {self.objective}"


class Milestone(models.Model):
    """A step of the fiche's calendar."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="milestones")
    label = models.CharField("étape", max_length=200)
    due_date = models.DateField("date", null=True, blank=True)

    class Meta:
        verbose_name = "jalon"
        verbose_name_plural = "calendrier de mise en œuvre"
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.label


class FollowUpIndicator(models.Model):
    """An indicator attached to an objective: from the catalogue, or specific to the contract with its own method."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="indicators")
    catalogue_indicator = models.ForeignKey(
        Indicator,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        verbose_name="indicateur du catalogue",
    )
    label = models.CharField("intitulé", max_length=300)
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    value_type = models.CharField("type de valeur", max_length=20, choices=ValueType.choices, default=ValueType.NUMBER)
    method = models.TextField("méthode de calcul", blank=True)
    unit = models.CharField("unité", max_length=40, blank=True)
    data_source = models.TextField("source des données", blank=True)
    direction = models.CharField("sens", max_length=10, choices=Direction.choices, default=Direction.NONE)
    # How far from its target a value still meets it, in the value's unit (days for a date): cpom.followup.levels.
    tolerance = models.DecimalField(
        "tolérance",
        max_digits=12,
        decimal_places=4,
        default=0,
        help_text="Écart à la cible encore accepté, dans l'unité de la valeur (en jours pour une date).",
    )
    baseline_value = models.CharField("situation actuelle", max_length=100, blank=True)
    baseline_date = models.DateField("date de la situation actuelle", null=True, blank=True)
    baseline_note = models.CharField("origine de la situation actuelle", max_length=300, blank=True)
    target_hint = models.CharField("cible indicative de l'exemple", max_length=200, blank=True)

    class Meta:
        verbose_name = "indicateur de suivi"
        verbose_name_plural = "indicateurs de suivi"
        ordering = ["objective", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(tolerance__gte=0), name="follow_up_tolerance_not_negative"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_numeric(self) -> bool:
        return self.value_type in (ValueType.NUMBER, ValueType.PERCENTAGE)


class Target(models.Model):
    """The target of a follow-up indicator for one due year of the contract (N to N+4)."""

    indicator = models.ForeignKey(FollowUpIndicator, on_delete=models.CASCADE, related_name="targets")
    due_year = models.PositiveSmallIntegerField("échéance", choices=DUE_YEAR_CHOICES)
    value = models.CharField("cible", max_length=100, blank=True)

    class Meta:
        verbose_name = "cible"
        verbose_name_plural = "cibles"
        ordering = ["indicator", "due_year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "due_year"], name="target_once_per_due_year"),
            models.CheckConstraint(condition=Q(due_year__lte=4), name="target_due_year_n_to_n4"),
        ]

    def __str__(self):
        return f"Cible {self.due_year} : {self.value}"


class Agreement(models.Model):
    """One party's agreement to one version of an objective; an edit makes older agreements lapse."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="agreements")
    managing_body = models.ForeignKey(ManagingBody, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    authority = models.ForeignKey(Authority, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField("version acceptée")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("le", auto_now_add=True)

    class Meta:
        verbose_name = "accord"
        verbose_name_plural = "accords"
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(managing_body__isnull=False, authority__isnull=True)
                | Q(managing_body__isnull=True, authority__isnull=False),
                name="agreement_one_party",
            ),
            models.UniqueConstraint(
                fields=["objective", "version", "managing_body"],
                condition=Q(managing_body__isnull=False),
                name="agreement_once_per_body_and_version",
            ),
            models.UniqueConstraint(
                fields=["objective", "version", "authority"],
                condition=Q(authority__isnull=False),
                name="agreement_once_per_authority_and_version",
            ),
        ]

    def __str__(self):
        return f"Position sur {self.objective}"


class Message(models.Model):
    """One message of an objective's discussion thread."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    organisation_label = models.CharField("organisation", max_length=200)
    # What the author did besides writing (« a accepté la version 3 », « a rejeté »), empty for a plain message.
    event = models.CharField("action", max_length=100, blank=True)
    text = models.TextField("message", blank=True)
    objective_version = models.PositiveIntegerField("version de l'objectif")
    at = models.DateTimeField("le", auto_now_add=True)

    class Meta:
        verbose_name = "message"
        verbose_name_plural = "discussion"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"Message sur {self.objective}"
