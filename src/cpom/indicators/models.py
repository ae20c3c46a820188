from django.conf import settings
from django.db import models
from django.db.models import Q

from cpom.records import CatalogueFile
from cpom.registry.categories import CATEGORY_CHOICES
from cpom.registry.models import Authority, Establishment, ManagingBody

from .engine import MAX_REASON_LENGTH


class Kind(models.TextChoices):
    """The model contract's five kinds of indicators."""

    MEANS = "moyens", "Indicateur de moyens"
    RESULTS = "resultats", "Indicateur de résultats"
    PROCESS = "processus", "Indicateur de processus"
    ALERT = "alerte", "Indicateur d'alerte"
    SATISFACTION = "satisfaction", "Indicateur de satisfaction"


class ValueType(models.TextChoices):
    NUMBER = "number", "Nombre"
    PERCENTAGE = "percentage", "Pourcentage"
    DATE = "date", "Date"
    BOOLEAN = "boolean", "Oui / non"
    TEXT = "text", "Texte"


class Direction(models.TextChoices):
    HIGHER = "higher", "Plus c'est haut, mieux c'est"
    LOWER = "lower", "Plus c'est bas, mieux c'est"
    NONE = "none", "Sans sens de lecture"


class ElementLevel(models.TextChoices):
    ESTABLISHMENT = "establishment", "Établissement"
    MANAGING_BODY = "managing_body", "Organisme gestionnaire"
    CATEGORY = "category", "Catégorie (valeur de référence)"


class Band(models.TextChoices):
    BELOW_Q1 = "below_q1", "inférieur à Q1"
    Q1_MEDIAN = "q1_median", "entre Q1 et la médiane"
    MEDIAN_Q3 = "median_q3", "entre la médiane et Q3"
    ABOVE_Q3 = "above_q3", "supérieur à Q3"
    NO_COMPARISON = "no_comparison", "pas de comparaison"


class Catalogue(CatalogueFile):
    """A versioned set of indicators: national files in the repository, or an authority's own."""

    authority = models.ForeignKey(
        Authority,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="catalogues",
        help_text="Vide pour un catalogue national.",
    )

    class Meta:
        verbose_name = "catalogue d'indicateurs"
        verbose_name_plural = "catalogues d'indicateurs"


class DataElement(models.Model):
    """An input the formulas use (activity, staff, reference value); account balances are implicit."""

    code = models.SlugField("code", max_length=60, unique=True)
    label = models.CharField("libellé", max_length=250)
    unit = models.CharField("unité", max_length=40, blank=True)
    level = models.CharField("niveau", max_length=20, choices=ElementLevel.choices, default=ElementLevel.ESTABLISHMENT)
    description = models.TextField("description", blank=True)

    class Meta:
        verbose_name = "donnée élémentaire"
        verbose_name_plural = "données élémentaires"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.label}"


class Indicator(models.Model):
    catalogue = models.ForeignKey(Catalogue, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField("code", max_length=60)
    label = models.CharField("intitulé", max_length=300)
    definition = models.TextField("définition", blank=True)
    objective = models.CharField("objectif de la grille", max_length=20, blank=True)
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    value_type = models.CharField("type de valeur", max_length=20, choices=ValueType.choices)
    unit = models.CharField("unité", max_length=40, blank=True)
    declared = models.BooleanField("saisi (non calculé)", default=False)
    numerator = models.TextField("numérateur", blank=True)
    denominator = models.TextField("dénominateur", blank=True)
    factor = models.FloatField("facteur", default=1)
    denominator_positive = models.BooleanField("dénominateur strictement positif requis", default=False)
    categories = models.JSONField("catégories concernées", default=list, blank=True)
    default_target = models.CharField("cible par défaut", max_length=100, blank=True)
    direction = models.CharField("sens", max_length=10, choices=Direction.choices, default=Direction.NONE)
    # How far from a target a value still meets it, in the value's unit (days for a date): cpom.followup.levels.
    tolerance = models.DecimalField("tolérance", max_digits=12, decimal_places=4, default=0)
    source = models.TextField("source des données", blank=True)
    plausible_min = models.FloatField("minimum plausible", null=True, blank=True)
    plausible_max = models.FloatField("maximum plausible", null=True, blank=True)
    additive = models.BooleanField(
        "additionnable",
        default=True,
        help_text="Sans dénominateur, la valeur consolidée est la somme des établissements (faux pour des jours d'ouverture).",
    )
    formula_version = models.CharField("version de la formule", max_length=16, blank=True)

    class Meta:
        verbose_name = "indicateur"
        verbose_name_plural = "indicateurs"
        ordering = ["catalogue", "id"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "code"], name="indicator_code_unique_in_catalogue"),
            models.CheckConstraint(
                condition=Q(declared=True) | ~Q(numerator=""), name="computed_indicator_has_numerator"
            ),
            models.CheckConstraint(condition=Q(tolerance__gte=0), name="indicator_tolerance_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.label}"

    def applies_to(self, category: str) -> bool:
        return not self.categories or category in self.categories


# The kind of the one batch the demo records its synthetic data under: no file was imported.
DEMO_BATCH_KIND = "démonstration"


class ImportBatch(models.Model):
    """One imported file: where each data value came from."""

    file_name = models.CharField("fichier", max_length=255)
    kind = models.CharField("type", max_length=40)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("importé le", auto_now_add=True)
    rows = models.PositiveIntegerField("lignes", default=0)

    class Meta:
        verbose_name = "import"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.at:%d/%m/%Y %H:%M})"


class DataValue(models.Model):
    """One data element's value for an establishment (or managing body, or category) and a year."""

    establishment = models.ForeignKey(
        Establishment, null=True, blank=True, on_delete=models.CASCADE, related_name="data_values"
    )
    managing_body = models.ForeignKey(
        ManagingBody, null=True, blank=True, on_delete=models.CASCADE, related_name="data_values"
    )
    category = models.CharField("catégorie", max_length=10, choices=CATEGORY_CHOICES, blank=True)
    year = models.PositiveSmallIntegerField("année")
    element = models.CharField("donnée", max_length=80)
    value = models.DecimalField("valeur", max_digits=20, decimal_places=4)
    batch = models.ForeignKey(ImportBatch, null=True, on_delete=models.SET_NULL, related_name="values")

    class Meta:
        verbose_name = "valeur de donnée"
        verbose_name_plural = "valeurs de données"
        constraints = [
            models.CheckConstraint(
                condition=Q(establishment__isnull=False, managing_body__isnull=True, category="")
                | Q(establishment__isnull=True, managing_body__isnull=False, category="")
                | Q(establishment__isnull=True, managing_body__isnull=True) & ~Q(category=""),
                name="data_value_one_holder",
            ),
            models.UniqueConstraint(
                fields=["establishment", "year", "element"],
                condition=Q(establishment__isnull=False),
                name="data_value_unique_per_establishment",
            ),
            models.UniqueConstraint(
                fields=["managing_body", "year", "element"],
                condition=Q(managing_body__isnull=False),
                name="data_value_unique_per_managing_body",
            ),
            models.UniqueConstraint(
                fields=["category", "year", "element"],
                condition=~Q(category=""),
                name="data_value_unique_per_category",
            ),
        ]
        indexes = [models.Index(fields=["year", "establishment"])]

    def __str__(self):
        return f"{self.element} {self.year} : {self.value}"


class IndicatorValue(models.Model):
    """A computed value, with what it was computed from, its band among peers and any flag."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="indicator_values")
    year = models.PositiveSmallIntegerField("année")
    value = models.FloatField("valeur", null=True)
    numerator = models.FloatField("numérateur", null=True)
    denominator = models.FloatField("dénominateur", null=True)
    reason = models.CharField("non calculable parce que", max_length=MAX_REASON_LENGTH, blank=True)
    band = models.CharField("position", max_length=20, choices=Band.choices, blank=True)
    flag = models.CharField("à vérifier", max_length=300, blank=True)
    formula_version = models.CharField("version de la formule", max_length=16)
    computed_at = models.DateTimeField("calculé le")

    class Meta:
        verbose_name = "valeur d'indicateur"
        verbose_name_plural = "valeurs d'indicateurs"
        constraints = [
            models.UniqueConstraint(fields=["indicator", "establishment", "year"], name="indicator_value_unique"),
            models.CheckConstraint(
                condition=Q(value__isnull=False) | ~Q(reason=""), name="non_calculable_value_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.indicator_id} {self.year} : {self.value if self.value is not None else 'non calculable'}"

    @property
    def is_computable(self) -> bool:
        return self.value is not None


class Benchmark(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="benchmarks")
    category = models.CharField("catégorie", max_length=10, choices=CATEGORY_CHOICES)
    level = models.CharField(
        "niveau", max_length=12, choices=[("department", "Département"), ("region", "Région"), ("nation", "France")]
    )
    territory = models.CharField("territoire", max_length=3)
    year = models.PositiveSmallIntegerField("année")
    count = models.PositiveIntegerField("nombre d'établissements")
    minimum = models.FloatField()
    q1 = models.FloatField()
    median = models.FloatField()
    q3 = models.FloatField()
    maximum = models.FloatField()

    class Meta:
        verbose_name = "référence de comparaison"
        verbose_name_plural = "références de comparaison"
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "category", "level", "territory", "year"], name="benchmark_unique"
            ),
        ]

    def __str__(self):
        return f"Référence {self.category} {self.level} {self.territory} {self.year}"
