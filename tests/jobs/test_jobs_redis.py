"""The production queue: Redis through RQ (CPOM_QUEUE=redis), against the machine's Redis (127.0.0.1:6379). A real
``cpom worker`` process on a copy of the demo runs the nightly alerts handed to the queue by the timer's command.

Without Redis the test is skipped, except where CPOM_REQUIRE_REDIS=1 (CI sets it): there, a missing Redis fails."""

import os
import socket
import sqlite3
import subprocess

import pytest

from quickstart import CPOM, DATABASE, copy_of_demo, quickstart_environment

# A database of its own on the machine's Redis: nothing another program keeps there is read or emptied.
REDIS_URL = "redis://127.0.0.1:6379/13"


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"*1\r\n$4\r\nPING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


if not _redis_answers():
    if os.environ.get("CPOM_REQUIRE_REDIS") == "1":
        raise RuntimeError("CPOM_REQUIRE_REDIS=1 mais Redis ne répond pas sur 127.0.0.1:6379 : démarrez redis-server.")
    pytest.skip("Redis ne répond pas sur 127.0.0.1:6379 (apt-get install redis-server)", allow_module_level=True)


def _flush() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def test_a_job_goes_through_redis_and_a_real_worker_runs_it(tmp_path_factory, tmp_path):
    _flush()
    var = copy_of_demo(tmp_path_factory, tmp_path / "var")
    env = quickstart_environment(var, CPOM_QUEUE="redis", CPOM_REDIS_URL=REDIS_URL)
    try:
        asked = subprocess.run([CPOM, "suivi", "alertes", "--en-file"], env=env, capture_output=True, text=True)
        assert "Calcul des alertes confié à la file d'attente : travail n° " in asked.stdout, asked.stderr
        import redis

        assert redis.Redis.from_url(REDIS_URL).llen("rq:queue:default") == 1, "the job waits in Redis"
        worked = subprocess.run([CPOM, "worker", "--lot"], env=env, capture_output=True, text=True, timeout=300)
        assert worked.returncode == 0, worked.stdout + worked.stderr
        assert "En attente de travaux (file : Redis)" in worked.stdout
        with sqlite3.connect(var / DATABASE) as connection:
            state, step, task_id = connection.execute(
                "SELECT state, step, task_id FROM jobs_job WHERE kind = 'alerts.nightly'"
            ).fetchone()
        assert state == "done" and "en vigueur examiné" in step and "nouvelles alertes" in step, step
        assert task_id, "the job knows its id in Redis"
    finally:
        _flush()
