"""The indicators' long work through the queue, from the command line: a data file imported by the worker (all or
nothing, said in French when refused) and the national recompute handed to it, its summary on the job."""

import pytest
from django.core.management import call_command

from cpom.indicators.models import DataValue, ImportBatch, IndicatorValue
from cpom.jobs.models import Job
from jobs_support import run_queued_jobs

pytestmark = pytest.mark.django_db

IME = "440005015"
YEAR = 2031


def _file(tmp_path, *lines):
    path = tmp_path / "activite-2031.csv"
    path.write_text("finess;annee;element;valeur\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_data_file_handed_to_the_queue_is_imported_by_the_worker_then_recomputed(tmp_path, capsys):
    path = _file(tmp_path, f"{IME};{YEAR};journees_realisees;10950", f"{IME};{YEAR};journees_prevues;11680")
    call_command("indicateurs", "importer-donnees", str(path), "--en-file")
    job = Job.objects.get(kind="indicators.import")
    assert capsys.readouterr().out.startswith(f"Import confié à la file d'attente : travail n° {job.pk}")
    assert not DataValue.objects.filter(year=YEAR).exists()
    assert run_queued_jobs() == 1
    job.refresh_from_db()
    assert (job.state, job.step) == ("done", "2 valeurs importées (2 nouvelles, 0 remplacées)."), job.error
    assert DataValue.objects.filter(establishment__finess=IME, year=YEAR).count() == 2

    call_command("indicateurs", "calculer", "--annee", str(YEAR), "--en-file")
    assert not IndicatorValue.objects.filter(year=YEAR).exists()
    assert run_queued_jobs() == 1
    recompute = Job.objects.get(kind="indicators.recompute")
    assert recompute.state == "done" and recompute.step.startswith(
        f"{recompute.result_data['values']} valeurs pour {YEAR}"
    )
    assert IndicatorValue.objects.filter(establishment__finess=IME, year=YEAR).count() > 0


def test_a_refused_file_fails_in_french_at_once_and_writes_nothing(tmp_path):
    path = _file(tmp_path, f"{IME};{YEAR};journees_realisees;10950", f"{IME};{YEAR};element_inconnu;3")
    batches = ImportBatch.objects.count()
    call_command("indicateurs", "importer-donnees", str(path), "--en-file")
    # An import is not retried: one run, then the reason.
    assert run_queued_jobs() == 1
    job = Job.objects.get(kind="indicators.import")
    assert (job.state, job.attempts) == ("failed", 1)
    assert "element_inconnu" in job.error and "ligne 3" in job.error, job.error
    assert ImportBatch.objects.count() == batches and not DataValue.objects.filter(year=YEAR).exists()
