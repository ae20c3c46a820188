"""The health endpoint the reverse proxy asks: the database and the queue, in French, without login."""

import json
import socket
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

REDIS = ("127.0.0.1", 6379)


def _answer(client):
    response = client.get(reverse("health"))
    return response.status_code, json.loads(response.content.decode())


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.django_db
def test_healthy_with_the_database_queue_says_all_is_well(client, settings):
    settings.CPOM_REDIS_URL = ""
    status, body = _answer(client)
    assert status == 200
    assert body == {
        "etat": "disponible",
        "message": "Tout fonctionne.",
        "verifications": {"base de données": "ok", "file d'attente": "ok"},
    }


@pytest.mark.django_db
def test_a_database_queue_whose_table_is_gone_answers_503_naming_the_queue(client, settings):
    from django_tasks_db.models import DBTaskResult

    settings.CPOM_REDIS_URL = ""
    with mock.patch.object(DBTaskResult.objects, "exists", side_effect=OperationalError("no such table")):
        status, body = _answer(client)
    assert status == 503
    assert body["message"] == "En panne : file d'attente." and "no such table" not in json.dumps(body)


@pytest.mark.django_db
def test_needs_no_login_and_is_never_cached(client, settings):
    settings.CPOM_REDIS_URL = ""
    response = client.get("/sante/")
    assert response.status_code == 200, "the reverse proxy has no account: no redirect to the login page"
    assert response["Content-Type"].startswith("application/json")
    assert "no-cache" in response["Cache-Control"]
    assert client.post("/sante/").status_code == 405, "a health check only reads"


@pytest.mark.django_db
def test_a_broken_database_answers_503_naming_it_and_nothing_of_why(client, settings, caplog):
    settings.CPOM_REDIS_URL = ""
    secret = "could not connect to server at db.internal:5432 as cpom_owner"
    with mock.patch.object(connection, "cursor", side_effect=OperationalError(secret)):
        status, body = _answer(client)
    assert status == 503
    assert body["etat"] == "indisponible"
    # The queue is the database's own table: it goes down with it.
    assert body["message"] == "En panne : base de données, file d'attente."
    assert body["verifications"]["base de données"] == "en panne"
    assert secret not in json.dumps(body) and "db.internal" not in json.dumps(body)
    assert any("base de données ne répond pas" in r.getMessage() for r in caplog.records), "the why is in the logs"


@pytest.mark.django_db
def test_a_queue_on_a_closed_port_answers_503_naming_the_queue(client, settings):
    port = _closed_port()
    settings.CPOM_REDIS_URL = f"redis://:motdepasse@127.0.0.1:{port}/0"
    status, body = _answer(client)
    assert status == 503
    assert body["message"] == "En panne : file d'attente."
    assert body["verifications"] == {"base de données": "ok", "file d'attente": "en panne"}
    assert "motdepasse" not in json.dumps(body) and str(port) not in json.dumps(body)


@pytest.mark.django_db
def test_both_failing_are_both_named(client, settings):
    settings.CPOM_REDIS_URL = f"redis://127.0.0.1:{_closed_port()}"
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("down")):
        status, body = _answer(client)
    assert status == 503
    assert body["message"] == "En panne : base de données, file d'attente."


@pytest.mark.django_db
def test_an_unreadable_queue_address_is_a_failing_queue(client, settings):
    settings.CPOM_REDIS_URL = "http://127.0.0.1:6379"
    status, body = _answer(client)
    assert status == 503 and body["verifications"]["file d'attente"] == "en panne"


@pytest.mark.django_db
@pytest.mark.skipif(not _redis_reachable(), reason="no Redis on 127.0.0.1:6379 on this machine")
def test_a_reachable_redis_is_a_healthy_queue(client, settings):
    settings.CPOM_REDIS_URL = "redis://127.0.0.1:6379/0"
    status, body = _answer(client)
    assert status == 200
    assert body["verifications"] == {"base de données": "ok", "file d'attente": "ok"}


@pytest.mark.django_db
def test_a_server_that_does_not_answer_pong_is_a_failing_queue(client, settings):
    """Something listens on the port but is not Redis (or hangs): the check gives up within its timeout."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        settings.CPOM_REDIS_URL = f"redis://127.0.0.1:{server.getsockname()[1]}"
        settings.CPOM_HEALTH_TIMEOUT = 0.2
        status, body = _answer(client)
    assert status == 503 and body["verifications"]["file d'attente"] == "en panne"
