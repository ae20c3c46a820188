"""Money of a contract: accounting imports' mapping, the chart of accounts' functional groups, the reference
budget with its envelope, and the trajectory scenarios. Every amount is a Decimal."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from cpom.contracts.models import Contract
from cpom.objectives.models import Objective
from cpom.records import CatalogueFile, VersionedModel
from cpom.registry.models import Authority, Establishment, ManagingBody

MONEY = {"max_digits": 14, "decimal_places": 2}
RATE = {"max_digits": 7, "decimal_places": 4}  # a percentage such as 1.2500


class Side(models.TextChoices):
    EXPENSE = "expense", "Dépenses"
    INCOME = "income", "Recettes"


class FunctionalGroup(models.IntegerChoices):
    """Groupes fonctionnels I, II and III; their meaning depends on the side (see GROUP_LABELS)."""

    I = 1, "Groupe I"  # noqa: E741 - the regulation's own name
    II = 2, "Groupe II"
    III = 3, "Groupe III"


GROUP_LABELS = {
    (Side.EXPENSE, 1): "Groupe I – Dépenses afférentes à l'exploitation courante",
    (Side.EXPENSE, 2): "Groupe II – Dépenses afférentes au personnel",
    (Side.EXPENSE, 3): "Groupe III – Dépenses afférentes à la structure",
    (Side.INCOME, 1): "Groupe I – Produits de la tarification",
    (Side.INCOME, 2): "Groupe II – Autres produits relatifs à l'exploitation",
    (Side.INCOME, 3): "Groupe III – Produits financiers, exceptionnels et non encaissables",
}


class FunderKind(models.TextChoices):
    ARS_HEALTH_INSURANCE = "ars_am", "ARS – assurance maladie"
    ARS_STATE = "ars_etat", "ARS – État"
    CD = "cd", "Conseil départemental"
    OTHER = "other", "Autres produits (usagers, autres financeurs)"


class SectionMapping(models.Model):
    """An analytical section of the managing body's accounts, and the establishment it stands for."""

    managing_body = models.ForeignKey(ManagingBody, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField("section analytique", max_length=40)
    label = models.CharField("libellé", max_length=200, blank=True)
    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="sections", verbose_name="établissement"
    )

    class Meta:
        verbose_name = "section analytique"
        verbose_name_plural = "sections analytiques"
        ordering = ["managing_body", "code"]
        constraints = [models.UniqueConstraint(fields=["managing_body", "code"], name="section_code_unique_per_body")]

    def __str__(self) -> str:
        return f"{self.code} → {self.establishment.name}"


class ChartOfAccounts(CatalogueFile):
    """Which account prefixes fall in which functional group: the national budget frame, or an authority's own."""

    authority = models.ForeignKey(
        Authority,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="charts",
        help_text="Vide pour le cadre national.",
    )

    class Meta:
        verbose_name = "plan de regroupement des comptes"
        verbose_name_plural = "plans de regroupement des comptes"


class GroupRule(models.Model):
    """Accounts starting with ``prefix`` fall in ``group`` of ``side``; the longest matching prefix wins."""

    chart = models.ForeignKey(ChartOfAccounts, on_delete=models.CASCADE, related_name="rules")
    prefix = models.CharField("préfixe de compte", max_length=12)
    side = models.CharField("sens", max_length=8, choices=Side.choices)
    group = models.PositiveSmallIntegerField("groupe", choices=FunctionalGroup.choices)
    label = models.CharField("libellé", max_length=200, blank=True)

    class Meta:
        verbose_name = "règle de regroupement"
        verbose_name_plural = "règles de regroupement"
        ordering = ["chart", "prefix"]
        constraints = [
            models.UniqueConstraint(fields=["chart", "prefix"], name="group_rule_prefix_unique"),
            models.CheckConstraint(condition=Q(group__gte=1, group__lte=3), name="group_rule_group_1_to_3"),
        ]

    def __str__(self):
        return f"{self.prefix} → {self.get_side_display()} groupe {self.group}"


class GrowthMode(models.TextChoices):
    """The model contract's options for how the envelope evolves each year."""

    AUTHORITY_RATE = "authority_rate", "Taux d'évolution annuel fixé par l'autorité"
    ZERO_RATE = "zero_rate", "Taux zéro sur plusieurs années"
    ANNUAL_AMENDMENT = "annual_amendment", "Avenant annuel"
    REGIONAL_RATE = "regional_rate", "Taux d'évolution régional (taux directeur)"


# The modes after which the model contract asks whether the yearly tariff goes through the contradictory procedure
# (Titre 3.8, options 2 and 4: « préciser si la fixation annuelle du tarif est soumise ou non à la procédure
# contradictoire »); the other two leave the question unasked.
CONTRADICTORY_MODES = (GrowthMode.ZERO_RATE, GrowthMode.REGIONAL_RATE)


class ReferenceBudget(VersionedModel):
    """The contract's reference budget: expenses and income by functional group, per establishment and funder."""

    contract = models.OneToOneField(Contract, on_delete=models.CASCADE, related_name="reference_budget")
    base_year = models.PositiveSmallIntegerField("exercice de référence")

    class Meta:
        verbose_name = "budget de référence"
        verbose_name_plural = "budgets de référence"

    def __str__(self) -> str:
        return f"Budget de référence {self.base_year} – {self.contract.reference}"


class FunderGrowth(VersionedModel):
    """How one funding authority's envelope evolves (Titre 3.8 of the model contract): each funder chooses its own.

    An ARS and a council fix their rates apart (the council's own vote of its budget), so the contract carries one
    choice per funding authority, made by that authority's members.
    """

    budget = models.ForeignKey(ReferenceBudget, on_delete=models.CASCADE, related_name="growths")
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+", verbose_name="financeur")
    growth_mode = models.CharField(
        "mode d'évolution", max_length=20, choices=GrowthMode.choices, default=GrowthMode.REGIONAL_RATE
    )
    growth_rate = models.DecimalField("taux d'évolution annuel (%)", **RATE, default=0)
    zero_rate_years = models.PositiveSmallIntegerField(
        "années à taux zéro", default=0, validators=[MaxValueValidator(5)]
    )
    # None where the mode does not ask the question (see CONTRADICTORY_MODES).
    contradictory_procedure = models.BooleanField("tarif soumis à la procédure contradictoire", null=True)

    class Meta:
        verbose_name = "évolution de la dotation d'un financeur"
        verbose_name_plural = "évolutions de la dotation par financeur"
        ordering = ["budget", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "authority"], name="growth_once_per_funder"),
            models.CheckConstraint(condition=Q(zero_rate_years__lte=5), name="growth_zero_rate_years_max_5"),
            models.CheckConstraint(condition=Q(growth_rate__gt=-100), name="growth_rate_above_minus_100"),
            models.CheckConstraint(
                condition=Q(growth_mode__in=CONTRADICTORY_MODES, contradictory_procedure__isnull=False)
                | (~Q(growth_mode__in=CONTRADICTORY_MODES) & Q(contradictory_procedure__isnull=True)),
                name="growth_contradictory_asked_by_its_modes",
            ),
        ]

    def __str__(self) -> str:
        return f"Évolution de la dotation – {self.authority}"


class BudgetLine(models.Model):
    budget = models.ForeignKey(ReferenceBudget, on_delete=models.CASCADE, related_name="lines")
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="budget_lines")
    funder = models.CharField("financeur", max_length=10, choices=FunderKind.choices)
    side = models.CharField("sens", max_length=8, choices=Side.choices)
    group = models.PositiveSmallIntegerField("groupe", choices=FunctionalGroup.choices)
    amount = models.DecimalField("montant (€)", **MONEY)

    class Meta:
        verbose_name = "ligne du budget de référence"
        verbose_name_plural = "lignes du budget de référence"
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "establishment", "funder", "side", "group"], name="budget_line_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_amount_not_negative"),
            models.CheckConstraint(condition=Q(group__gte=1, group__lte=3), name="budget_line_group_1_to_3"),
        ]

    def __str__(self):
        return f"{self.establishment_id} {self.get_funder_display()} {self.get_side_display()} groupe {self.group}"


class ActivityForecast(models.Model):
    """Days (or acts) an establishment billed per day expects in a year: the basis of its indicative daily price."""

    budget = models.ForeignKey(ReferenceBudget, on_delete=models.CASCADE, related_name="activity")
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="+")
    days = models.PositiveIntegerField("journées prévisionnelles")

    class Meta:
        verbose_name = "activité prévisionnelle"
        verbose_name_plural = "activités prévisionnelles"
        constraints = [
            models.UniqueConstraint(fields=["budget", "establishment"], name="activity_once_per_establishment"),
            models.CheckConstraint(condition=Q(days__gt=0), name="activity_days_positive"),
        ]

    def __str__(self):
        return f"{self.days} journées prévues"


class SurplusRule(models.TextChoices):
    RESERVES = "reserves", "Affecté aux réserves (excédent affecté à la couverture des besoins de financement)"
    INVESTMENT = "investment", "Affecté à l'investissement"
    CARRY_FORWARD = "carry_forward", "Reporté à nouveau (réduction des charges d'exploitation suivantes)"


class DeficitRule(models.TextChoices):
    CARRY_FORWARD = "carry_forward", "Reporté à nouveau"
    RESERVE = "reserve", "Couvert par la réserve de compensation des déficits"


class Scenario(models.Model):
    """One set of assumptions for the contract's years; scenarios are compared side by side."""

    budget = models.ForeignKey(ReferenceBudget, on_delete=models.CASCADE, related_name="scenarios")
    name = models.CharField("nom", max_length=120)
    # Percent per contract year, as {"0": "1.2", "1": "0.8", ...}; a missing year repeats the last one given.
    envelope_rates = models.JSONField("taux d'évolution de l'enveloppe par année (%)", default=dict)
    expense_rates = models.JSONField("taux d'évolution des dépenses par année (%)", default=dict)
    convergence_target = models.DecimalField(
        "coût cible à la place (€)",
        **MONEY,
        null=True,
        blank=True,
        help_text="Coût par place vers lequel converger ; vide : pas de convergence.",
    )
    convergence_years = models.PositiveSmallIntegerField(
        "années de convergence", default=5, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    surplus_rule = models.CharField(
        "affectation des excédents", max_length=14, choices=SurplusRule.choices, default=SurplusRule.RESERVES
    )
    deficit_rule = models.CharField(
        "affectation des déficits", max_length=14, choices=DeficitRule.choices, default=DeficitRule.RESERVE
    )
    opening_reserves = models.DecimalField("réserves au début du contrat (€)", **MONEY, default=0)
    # The scenario the parties retain: the trajectory the contract is signed on (one per budget at most).
    retained = models.BooleanField("scénario retenu", default=False)

    class Meta:
        verbose_name = "scénario de trajectoire"
        verbose_name_plural = "scénarios de trajectoire"
        ordering = ["budget", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "name"], name="scenario_name_unique"),
            models.UniqueConstraint(
                fields=["budget"], condition=Q(retained=True), name="scenario_one_retained_per_budget"
            ),
            models.CheckConstraint(
                condition=Q(convergence_years__gte=1, convergence_years__lte=5),
                name="scenario_convergence_1_to_5_years",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class NewMeasure(models.Model):
    """A new measure of a scenario: its yearly cost from a given year, split between the managing body's means and the authority's."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="measures")
    objective = models.ForeignKey(Objective, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="+")
    label = models.CharField("mesure", max_length=300)
    start_year = models.PositiveSmallIntegerField("à partir de l'année (0 = N)", validators=[MaxValueValidator(4)])
    managing_body_means = models.DecimalField("moyens apportés par le gestionnaire (€ par an)", **MONEY, default=0)
    authority_means = models.DecimalField("moyens apportés par l'autorité (€ par an)", **MONEY, default=0)

    class Meta:
        verbose_name = "mesure nouvelle"
        verbose_name_plural = "mesures nouvelles"
        constraints = [
            models.CheckConstraint(condition=Q(start_year__lte=4), name="measure_start_year_n_to_n4"),
            models.CheckConstraint(
                condition=Q(managing_body_means__gte=0, authority_means__gte=0), name="measure_means_not_negative"
            ),
        ]

    def __str__(self):
        return f"Mesure nouvelle {self.label}"
