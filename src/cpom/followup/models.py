"""The yearly follow-up of a signed contract: one campaign per year, its grid lines, its milestones' progress, the
shared conclusions both sides write and sign, and what is sealed when every party has signed.

A campaign reads the contract in force (the objectives, indicators and targets as amendments left them) and the
engine's stored values; what people add is here: the declared values, the « situation actuelle » and the comments
of the managing body, the levels the authority confirms. Once every party has signed the conclusions, the campaign
is closed: its snapshot (the grid as signed, canonical JSON) and its documents never change again, which the
database holds (cpom.followup.seal).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.urls import reverse

from cpom.contracts.models import Contract
from cpom.objectives.models import FollowUpIndicator, Milestone
from cpom.records import VersionedModel
from cpom.registry.categories import CATEGORY_CHOICES
from cpom.registry.models import Authority

from .levels import IN_PROGRESS, NOT_REALISED, OFF_TRACK, ON_TRACK, REALISED

SHA256_LENGTH = 64
# The line that sums up every category of the perimeter.
CONSOLIDATED = ""
CONSOLIDATED_LABEL = "Ensemble du périmètre"


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", "Prévue"
    OPEN = "open", "Ouverte"
    SUBMITTED = "submitted", "Transmise par l'organisme gestionnaire"
    SIGNING = "signing", "Conclusions en signature"
    CLOSED = "closed", "Close (conclusions signées)"


class AchievementLevel(models.TextChoices):
    REALISED = REALISED, "R – réalisé"
    NOT_REALISED = NOT_REALISED, "NR – non réalisé"
    IN_PROGRESS = IN_PROGRESS, "EC – en cours"


class Track(models.TextChoices):
    ON_TRACK = ON_TRACK, "en bonne voie"
    OFF_TRACK = OFF_TRACK, "en retard sur la trajectoire"


class FramingNote(VersionedModel):
    """An authority's note de cadrage for a year: its priority themes, shown on every campaign it opens that year."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="framing_notes")
    year = models.PositiveSmallIntegerField("année")
    themes = models.TextField("thèmes prioritaires de l'année", help_text="Un thème par ligne.")
    text = models.TextField("note de cadrage", blank=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "note de cadrage"
        verbose_name_plural = "notes de cadrage"
        ordering = ["authority", "-year"]
        constraints = [models.UniqueConstraint(fields=["authority", "year"], name="framing_note_once_per_year")]

    def __str__(self) -> str:
        return f"Note de cadrage {self.year} – {self.authority}"

    @property
    def theme_list(self) -> list[str]:
        return [line.strip() for line in self.themes.splitlines() if line.strip()]


class Campaign(VersionedModel):
    """The follow-up of one year of a signed contract: it reviews one closed financial year."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="campaigns")
    year = models.PositiveSmallIntegerField("année de la campagne")
    reviewed_year = models.PositiveSmallIntegerField("exercice examiné")
    status = models.CharField("état", max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.PLANNED)
    opened_on = models.DateField("ouverte le", null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    report_deadline = models.DateField("date limite du bilan de l'organisme gestionnaire", null=True, blank=True)
    review_start = models.DateField("dialogue de gestion : début", null=True, blank=True)
    review_end = models.DateField("dialogue de gestion : fin", null=True, blank=True)
    framing_note = models.ForeignKey(
        FramingNote, null=True, blank=True, on_delete=models.PROTECT, related_name="campaigns"
    )
    # The version of the contract in force the grid was read from (0: the contract, then each amendment).
    contract_version = models.PositiveSmallIntegerField("version du contrat suivie", null=True, blank=True)
    submitted_at = models.DateTimeField("transmise le", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    conclusions = models.TextField("éléments conclusifs partagés", blank=True)
    # Fixed when the conclusions are sent for signature: what every party signs, and its SHA-256.
    snapshot = models.TextField("grille signée (JSON canonique)", blank=True)
    content_sha256 = models.CharField("empreinte SHA-256", max_length=SHA256_LENGTH, blank=True)
    signature_order = models.JSONField("ordre de signature", default=list, blank=True)
    closed_at = models.DateTimeField("close le", null=True, blank=True)

    class Meta:
        verbose_name = "campagne de suivi"
        verbose_name_plural = "campagnes de suivi"
        ordering = ["contract", "year"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "year"], name="campaign_once_per_contract_and_year"),
            models.CheckConstraint(condition=Q(reviewed_year__lte=F("year")), name="campaign_reviews_a_past_year"),
            models.CheckConstraint(
                condition=Q(status="planned") | Q(opened_on__isnull=False, report_deadline__isnull=False),
                name="campaign_opened_with_deadline",
            ),
            models.CheckConstraint(
                condition=Q(review_start__isnull=True)
                | Q(review_end__isnull=True)
                | Q(review_start__lte=F("review_end")),
                name="campaign_review_period_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["signing", "closed"])
                | Q(Exact(Length("content_sha256"), SHA256_LENGTH), ~Q(snapshot="")),
                name="campaign_signed_content_hashed",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False), name="campaign_closed_dated"
            ),
        ]

    def __str__(self) -> str:
        return f"Campagne {self.year} – {self.contract.reference}"

    def get_absolute_url(self) -> str:
        return reverse("followup:campaign", kwargs={"contract_id": self.contract_id, "campaign_id": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.status in (CampaignStatus.OPEN, CampaignStatus.SUBMITTED)


class GridEntry(VersionedModel):
    """What people add to one line of a campaign's grid (an indicator for one category, or consolidated), and the
    level the rule proposed at the last computation beside the one a person confirmed."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="entries")
    indicator = models.ForeignKey(FollowUpIndicator, on_delete=models.PROTECT, related_name="grid_entries")
    category = models.CharField("catégorie", max_length=10, choices=CATEGORY_CHOICES, blank=True)
    declared_value = models.CharField("valeur déclarée", max_length=100, blank=True)
    current_situation = models.TextField("situation actuelle", blank=True)
    comment = models.TextField("commentaires", blank=True)
    proposed_level = models.CharField("niveau proposé", max_length=2, choices=AchievementLevel.choices, blank=True)
    proposed_track = models.CharField("tendance proposée", max_length=10, choices=Track.choices, blank=True)
    proposed_explanation = models.CharField("pourquoi", max_length=500, blank=True)
    proposed_at = models.DateTimeField("proposé le", null=True, blank=True)
    confirmed_level = models.CharField("niveau confirmé", max_length=2, choices=AchievementLevel.choices, blank=True)
    # The proposal the person had in front of them: a later, different proposal shows beside the confirmed level.
    confirmed_proposal = models.CharField("niveau proposé lors de la confirmation", max_length=2, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by_label = models.CharField("organisation", max_length=200, blank=True)
    confirmed_at = models.DateTimeField("confirmé le", null=True, blank=True)
    override_comment = models.TextField("motif de l'écart au niveau proposé", blank=True)

    class Meta:
        verbose_name = "ligne de la grille de suivi"
        verbose_name_plural = "lignes de la grille de suivi"
        ordering = ["campaign", "indicator", "category"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "indicator", "category"], name="grid_entry_once_per_line"),
            models.CheckConstraint(
                condition=Q(confirmed_level="") | Q(confirmed_at__isnull=False, confirmed_by__isnull=False),
                name="grid_entry_confirmation_signed",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_level="") | Q(confirmed_level=F("confirmed_proposal")) | ~Q(override_comment=""),
                name="grid_entry_override_explained",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} ({self.category or CONSOLIDATED_LABEL})"


class MilestoneProgress(VersionedModel):
    """Where a milestone of the contract's calendar stands at a campaign: done (when), and why."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="milestones")
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="progress")
    done_on = models.DateField("réalisé le", null=True, blank=True)
    comment = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "avancement d'un jalon"
        verbose_name_plural = "avancement des jalons"
        ordering = ["campaign", "milestone"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "milestone"], name="milestone_progress_once_per_campaign")
        ]

    def __str__(self) -> str:
        return f"{self.milestone} ({self.campaign.year})"


class ConclusionSignature(models.Model):
    """One party's signature of a campaign's shared conclusions and grid, naming the hash it signed."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="signatures")
    authority = models.ForeignKey(Authority, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    party_key = models.CharField("partie", max_length=40)
    signatory_name = models.CharField("nom du signataire", max_length=200)
    signatory_title = models.CharField("qualité du signataire", max_length=200)
    signed_on = models.DateField("date de signature")
    signed_hash = models.CharField("empreinte signée", max_length=SHA256_LENGTH)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation_label = models.CharField("organisation", max_length=200)
    recorded_at = models.DateTimeField("enregistrée le")

    class Meta:
        verbose_name = "signature des conclusions"
        verbose_name_plural = "signatures des conclusions"
        ordering = ["campaign", "recorded_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "party_key"], name="conclusions_signed_once_per_party"),
            models.CheckConstraint(
                condition=Q(Exact(Length("signed_hash"), SHA256_LENGTH)), name="conclusions_signature_names_hash"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signatory_name} ({self.signed_on})"


class SealedDocument(models.Model):
    """A document written from the sealed snapshot at closing (the grid's workbook, the annual report…), as stored."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="documents")
    kind = models.SlugField("nature", max_length=40)
    label = models.CharField("document", max_length=200)
    file_name = models.CharField("nom du fichier", max_length=255)
    content = models.BinaryField("contenu")
    sha256 = models.CharField("empreinte SHA-256", max_length=SHA256_LENGTH)

    class Meta:
        verbose_name = "document scellé"
        verbose_name_plural = "documents scellés"
        ordering = ["campaign", "kind"]
        constraints = [models.UniqueConstraint(fields=["campaign", "kind"], name="sealed_document_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.label} – {self.campaign}"
