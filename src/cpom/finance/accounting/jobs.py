"""A large accounting import (a FEC of a big establishment), once confirmed, as a job of the queue: reading and
checking hundreds of thousands of entries takes longer than a page should wait.

Not retried: an import is a person's act, recorded in the audit with what it replaced; run a second time it would be
recorded twice. It is all-or-nothing (services.store is one transaction): a failed or interrupted import wrote
nothing, and the person imports the file again."""

from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from cpom.core.importing import DataImportError
from cpom.core.numbers import count
from cpom.core.refusals import Refused
from cpom.core.text import the
from cpom.import_slots import ImportsBusy
from cpom.jobs.services import Outcome, Progress, submit
from cpom.registry.models import Establishment

from . import services

KIND = "finance.accounting_import"


def is_large(content: bytes) -> bool:
    """Above CPOM_JOBS["import_threshold_bytes"], the confirmed import goes to the queue."""
    return len(content) > settings.CPOM_JOBS["import_threshold_bytes"]


def ask(pending: dict, establishment: Establishment, user):
    return submit(
        KIND,
        f"Import de {pending['file_name']} pour {establishment.name} ({pending['year']})",
        {**pending, "establishment_id": establishment.pk},
        user=user,
    )


def run(params: dict, progress: Progress) -> Outcome:
    establishment = Establishment.objects.get(pk=params["establishment_id"])
    user = get_user_model().objects.filter(pk=_requester(progress)).first()
    progress("Lecture et contrôle du fichier", 0, 2)
    period = services.fiscal_year(
        params["year"], date.fromisoformat(params["start"]), date.fromisoformat(params["end"])
    )
    try:
        content = services.pending_content(params["token"])
        balance = services.read(content, params["file_name"], params["kind"], period, progress)
    except ImportsBusy as busy:
        raise Refused(f"{busy} Importez de nouveau le fichier dans un moment.") from None
    except (services.ImportRefused, DataImportError) as refusal:
        services.forget_pending(params["token"])
        raise Refused(str(refusal)) from None
    progress("Enregistrement des soldes de comptes", 1, 2)
    batch = services.store(balance, establishment, params["year"], user)
    services.forget_pending(params["token"])
    written = count(len(services.accounts_to_store(balance)))
    return Outcome(
        message=f"{written} soldes de comptes enregistrés pour {the(establishment.name)} ({params['year']}).",
        data={"url": reverse("finance:import_report", kwargs={"batch_id": batch.pk}), "link": "Voir le compte rendu"},
    )


def _requester(progress: Progress) -> int | None:
    return progress.job.requested_by_id
