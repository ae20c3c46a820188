"""A worker killed in the middle of a job (SIGKILL: no chance to clean up) leaves no partial data, and running the
job again completes: a real ``cpom worker`` process on a copy of the demo's database, during the national recompute
of the indicators, held in the middle of its writing transaction."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from quickstart import CPOM, DATABASE, copy_of_demo, quickstart_environment

HELD_WORKER = Path(__file__).with_name("held_worker.py")


def _figures(database: Path) -> tuple[int, str]:
    """How many indicator values the database holds, and when the latest was computed."""
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT COUNT(*), MAX(computed_at) FROM indicators_indicatorvalue").fetchone()


def _job(database: Path) -> tuple[str, int, str, int | None]:
    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT state, attempts, step, json_extract(result_data, '$.values') FROM jobs_job ORDER BY id DESC"
        ).fetchone()


def _wait_for(path: Path, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 240
    while not path.exists():
        if process.poll() is not None:
            raise AssertionError(f"Le worker s'est arrêté avant l'enregistrement :\n{log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"Le calcul n'a pas atteint l'enregistrement :\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


def test_a_worker_killed_during_the_national_recompute_leaves_the_figures_whole_and_the_job_completes_again(
    tmp_path_factory, tmp_path
):
    var = copy_of_demo(tmp_path_factory, tmp_path / "var")
    # A worker is taken as lost as soon as it is not heard from: the second one takes its job back at once.
    env = quickstart_environment(var, CPOM_JOBS_STALE_SECONDS="0")
    database = var / DATABASE
    before = _figures(database)
    assert before[0] > 1000

    asked = subprocess.run([CPOM, "indicateurs", "calculer", "--en-file"], env=env, capture_output=True, text=True)
    assert "Calcul confié à la file d'attente : travail n° " in asked.stdout, asked.stderr

    marker, log = tmp_path / "held", tmp_path / "worker.log"
    with log.open("w") as output:
        worker = subprocess.Popen(
            [sys.executable, str(HELD_WORKER), str(marker)], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        _wait_for(marker, worker, log)
        assert _job(database)[0] == "running"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    # Nothing half written: the values are those of before, every one of them.
    assert _figures(database) == before
    assert _job(database)[0] == "running"  # as the killed worker left it

    again = subprocess.run([CPOM, "worker", "--lot"], env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "interrompu : en attente" in again.stdout
    state, attempts, step, values = _job(database)
    assert (state, attempts) == ("done", 2)
    assert "valeurs pour" in step and "références de comparaison" in step
    # Every year recomputed (the demo computed only its own years): all the values the job reports, newly computed.
    count, computed_at = _figures(database)
    assert count == values >= before[0] and computed_at > before[1]


def test_the_worker_stops_cleanly_on_sigterm(tmp_path_factory, tmp_path):
    var = copy_of_demo(tmp_path_factory, tmp_path / "var")
    log = tmp_path / "worker.log"
    with log.open("w") as output:
        worker = subprocess.Popen(
            [CPOM, "worker"], env=quickstart_environment(var), stdout=output, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        while "En attente de travaux (file : base de données)" not in log.read_text():
            assert worker.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
    assert "Arrêt du traitement des travaux." in log.read_text()
