"""The jobs' life, as the pages and the worker see it: queued, run, done or failed with a French reason, retried only
when the work may safely run twice, taken back when its worker was lost."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cpom.core.refusals import Refused
from cpom.jobs import services
from cpom.jobs.models import Job, JobState
from jobs_support import run_queued_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def kinds(monkeypatch):
    """Two kinds of job for the test: one that may run twice, one that may not."""
    calls = []

    def handler(params, progress):
        calls.append(params)
        progress("Étape unique", 1, 1)
        if params.get("fail") == "refused":
            raise Refused("Le contrat est résilié : rien à préparer.")
        if params.get("fail") == "crash":
            raise RuntimeError("boom")
        return services.Outcome(message="Fini.", data={"n": 3})

    monkeypatch.setitem(services.KINDS, "test.safe", services.Kind("test.safe", handler, retry=True))
    monkeypatch.setitem(services.KINDS, "test.once", services.Kind("test.once", handler, retry=False))
    return calls


def test_a_job_runs_in_the_worker_and_keeps_its_result(kinds):
    job = services.submit("test.once", "Essai", {"a": 1})
    assert job.state == JobState.QUEUED and services.counts()["queued"] == 1
    assert run_queued_jobs() == 1
    job.refresh_from_db()
    assert (job.state, job.step, job.result_data, job.percent) == ("done", "Fini.", {"n": 3}, 100)
    assert kinds == [{"a": 1}]
    assert services.counts() == {"queued": 0, "running": 0, "done": 1, "failed": 0}


def test_a_refusal_fails_at_once_with_its_french_reason_even_when_retry_is_safe(kinds):
    job = services.submit("test.safe", "Essai", {"fail": "refused"})
    assert run_queued_jobs() == 1
    job.refresh_from_db()
    assert (job.state, job.attempts, job.error) == ("failed", 1, "Le contrat est résilié : rien à préparer.")


def test_a_crash_is_retried_only_when_the_work_may_run_twice(kinds):
    safe = services.submit("test.safe", "Sûr", {"fail": "crash"})
    once = services.submit("test.once", "Une fois", {"fail": "crash"})
    assert run_queued_jobs() == 3 + 1
    safe.refresh_from_db()
    once.refresh_from_db()
    assert (safe.state, safe.attempts) == ("failed", 3)
    assert (once.state, once.attempts) == ("failed", 1)
    assert once.error == services.FAILED_UNEXPECTEDLY and "boom" not in once.error


def test_a_job_whose_worker_was_lost_is_taken_back_or_failed_by_its_kind(kinds):
    old = timezone.now() - timedelta(hours=1)
    safe = Job.objects.create(kind="test.safe", label="Sûr", state=JobState.RUNNING, attempts=1, heartbeat_at=old)
    once = Job.objects.create(kind="test.once", label="Une fois", state=JobState.RUNNING, attempts=1, heartbeat_at=old)
    alive = Job.objects.create(kind="test.once", label="Vivant", state=JobState.RUNNING, heartbeat_at=timezone.now())
    assert {j.pk for j in services.reclaim_interrupted()} == {safe.pk, once.pk}
    safe.refresh_from_db()
    once.refresh_from_db()
    alive.refresh_from_db()
    assert (safe.state, safe.step) == ("queued", services.INTERRUPTED)
    assert (once.state, once.error) == ("failed", services.INTERRUPTED_FOR_GOOD)
    assert alive.state == "running"
    assert run_queued_jobs() == 1
    safe.refresh_from_db()
    assert (safe.state, safe.attempts) == ("done", 2)


def test_a_job_delivered_twice_runs_once(kinds):
    job = services.submit("test.once", "Essai", {"a": 1})
    services.enqueue(job)
    assert run_queued_jobs() == 2
    assert kinds == [{"a": 1}]


def test_an_unknown_kind_is_refused_in_french():
    with pytest.raises(ValueError, match="type de travail inconnu : rien"):
        services.submit("rien", "Rien")
    assert not Job.objects.exists()
