"""A worker killed in the middle of a job (SIGKILL: no chance to clean up) leaves no partial data, and running the
job again completes: a real ``cpom worker`` process during the national recompute of the indicators, held in the
middle of its writing transaction, on a copy of the demo's SQLite file, or on a PostgreSQL database of the demo when
the suite runs on PostgreSQL."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from quickstart import CPOM, DATABASE, copy_of_demo, quickstart_environment
from support import postgres_admin

HELD_WORKER = Path(__file__).with_name("held_worker.py")


@pytest.fixture
def demo_base(tmp_path_factory, tmp_path):
    """The environment of a cpom on a demo database of its own, and a function reading one row of it."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        var = copy_of_demo(tmp_path_factory, tmp_path / "var")

        def read_file(sql):
            with closing(sqlite3.connect(var / DATABASE)) as connection:
                return connection.execute(sql).fetchone()

        yield quickstart_environment(var), read_file
        return
    var = tmp_path / "var"
    name = f"cpom_jobs_killed_{os.getpid()}"
    postgres_admin(f"DROP DATABASE IF EXISTS {name}")
    postgres_admin(f"CREATE DATABASE {name}")
    own = urlsplit(url)._replace(path=f"/{name}").geturl()
    env = quickstart_environment(var, DATABASE_URL=own)
    subprocess.run([CPOM, "demo"], env=env, check=True, capture_output=True, timeout=600)

    def read(sql):
        with psycopg.connect(own) as connection:
            return connection.execute(sql).fetchone()

    try:
        yield env, read
    finally:
        postgres_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _figures(read) -> tuple:
    """How many indicator values the database holds, and when the latest was computed."""
    return read("SELECT COUNT(*), MAX(computed_at) FROM indicators_indicatorvalue")


def _job(read) -> tuple[str, int, str, int | None]:
    state, attempts, step, data = read("SELECT state, attempts, step, result_data FROM jobs_job ORDER BY id DESC")
    data = json.loads(data) if isinstance(data, str) else data
    return state, attempts, step, (data or {}).get("values")


def _wait_for(path: Path, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 240
    while not path.exists():
        if process.poll() is not None:
            raise AssertionError(f"Le worker s'est arrêté avant l'enregistrement :\n{log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"Le calcul n'a pas atteint l'enregistrement :\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


def test_a_worker_killed_during_the_national_recompute_leaves_the_figures_whole_and_the_job_completes_again(
    demo_base, tmp_path
):
    env, database = demo_base
    # A worker is taken as lost as soon as it is not heard from: the second one takes its job back at once.
    env = {**env, "CPOM_JOBS_STALE_SECONDS": "0"}
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
