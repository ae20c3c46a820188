"""The contract models loaded from their files, and each contract's drafting: which model, which choices, which
parameters. A loaded model never changes: a new text is a new version (the sealed contracts keep their own copy of
the clauses in their snapshot, so a model may be withdrawn without changing what was signed)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from cpom.contracts.models import Contract
from cpom.records import VersionedModel
from cpom.registry.models import Authority


class ContractModel(models.Model):
    """A contract model file as loaded: its text, its SHA-256 and its clauses parsed (template.ContractModelSpec)."""

    authority = models.ForeignKey(
        Authority,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contract_models",
        verbose_name="autorité",
        help_text="Vide pour un modèle fourni avec cpom.",
    )
    code = models.SlugField("code", max_length=60)
    version = models.CharField("version", max_length=30)
    title = models.CharField("intitulé", max_length=250)
    source = models.TextField("source", blank=True)
    filename = models.CharField("fichier", max_length=200)
    text = models.TextField("texte du fichier")
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    clauses = models.JSONField("clauses")
    loaded_at = models.DateTimeField("chargé le", auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="par"
    )

    class Meta:
        verbose_name = "modèle de contrat"
        verbose_name_plural = "modèles de contrat"
        ordering = ["code", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "code", "version"],
                name="contract_model_version_once_per_authority",
                violation_error_message="Cette autorité a déjà chargé cette version de ce modèle.",
            ),
            # NULL is distinct from NULL in a unique index: the shipped models need their own.
            models.UniqueConstraint(
                fields=["code", "version"],
                condition=Q(authority__isnull=True),
                name="shipped_contract_model_version_once",
            ),
        ]

    def __str__(self) -> str:
        owner = self.authority.name if self.authority_id else "fourni avec cpom"
        return f"{self.title} (v{self.version}, {owner})"


class Drafting(VersionedModel):
    """How one contract is drafted: its model, the drafter's choices, the optional clauses kept, the parameters.

    ``choices``: {choice id: variant id}; ``options``: {clause id: kept}; ``parameters``: {id: text} for the
    contract's parameters, {id: {authority code: text}} for those of each authority party (« ARS-52 »)."""

    contract = models.OneToOneField(Contract, on_delete=models.CASCADE, related_name="drafting")
    model = models.ForeignKey(
        ContractModel, on_delete=models.PROTECT, related_name="draftings", verbose_name="modèle de contrat"
    )
    choices = models.JSONField("choix", default=dict, blank=True)
    options = models.JSONField("clauses facultatives", default=dict, blank=True)
    parameters = models.JSONField("paramètres", default=dict, blank=True)

    class Meta:
        verbose_name = "rédaction du contrat"
        verbose_name_plural = "rédactions des contrats"

    def __str__(self) -> str:
        return f"Rédaction de {self.contract.reference}"
