from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from cpom.records import VersionedModel

from . import territories
from .categories import CATEGORY_CHOICES, Audience, Sector
from .identifiers import validate_finess, validate_siren


class LegalStatus(models.TextChoices):
    ASSOCIATION = "association", "Association"
    FOUNDATION = "fondation", "Fondation"
    PUBLIC = "public", "Établissement public"
    COMMERCIAL = "commercial", "Société commerciale"
    GCSMS = "gcsms", "GCSMS"


class AuthorityKind(models.TextChoices):
    ARS = "ARS", "Agence régionale de santé"
    CD = "CD", "Conseil départemental"


class ManagingBody(VersionedModel):
    """Organisme gestionnaire: the legal entity that runs establishments."""

    name = models.CharField("raison sociale", max_length=200)
    legal_status = models.CharField("statut juridique", max_length=20, choices=LegalStatus.choices)
    siren = models.CharField(
        "SIREN",
        max_length=9,
        unique=True,
        validators=[validate_siren],
        error_messages={"unique": "Un organisme gestionnaire porte déjà ce SIREN."},
    )
    # The FINESS of the legal entity (FINESS EJ), beside each establishment's (FINESS ET): the contract's fiche
    # signalétique names both.
    legal_finess = models.CharField(
        "FINESS juridique",
        max_length=9,
        blank=True,
        validators=[validate_finess],
        help_text="Numéro FINESS de l'entité juridique (FINESS EJ), 9 caractères.",
    )
    street = models.CharField("adresse", max_length=200, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    city = models.CharField("commune", max_length=100, blank=True)
    head_office_authorised = models.BooleanField(
        "autorisation de frais de siège",
        default=False,
        help_text="Le gestionnaire dispose d'une autorisation de frais de siège social.",
    )

    class Meta:
        verbose_name = "organisme gestionnaire"
        verbose_name_plural = "organismes gestionnaires"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["legal_finess"],
                condition=~Q(legal_finess=""),
                name="managing_body_legal_finess_once",
                violation_error_message="Un organisme gestionnaire porte déjà ce FINESS juridique.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:managing_body", kwargs={"managing_body_id": self.pk})


class Authority(VersionedModel):
    """Autorité de tarification et de contrôle: an ARS (per region) or a département council."""

    kind = models.CharField("type", max_length=3, choices=AuthorityKind.choices)
    territory = models.CharField(
        "territoire", max_length=3, help_text="Code de la région (ARS) ou du département (conseil départemental)."
    )
    name = models.CharField("nom", max_length=200)

    class Meta:
        verbose_name = "autorité"
        verbose_name_plural = "autorités"
        ordering = ["kind", "territory"]
        constraints = [models.UniqueConstraint(fields=["kind", "territory"], name="authority_one_per_territory")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:authority", kwargs={"authority_id": self.pk})

    def department_codes(self) -> list[str]:
        if self.kind == AuthorityKind.ARS:
            return territories.departments_of_region(self.territory)
        return [self.territory]


class Establishment(VersionedModel):
    """Établissement ou service social et médico-social, identified by its FINESS number."""

    finess = models.CharField(
        "FINESS",
        max_length=9,
        unique=True,
        validators=[validate_finess],
        error_messages={"unique": "Un établissement porte déjà ce numéro FINESS."},
    )
    name = models.CharField("nom", max_length=200)
    category = models.CharField("catégorie", max_length=10, choices=CATEGORY_CHOICES)
    sector = models.CharField("secteur", max_length=2, choices=Sector.choices)
    audience = models.CharField("public accueilli", max_length=10, choices=Audience.choices)
    authorised_places = models.PositiveIntegerField("places autorisées")
    installed_places = models.PositiveIntegerField("places installées")
    opening_days = models.PositiveSmallIntegerField("jours d'ouverture par an", validators=[MaxValueValidator(366)])
    department = models.CharField("département", max_length=3, choices=territories.department_choices())
    city = models.CharField("commune", max_length=100, blank=True)
    managing_body = models.ForeignKey(
        ManagingBody, on_delete=models.PROTECT, related_name="establishments", verbose_name="organisme gestionnaire"
    )
    funders = models.ManyToManyField(
        Authority, related_name="funded_establishments", verbose_name="autorités de tarification"
    )
    # The last evaluation of the quality of its services (HAS frame): the next is due a cycle later
    # (``CPOM_EVALUATIONS``), a deadline cpom tells the parties of its contracts (cpom.registry.deadlines).
    last_evaluation_date = models.DateField(
        "date de la dernière évaluation",
        null=True,
        blank=True,
        help_text="Date de remise du rapport de la dernière évaluation de la qualité (référentiel de la HAS).",
    )

    class Meta:
        verbose_name = "établissement"
        verbose_name_plural = "établissements"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(opening_days__lte=366), name="establishment_opening_days_max"),
            models.CheckConstraint(
                condition=Q(installed_places__lte=models.F("authorised_places")),
                name="establishment_installed_within_authorised",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.finess})"

    def get_absolute_url(self) -> str:
        return reverse("registry:establishment", kwargs={"finess": self.finess})


class Contact(VersionedModel):
    """A person holding a role in an organisation for a period: history survives staff changes."""

    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom", max_length=100)
    email = models.EmailField("courriel", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    role = models.CharField("fonction", max_length=150)
    managing_body = models.ForeignKey(
        ManagingBody,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name="organisme gestionnaire",
    )
    authority = models.ForeignKey(
        Authority, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts", verbose_name="autorité"
    )
    start_date = models.DateField("en fonction depuis le")
    end_date = models.DateField("jusqu'au", null=True, blank=True)

    class Meta:
        verbose_name = "contact"
        verbose_name_plural = "contacts"
        ordering = ["last_name", "first_name", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(managing_body__isnull=False, authority__isnull=True)
                | Q(managing_body__isnull=True, authority__isnull=False),
                name="contact_belongs_to_one_organisation",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="contact_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} – {self.role}"

    @property
    def organisation(self):
        return self.managing_body or self.authority
