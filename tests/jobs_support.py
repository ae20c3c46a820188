"""The worker's own code, run in the test's process and transaction: what ``cpom worker --lot`` does with the
database queue, without the exclusive transaction that the test's own transaction cannot nest."""

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def run_queued_jobs() -> int:
    """Runs every task waiting in the database queue (those its jobs enqueue too), as the worker would; how many."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
    )
    count = 0
    while (task := DBTaskResult.objects.ready().first()) is not None:
        task.claim("tests")
        worker.run_task(task)
        count += 1
    return count
