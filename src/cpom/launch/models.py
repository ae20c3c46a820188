"""The launch kit of a contract before signature: its steering committee and the referent of each party, the RACI
matrix over the procedure's steps, the launch meeting's check-list, the steps done, and the letters generated.

The planned schedule is not stored: it is computed from the contract's target signature date and the authority's
durations (cpom.launch.schedule); only what happened is kept (a step done and its date). Once the contract is signed
the kit is its history: the database refuses any change to it (cpom.launch.seal).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cpom.contracts.models import Contract
from cpom.records import VersionedModel
from cpom.registry.models import Authority, Contact

from .schedule import STEPS

STEP_CHOICES = [(step.code, step.title) for step in STEPS]
MANAGING_BODY_KEY = "managing_body"


def party_key(authority_id: int | None) -> str:
    """How the kit names a party: « managing_body », « authority:12 »."""
    return MANAGING_BODY_KEY if authority_id is None else f"authority:{authority_id}"


class LaunchKit(VersionedModel):
    """One per contract; its version guards the committee, the referents and the RACI matrix (saved whole)."""

    contract = models.OneToOneField(Contract, on_delete=models.CASCADE, related_name="launch_kit")
    created_at = models.DateTimeField("créé le", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="créé par"
    )
    organisation_label = models.CharField("organisation", max_length=200)

    class Meta:
        verbose_name = "kit de lancement"
        verbose_name_plural = "kits de lancement"

    def __str__(self) -> str:
        return f"Kit de lancement – {self.contract.reference}"


class CommitteeMember(models.Model):
    """A member of the steering committee (COPIL), drawn from a party's contacts or from its users."""

    kit = models.ForeignKey(LaunchKit, on_delete=models.CASCADE, related_name="members")
    party_key = models.CharField("partie", max_length=40)
    # The managing body's members have none; an authority's name it.
    authority = models.ForeignKey(
        Authority, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="autorité"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="contact"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="utilisateur",
    )
    # As they were when named: a contact who leaves later is still named as they were.
    name = models.CharField("nom", max_length=200)
    role_label = models.CharField("fonction", max_length=150, blank=True)
    organisation_label = models.CharField("organisation", max_length=200)
    is_referent = models.BooleanField("référent de la partie", default=False)
    added_at = models.DateTimeField("ajouté le", default=timezone.now)

    class Meta:
        verbose_name = "membre du comité de pilotage"
        verbose_name_plural = "membres du comité de pilotage"
        ordering = ["kit", "authority_id", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contact__isnull=False, user__isnull=True) | Q(contact__isnull=True, user__isnull=False),
                name="launch_member_is_a_contact_or_a_user",
            ),
            models.UniqueConstraint(
                fields=["kit", "contact"], condition=Q(contact__isnull=False), name="launch_member_contact_once"
            ),
            models.UniqueConstraint(
                fields=["kit", "user"], condition=Q(user__isnull=False), name="launch_member_user_once"
            ),
            models.UniqueConstraint(
                fields=["kit", "party_key"], condition=Q(is_referent=True), name="launch_one_referent_per_party"
            ),
            models.CheckConstraint(
                condition=Q(party_key="managing_body", authority__isnull=True)
                | (Q(party_key__startswith="authority:") & Q(authority__isnull=False)),
                name="launch_member_party_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation_label})"


class RaciRole(models.TextChoices):
    RESPONSIBLE = "R", "R – réalise"
    ACCOUNTABLE = "A", "A – décide et rend compte"
    CONSULTED = "C", "C – consulté"
    INFORMED = "I", "I – informé"


class RaciCell(models.Model):
    """One person's role in one activity (a step of the procedure); no cell means no role."""

    kit = models.ForeignKey(LaunchKit, on_delete=models.CASCADE, related_name="raci")
    activity = models.CharField("activité", max_length=40, choices=STEP_CHOICES)
    member = models.ForeignKey(CommitteeMember, on_delete=models.CASCADE, related_name="raci")
    role = models.CharField("rôle", max_length=1, choices=RaciRole.choices)

    class Meta:
        verbose_name = "case de la matrice RACI"
        verbose_name_plural = "matrice RACI"
        ordering = ["kit", "activity", "member"]
        constraints = [
            models.UniqueConstraint(fields=["member", "activity"], name="launch_raci_one_role_per_person"),
            models.UniqueConstraint(
                fields=["kit", "activity"], condition=Q(role="A"), name="launch_raci_one_accountable"
            ),
            models.CheckConstraint(condition=Q(role__in=RaciRole.values), name="launch_raci_known_role"),
            models.CheckConstraint(
                condition=Q(activity__in=[code for code, _ in STEP_CHOICES]), name="launch_raci_known_activity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_activity_display()} : {self.role}"


class ChecklistItem(VersionedModel):
    """An item of the launch meeting's check-list (ANAP): ticked, commented, by whom and when."""

    kit = models.ForeignKey(LaunchKit, on_delete=models.CASCADE, related_name="checklist")
    code = models.SlugField("code", max_length=40)
    position = models.PositiveSmallIntegerField("rang")
    label = models.CharField("point à aborder", max_length=300)
    ticked_at = models.DateTimeField("coché le", null=True, blank=True)
    ticked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="coché par",
    )
    ticked_by_organisation = models.CharField("organisation", max_length=200, blank=True)
    comment = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "point de la check-list de lancement"
        verbose_name_plural = "check-list de la réunion de lancement"
        ordering = ["kit", "position"]
        constraints = [
            models.UniqueConstraint(fields=["kit", "code"], name="launch_checklist_item_once"),
            models.CheckConstraint(
                condition=Q(ticked_at__isnull=True, ticked_by__isnull=True)
                | Q(ticked_at__isnull=False, ticked_by__isnull=False),
                name="launch_checklist_tick_signed",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_ticked(self) -> bool:
        return self.ticked_at is not None


class StepRecord(models.Model):
    """A step of the schedule said done by a party, with its date."""

    kit = models.ForeignKey(LaunchKit, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField("étape", max_length=40, choices=STEP_CHOICES)
    done_on = models.DateField("réalisée le")
    comment = models.TextField("commentaire", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="déclarée par"
    )
    organisation_label = models.CharField("organisation", max_length=200)
    recorded_at = models.DateTimeField("enregistrée le", default=timezone.now)

    class Meta:
        verbose_name = "étape réalisée"
        verbose_name_plural = "étapes réalisées"
        ordering = ["kit", "done_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["kit", "step"], name="launch_step_done_once"),
            models.CheckConstraint(condition=Q(step__in=[code for code, _ in STEP_CHOICES]), name="launch_step_known"),
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()} : réalisée le {self.done_on:%d/%m/%Y}"


class LetterKind(models.TextChoices):
    FRAMING = "framing", "Lettre de cadrage de l'autorité"
    REPLY = "reply", "Lettre de l'organisme gestionnaire en réponse"


class LetterIssue(models.Model):
    """A letter generated from the contract's data: who, when, and the file's fingerprint (append-only)."""

    kit = models.ForeignKey(LaunchKit, on_delete=models.CASCADE, related_name="letters")
    kind = models.CharField("lettre", max_length=10, choices=LetterKind.choices)
    issued_at = models.DateTimeField("générée le", default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="générée par"
    )
    organisation_label = models.CharField("organisation", max_length=200)
    file_name = models.CharField("nom du fichier", max_length=255)
    sha256 = models.CharField("empreinte SHA-256", max_length=64)

    class Meta:
        verbose_name = "lettre générée"
        verbose_name_plural = "lettres générées"
        ordering = ["kit", "issued_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=LetterKind.values), name="launch_letter_known_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.file_name})"
