"""The day's deadline emails as a job of the queue (« cpom notify --en-file », the timer's way).

May be retried: what was sent is recorded, so a second run the same day sends nothing twice (services.notify); a
run where some emails could not be sent fails, and its retry sends only those."""

from datetime import date

from cpom.jobs.services import Outcome, Progress, submit

from .services import notify

KIND = "notifications.daily"


class NotSent(Exception):
    """Some emails were refused by the mail server: the job is tried again (it sends nothing twice)."""


def ask(day: date):
    return submit(KIND, f"Courriels des échéances du {day:%d/%m/%Y}", {"day": day.isoformat()}, subject="notifications")


def daily(params: dict, progress: Progress) -> Outcome:
    day = date.fromisoformat(params["day"])
    progress(f"Échéances du {day:%d/%m/%Y}")
    run = notify(day)
    if run.failures:
        raise NotSent("; ".join(run.failures))
    return Outcome(
        message=f"{day:%d/%m/%Y} : {run.emails} courriel(s) envoyé(s), {run.deadlines} échéance(s) annoncée(s).",
        data={"emails": run.emails, "deadlines": run.deadlines},
    )
