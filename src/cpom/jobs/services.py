"""Long work as jobs: an app registers a kind of job (its handler, whether it may be retried), asks for one with
:func:`submit`, and the worker runs it (:func:`run`, through the task of ``cpom.jobs.tasks``).

A handler receives the job's parameters and a :class:`Progress`, and returns an :class:`Outcome` (a file to
download, figures to show). It must be all-or-nothing (one transaction for what it writes): a worker killed in the
middle then leaves nothing half done, and the job is run again from the start. Progress is written outside the
handler's transaction, so that the page sees it while the work goes on.

Retried where safe: a kind registered ``retry=True`` (idempotent: building a file, recomputing what a recompute
replaces) is run again after a failure, up to ``CPOM_JOBS["max_attempts"]`` times; any other fails at once and says
why, for a person to decide.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from cpom.core.refusals import Refused

from .models import Job, JobState

logger = logging.getLogger("cpom.jobs")

FAILED_UNEXPECTEDLY = (
    "Le travail a échoué sur une erreur inattendue ; l'équipe technique en trouve le détail dans le journal du "
    "serveur. Vous pouvez le redemander."
)
INTERRUPTED = "Le travail a été interrompu (le processus qui l'exécutait s'est arrêté) ; il est repris depuis le début."
INTERRUPTED_FOR_GOOD = (
    "Le travail a été interrompu (le processus qui l'exécutait s'est arrêté) et n'est pas repris de lui-même : "
    "redemandez-le."
)


@dataclass(frozen=True)
class Outcome:
    """What a job gives: a file to download (name, type, bytes), figures to show, or both; and a sentence."""

    message: str = ""
    name: str = ""
    content_type: str = ""
    content: bytes | None = None
    data: dict = field(default_factory=dict)


class Progress:
    """Where a running job stands, written on its row at each step (the page polls it)."""

    def __init__(self, job: Job):
        self.job = job

    def __call__(self, step: str, done: int | None = None, total: int | None = None) -> None:
        job = self.job
        job.step = step[:200]
        if total is not None:
            job.total = total
        if done is not None:
            job.done = min(done, job.total) if job.total else done
        job.heartbeat_at = timezone.now()
        Job.objects.filter(pk=job.pk).update(
            step=job.step, done=job.done, total=job.total, heartbeat_at=job.heartbeat_at
        )


Handler = Callable[[dict, Progress], Outcome]


@dataclass(frozen=True)
class Kind:
    name: str
    handler: Handler
    retry: bool


KINDS: dict[str, Kind] = {}


def register(name: str, handler: Handler, *, retry: bool) -> None:
    """Declares a kind of job (at the app's ``ready``): ``retry`` only for work that may safely run twice."""
    KINDS[name] = Kind(name, handler, retry)


def submit(kind: str, label: str, params: dict | None = None, *, subject: str = "", user=None) -> Job:
    """Records the job and hands it to the queue; the worker runs it."""
    if kind not in KINDS:
        raise ValueError(f"type de travail inconnu : {kind}")
    with transaction.atomic():
        job = Job.objects.create(kind=kind, label=label[:200], params=params or {}, subject=subject, requested_by=user)
        enqueue(job)
    return job


def enqueue(job: Job) -> None:
    from django_tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    from .tasks import run_job

    def hand_over():
        result = run_job.enqueue(job.pk)
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])

    # In the database's own queue the task is written in the same transaction as the job: both or neither. Any
    # other queue (Redis) hears of the job only once it is committed, lest a worker look for it before it exists.
    if isinstance(task_backends[run_job.backend], DatabaseBackend):
        hand_over()
    else:
        transaction.on_commit(hand_over)


def run(job_id: int) -> None:
    """Runs one job (the worker's side): its handler, then its result or its failure on the row."""
    job = _start(job_id)
    if job is None:
        return
    kind = KINDS.get(job.kind)
    try:
        if kind is None:
            raise Refused(f"Ce type de travail n'existe plus dans cette version de cpom : « {job.kind} ».")
        outcome = kind.handler(job.params, Progress(job))
    except Refused as refused:
        _fail(job, str(refused))
    except Exception:
        logger.exception("Le travail n° %s (%s) a échoué.", job.pk, job.kind)
        if kind.retry and job.attempts < settings.CPOM_JOBS["max_attempts"]:
            _requeue(job, "Nouvelle tentative après une erreur.")
        else:
            _fail(job, FAILED_UNEXPECTEDLY)
    else:
        _succeed(job, outcome)


def _start(job_id: int) -> Job | None:
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            # Delivered twice, or its job was removed: nothing left to do.
            return None
        now = timezone.now()
        job.state, job.attempts, job.started_at, job.heartbeat_at = JobState.RUNNING, job.attempts + 1, now, now
        job.error = ""
        job.save(update_fields=["state", "attempts", "started_at", "heartbeat_at", "error"])
    return job


def _succeed(job: Job, outcome: Outcome) -> None:
    job.state, job.finished_at = JobState.DONE, timezone.now()
    job.step = outcome.message[:200] or "Terminé."
    job.done = job.total
    job.result_name, job.result_type, job.result_file = outcome.name, outcome.content_type, outcome.content
    job.result_data = outcome.data or None
    job.save()


def _fail(job: Job, reason: str) -> None:
    job.state, job.finished_at, job.error = JobState.FAILED, timezone.now(), reason
    job.save(update_fields=["state", "finished_at", "error"])


def _requeue(job: Job, step: str) -> None:
    job.state, job.step, job.done = JobState.QUEUED, step, 0
    job.save(update_fields=["state", "step", "done"])
    enqueue(job)


def reclaim_interrupted(now=None) -> list[Job]:
    """Jobs « en cours » whose worker stopped giving signs of life (killed, machine restarted): a kind that may be
    retried is queued again from the start (its handler left nothing half done), any other fails and says so.

    ``cpom worker`` calls it as it starts and then every minute or so; the delay is ``CPOM_JOBS["stale_seconds"]``.
    """
    now = now or timezone.now()
    limit = now - timedelta(seconds=settings.CPOM_JOBS["stale_seconds"])
    reclaimed = []
    for job in Job.objects.filter(state=JobState.RUNNING, heartbeat_at__lt=limit):
        _close_lost_task(job.task_id)
        kind = KINDS.get(job.kind)
        if kind is not None and kind.retry and job.attempts < settings.CPOM_JOBS["max_attempts"]:
            _requeue(job, INTERRUPTED)
        else:
            _fail(job, INTERRUPTED_FOR_GOOD)
        logger.warning("Travail n° %s (%s) interrompu, %s.", job.pk, job.kind, job.get_state_display().lower())
        reclaimed.append(job)
    return reclaimed


def _close_lost_task(task_id: str) -> None:
    """The database queue's own row of a lost job says « running » for ever: it is closed as failed (Redis' queue
    does this itself for a job whose worker died)."""
    from django_tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from .tasks import run_job

    if task_id and isinstance(task_backends[run_job.backend], DatabaseBackend):
        DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(status="FAILED", finished_at=timezone.now())


def counts() -> dict[str, int]:
    """Jobs by state, every state named (the metrics)."""
    found = dict(Job.objects.order_by().values_list("state").annotate(n=Count("pk")))
    return {state: found.get(state, 0) for state in JobState.values}


def latest(subject: str, kind: str, params: dict | None = None) -> Job | None:
    """The last job of ``kind`` about ``subject`` (with these parameters), its file left unread."""
    jobs = Job.objects.filter(subject=subject, kind=kind).defer("result_file")
    for key, value in (params or {}).items():
        jobs = jobs.filter(**{f"params__{key}": value})
    return jobs.first()


def subject_of(instance: Any) -> str:
    return f"{instance._meta.label_lower}:{instance.pk}"


def metric_lines() -> list[str]:
    """The jobs by state, in Prometheus' text format: the platform's own table, the same for every process (unlike
    the request counters), whatever the queue."""
    lines = [
        "# HELP cpom_jobs Travaux de la file d'attente par état (en attente, en cours, terminés, échoués).",
        "# TYPE cpom_jobs gauge",
    ]
    return lines + [f'cpom_jobs{{state="{state}"}} {n}' for state, n in counts().items()]
