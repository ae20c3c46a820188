"""Before signature the consultations; then the version sent for signature, each party's signature of it, and the
sealed version once every party has signed the same content.

A version is the whole contract as the parties sign it: the canonical JSON snapshot of its content and the documents
generated from it, each with its SHA-256. The contract itself is version 0; each amendment adds the next number. The
database holds the rules (cpom.contracts.freeze): a version's content never changes, a sealed version does not change
at all, nothing here is deleted, and the signatures are append-only.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact

from cpom.contracts.models import Contract
from cpom.registry.models import Authority, Establishment

SHA256_LENGTH = 64


class ConsultationKind(models.TextChoices):
    CVS = "cvs", "Conseil de la vie sociale (CVS)"
    STAFF = "staff", "Instances représentatives du personnel (CSE)"
    BOARD = "board", "Délibération du conseil d'administration de l'organisme gestionnaire"
    HEALTH_INSURANCE = "health_insurance", "Avis de l'assurance maladie"
    OTHER = "other", "Autre consultation"


class Outcome(models.TextChoices):
    FAVOURABLE = "favourable", "Avis favorable"
    RESERVED = "reserved", "Avis favorable avec réserves"
    UNFAVOURABLE = "unfavourable", "Avis défavorable"
    ADOPTED = "adopted", "Délibération adoptée"
    REJECTED = "rejected", "Délibération rejetée"
    INFORMED = "informed", "Information donnée"


class Consultation(models.Model):
    """A consultation held before signature: its date, its outcome and, if given, its minutes."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="consultations")
    kind = models.CharField("nature", max_length=20, choices=ConsultationKind.choices)
    body = models.CharField("instance consultée", max_length=200)
    # The CVS and the staff bodies are an establishment's; the board is the managing body's.
    establishment = models.ForeignKey(
        Establishment, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="établissement"
    )
    held_on = models.DateField("date")
    outcome = models.CharField("résultat", max_length=20, choices=Outcome.choices)
    comment = models.TextField("observations", blank=True)
    minutes = models.FileField("procès-verbal", upload_to="consultations/%Y/", blank=True)
    minutes_name = models.CharField("nom du fichier déposé", max_length=255, blank=True)
    minutes_size = models.PositiveIntegerField("taille (octets)", null=True, blank=True)
    minutes_sha256 = models.CharField("empreinte SHA-256", max_length=SHA256_LENGTH, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="enregistrée par"
    )
    organisation_label = models.CharField("organisation", max_length=200)
    recorded_at = models.DateTimeField("enregistrée le", auto_now_add=True)

    class Meta:
        verbose_name = "consultation"
        verbose_name_plural = "consultations"
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.body} ({self.held_on})"


class VersionStatus(models.TextChoices):
    SENT = "sent", "Envoyée pour signature"
    SEALED = "sealed", "Signée par toutes les parties"
    VOIDED = "voided", "Annulée (signature refusée)"


class ContractVersion(models.Model):
    """The contract (number 0) or one of its amendments (1, 2…) as sent for signature, then sealed."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField("numéro")
    label = models.CharField("intitulé", max_length=200)
    status = models.CharField("état", max_length=10, choices=VersionStatus.choices, default=VersionStatus.SENT)
    # The canonical JSON of cpom.documents.contract.contract_snapshot, kept as text: its bytes are what is hashed.
    snapshot = models.TextField("contenu (JSON canonique)")
    content_sha256 = models.CharField("empreinte SHA-256 du contenu", max_length=SHA256_LENGTH)
    pdf = models.BinaryField("document PDF")
    pdf_sha256 = models.CharField("empreinte SHA-256 du PDF", max_length=SHA256_LENGTH)
    docx = models.BinaryField("document Word")
    docx_sha256 = models.CharField("empreinte SHA-256 du document Word", max_length=SHA256_LENGTH)
    # The parties in the order they sign, fixed when the version is sent: "managing_body" or "authority:<id>".
    signature_order = models.JSONField("ordre de signature")
    sent_at = models.DateTimeField("envoyée le")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="envoyée par"
    )
    organisation_label = models.CharField("organisation", max_length=200)
    sealed_at = models.DateTimeField("signée par toutes les parties le", null=True, blank=True)
    effective_date = models.DateField("date d'effet", null=True, blank=True)
    voided_at = models.DateTimeField("annulée le", null=True, blank=True)
    void_reason = models.TextField("motif de l'annulation", blank=True)

    class Meta:
        verbose_name = "version du contrat"
        verbose_name_plural = "versions du contrat"
        ordering = ["contract", "number", "sent_at"]
        constraints = [
            # A refused version is voided and the same number is sent again; only one may stand.
            models.UniqueConstraint(
                fields=["contract", "number"], condition=~Q(status="voided"), name="version_number_once"
            ),
            models.UniqueConstraint(fields=["contract"], condition=Q(status="sent"), name="one_version_in_signature"),
            models.CheckConstraint(
                condition=Q(status="sealed", sealed_at__isnull=False, effective_date__isnull=False)
                | ~Q(status="sealed"),
                name="sealed_version_dated",
            ),
            models.CheckConstraint(
                condition=Q(status="voided", voided_at__isnull=False) | ~Q(status="voided"),
                name="voided_version_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference} – {self.label}"


class Decision(models.TextChoices):
    SIGNED = "signed", "Signé"
    REFUSED = "refused", "Refus de signer"


MANAGING_BODY_KEY = "managing_body"


def party_key(authority: Authority | None) -> str:
    """How a version's signature order names a party."""
    return MANAGING_BODY_KEY if authority is None else f"authority:{authority.pk}"


class Signature(models.Model):
    """One party's signature of one version (or its refusal, with the reason), as recorded in cpom."""

    version = models.ForeignKey(ContractVersion, on_delete=models.PROTECT, related_name="signatures")
    # The managing body signs with no authority; an authority party with its own.
    authority = models.ForeignKey(
        Authority, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="autorité"
    )
    party_key = models.CharField("partie", max_length=40)
    decision = models.CharField("décision", max_length=10, choices=Decision.choices)
    signatory_name = models.CharField("nom du signataire", max_length=200)
    signatory_title = models.CharField("qualité du signataire", max_length=200)
    signed_on = models.DateField("date de signature")
    # The content hash printed on every page of the document this party signed: it must be the version's.
    signed_hash = models.CharField("empreinte signée", max_length=SHA256_LENGTH, blank=True)
    scan = models.FileField("exemplaire signé numérisé (PDF)", upload_to="signatures/%Y/", blank=True)
    scan_name = models.CharField("nom du fichier déposé", max_length=255, blank=True)
    scan_size = models.PositiveIntegerField("taille (octets)", null=True, blank=True)
    scan_sha256 = models.CharField("empreinte SHA-256 du fichier", max_length=SHA256_LENGTH, blank=True)
    reason = models.TextField("motif du refus", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="enregistrée par"
    )
    organisation_label = models.CharField("organisation", max_length=200)
    recorded_at = models.DateTimeField("enregistrée le")

    class Meta:
        verbose_name = "signature"
        verbose_name_plural = "signatures"
        ordering = ["version", "recorded_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "party_key"], name="one_decision_per_party_and_version"),
            models.CheckConstraint(
                condition=(Q(authority__isnull=True, party_key=MANAGING_BODY_KEY))
                | (Q(authority__isnull=False) & Q(party_key__startswith="authority:")),
                name="signature_party_named_once",
            ),
            models.CheckConstraint(
                condition=Q(decision="refused") & ~Q(reason="") | Q(decision="signed"),
                name="refusal_has_reason",
            ),
            models.CheckConstraint(
                # A length, not a pattern: SQLite has no REGEXP outside Django's connections (a backup's restore).
                condition=Q(Exact(Length("signed_hash"), SHA256_LENGTH), decision="signed") | Q(decision="refused"),
                name="signature_names_its_hash",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} – {self.signatory_name} ({self.signed_on})"
