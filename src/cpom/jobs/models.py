"""A long piece of work done by the worker (``cpom worker``): what it is, where it stands, what it gave.

The task backend (the database's table of django-tasks-db, or Redis with RQ) only carries « run job n » to a
worker; the job itself is kept here, in the platform's own database, whatever the backend: the pages read its state,
progress and result from one place, and who may see it follows what it is about (``subject``, read by the view of
that thing: a review's pack is looked up through the review the user sees).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class JobState(models.TextChoices):
    QUEUED = "queued", "En attente"
    RUNNING = "running", "En cours"
    DONE = "done", "Terminé"
    FAILED = "failed", "Échoué"


class Job(models.Model):
    kind = models.CharField("type", max_length=60)
    label = models.CharField("libellé", max_length=200)
    # What the job is about, « app.model:pk » (« reviews.review:12 »): the page of that thing finds its jobs by it.
    subject = models.CharField("objet", max_length=80, blank=True, db_index=True)
    params = models.JSONField("paramètres", default=dict, blank=True)
    state = models.CharField("état", max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    step = models.CharField("étape", max_length=200, blank=True)
    done = models.PositiveIntegerField("fait", default=0)
    total = models.PositiveIntegerField("à faire", default=0)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    error = models.TextField("erreur", blank=True)
    result_name = models.CharField("nom du fichier produit", max_length=200, blank=True)
    result_type = models.CharField("type du fichier produit", max_length=100, blank=True)
    # In the database rather than on disk: the worker may run on another machine than the web server.
    result_file = models.BinaryField("fichier produit", null=True, blank=True)
    result_data = models.JSONField("résultat", null=True, blank=True)
    task_id = models.CharField("identifiant dans la file", max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="demandé par", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("fini le", null=True, blank=True)
    # Written at each step: a job « en cours » whose heartbeat is old lost its worker (killed, machine restarted).
    heartbeat_at = models.DateTimeField("dernier signe de vie", null=True, blank=True)

    class Meta:
        verbose_name = "travail en file d'attente"
        verbose_name_plural = "travaux en file d'attente"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state"], name="jobs_state_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=JobState.values), name="jobs_state_known"),
            models.CheckConstraint(condition=Q(total=0) | Q(done__lte=F("total")), name="jobs_done_within_total"),
            models.CheckConstraint(condition=~Q(state=JobState.FAILED) | ~Q(error=""), name="jobs_failure_says_why"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_state_display().lower()})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("jobs:detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)

    @property
    def percent(self) -> int | None:
        """How far it went, when the job counts its steps."""
        if not self.total:
            return None
        return round(100 * self.done / self.total)
