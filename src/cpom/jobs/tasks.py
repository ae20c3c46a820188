"""The one task the queue carries: « run job n ». What the job is and does lives on its row (cpom.jobs.models), so
that the database backend and Redis (RQ) run the same work and the pages read it the same way."""

from django_tasks import task

from . import services


@task()
def run_job(job_id: int) -> None:
    services.run(job_id)
