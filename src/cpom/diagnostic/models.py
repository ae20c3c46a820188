from django.conf import settings
from django.db import models
from django.db.models import Q

from cpom.contracts.models import Contract
from cpom.indicators.models import Indicator
from cpom.records import CatalogueFile, VersionedModel
from cpom.registry.models import Authority, Establishment


class DiagnosticTemplate(CatalogueFile):
    """The frame of a shared diagnostic (sections, check-list), loaded from a data file; an authority may adapt it."""

    authority = models.ForeignKey(
        Authority,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="diagnostic_templates",
        help_text="Vide pour la trame nationale.",
    )

    class Meta:
        verbose_name = "trame de diagnostic"
        verbose_name_plural = "trames de diagnostic"


class Part(models.TextChoices):
    TITRE1 = "titre1", "Titre 1 du modèle de contrat"
    ANAP = "anap", "Fiches thématiques de l'ANAP"
    FREE = "libre", "Éléments hors trame"


class TemplateSection(models.Model):
    template = models.ForeignKey(DiagnosticTemplate, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField("code", max_length=20)
    part = models.CharField("partie", max_length=10, choices=Part.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    # The Titre 1 axis (1.1 to 1.4) whose synthesis this section feeds.
    axis = models.CharField("axe de la synthèse", max_length=10)
    title = models.TextField("intitulé")
    guidance = models.TextField("ce qu'il faut analyser", blank=True)
    indicator_codes = models.JSONField("indicateurs", default=list, blank=True)
    checklist_codes = models.JSONField("thèmes de la check-list couverts", default=list, blank=True)
    order = models.PositiveIntegerField("ordre")

    class Meta:
        verbose_name = "section de la trame"
        verbose_name_plural = "sections de la trame"
        ordering = ["template", "order"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="section_code_unique_in_template")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}" if self.part == Part.TITRE1 else self.title

    @property
    def short_title(self) -> str:
        return self.title if len(self.title) < 110 else self.title[:107].rsplit(" ", 1)[0] + "…"

    @property
    def label(self) -> str:
        """The section as a reader names it: « 1.1.2 – Organisation des prestations… », « Les parcours des
        personnes accompagnées » (an ANAP sheet has no number a reader knows, « anap-1 » is only its code)."""
        return f"{self.code} – {self.short_title}" if self.part == Part.TITRE1 else self.short_title


class ChecklistItem(models.Model):
    """One theme every diagnostic must cover (ANAP, « Les éléments incontournables du diagnostic »)."""

    template = models.ForeignKey(DiagnosticTemplate, on_delete=models.CASCADE, related_name="checklist")
    code = models.SlugField("code", max_length=40)
    label = models.CharField("thème", max_length=120)
    hint = models.TextField("exemples", blank=True)
    order = models.PositiveIntegerField("ordre")

    class Meta:
        verbose_name = "point de la check-list"
        verbose_name_plural = "check-list du diagnostic"
        ordering = ["template", "order"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="checklist_code_unique_in_template")]

    def __str__(self) -> str:
        return self.label


class Diagnostic(VersionedModel):
    """The shared diagnostic of one contract: per establishment and consolidated for the managing body."""

    contract = models.OneToOneField(Contract, on_delete=models.CASCADE, related_name="diagnostic")
    template = models.ForeignKey(DiagnosticTemplate, on_delete=models.PROTECT, related_name="diagnostics")
    salient_issues = models.TextField("problématiques saillantes", blank=True)

    class Meta:
        verbose_name = "diagnostic partagé"
        verbose_name_plural = "diagnostics partagés"

    def __str__(self) -> str:
        return f"Diagnostic partagé – {self.contract.reference}"


class SectionEntry(VersionedModel):
    """What the managing body writes for one section, for one establishment or for the whole managing body."""

    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.CASCADE, related_name="entries")
    section = models.ForeignKey(TemplateSection, on_delete=models.PROTECT, related_name="entries")
    establishment = models.ForeignKey(
        Establishment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="diagnostic_entries",
        help_text="Vide pour l'analyse consolidée de l'organisme gestionnaire.",
    )
    text = models.TextField("analyse de l'organisme gestionnaire", blank=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "analyse d'une section"
        verbose_name_plural = "analyses des sections"
        constraints = [
            models.UniqueConstraint(
                fields=["diagnostic", "section", "establishment"],
                condition=Q(establishment__isnull=False),
                name="entry_unique_per_establishment",
            ),
            models.UniqueConstraint(
                fields=["diagnostic", "section"],
                condition=Q(establishment__isnull=True),
                name="entry_unique_consolidated",
            ),
        ]


class Remark(models.Model):
    """An authority's remark on a section's analysis."""

    entry = models.ForeignKey(SectionEntry, on_delete=models.CASCADE, related_name="remarks")
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    text = models.TextField("remarque")
    at = models.DateTimeField("le", auto_now_add=True)

    class Meta:
        verbose_name = "remarque de l'autorité"
        verbose_name_plural = "remarques des autorités"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"Remarque sur {self.entry}"


class AttachmentKind(models.TextChoices):
    EVALUATION = "evaluation", "Rapport d'évaluation"
    QUALITY_PLAN = "quality_plan", "Plan d'amélioration de la qualité"
    ORGANISATION_CHART = "organisation_chart", "Organigramme"
    PROJECT = "project", "Projet d'établissement ou associatif"
    ACCOUNTS = "accounts", "Documents budgétaires et comptables"
    OTHER = "other", "Autre document"


class Attachment(models.Model):
    """A document attached to a section's analysis (stored under a generated name, never the uploaded one)."""

    entry = models.ForeignKey(SectionEntry, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField("nature", max_length=20, choices=AttachmentKind.choices)
    label = models.CharField("intitulé", max_length=200)
    file = models.FileField("fichier", upload_to="diagnostic/%Y/")
    original_name = models.CharField("nom du fichier déposé", max_length=255)
    size = models.PositiveIntegerField("taille (octets)")
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    organisation_label = models.CharField("organisation", max_length=200)
    at = models.DateTimeField("déposé le", auto_now_add=True)

    class Meta:
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.label} ({self.original_name})"


class Nature(models.TextChoices):
    DIFFICULTY = "difficulty", "Difficulté"
    PROBLEM = "problem", "Problématique"
    STRENGTH = "strength", "Point fort"
    SPECIFICITY = "specificity", "Spécificité"


class FindingLevel(models.TextChoices):
    MANAGING_BODY = "managing_body", "Organisme gestionnaire"
    ESTABLISHMENT = "establishment", "Établissement"
    TERRITORY = "territory", "Territoire"


class Priority(models.IntegerChoices):
    HIGH = 1, "Haute"
    MEDIUM = 2, "Moyenne"
    LOW = 3, "Basse"


class Finding(VersionedModel):
    """A constat: short, stating a difficulty, a problem, a strength or a specificity, with its evidence."""

    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.CASCADE, related_name="findings")
    section = models.ForeignKey(
        TemplateSection, on_delete=models.PROTECT, related_name="findings", verbose_name="thème"
    )
    text = models.CharField("constat", max_length=300)
    nature = models.CharField("nature", max_length=12, choices=Nature.choices)
    level = models.CharField("niveau", max_length=14, choices=FindingLevel.choices)
    establishment = models.ForeignKey(
        Establishment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
        verbose_name="établissement",
    )
    evidence_indicators = models.ManyToManyField(
        Indicator, blank=True, related_name="+", verbose_name="indicateurs à l'appui"
    )
    evidence_attachments = models.ManyToManyField(
        Attachment, blank=True, related_name="findings", verbose_name="documents à l'appui"
    )
    evidence = models.TextField("autres éléments à l'appui", blank=True)
    causes = models.TextField("causes", blank=True)
    consequences = models.TextField("conséquences", blank=True)
    lever_exists = models.BooleanField(
        "un levier existe dans le champ du contrat",
        default=True,
        help_text="Sans levier (par exemple une évolution de la réglementation), le contrat n'a pas vocation à fixer d'objectif.",
    )
    priority = models.PositiveSmallIntegerField("priorité", choices=Priority.choices, default=Priority.MEDIUM)
    # The side that wrote it: only that side edits it.
    authority = models.ForeignKey(
        Authority,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Vide quand le constat est rédigé par l'organisme gestionnaire.",
    )
    organisation_label = models.CharField("rédigé par", max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "constat"
        verbose_name_plural = "constats"
        ordering = ["section__order", "priority", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level="establishment", establishment__isnull=False)
                | (~Q(level="establishment") & Q(establishment__isnull=True)),
                name="finding_establishment_iff_level_establishment",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_strength(self) -> bool:
        return self.nature == Nature.STRENGTH


class AxisPerspective(models.Model):
    """The synthesis' perspectives for one Titre 1 axis."""

    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.CASCADE, related_name="perspectives")
    axis = models.CharField("axe", max_length=10)
    text = models.TextField("perspectives", blank=True)

    class Meta:
        verbose_name = "perspectives d'un axe"
        verbose_name_plural = "perspectives par axe"
        constraints = [models.UniqueConstraint(fields=["diagnostic", "axis"], name="perspective_once_per_axis")]

    def __str__(self):
        return f"Perspectives de l'axe {self.axis}"
