"""Logs: JSON lines by setting, each request's line with its user and organisation, nothing secret."""

import io
import json
import logging
import os
import subprocess
import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cpom.operations.logs import JsonFormatter, RequestContextFilter, TextFormatter


@pytest.fixture
def log_lines():
    """What the console handler of the settings writes, JSON lines, for the request and operations loggers."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger(name) for name in ("cpom.requests", "cpom.operations")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)

    def read():
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield read
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.mark.django_db
def test_each_request_line_names_the_user_and_the_organisation(client_for, users, log_lines):
    client = client_for("asso")
    assert "Martin" in client.get("/", HTTP_X_REQUEST_ID="abc-123").content.decode()
    [line] = [entry for entry in log_lines() if entry["logger"] == "cpom.requests"]
    body = users["asso"].membership.managing_body
    assert line["user"] == "asso"
    assert line["organisation"] == f"managing_body:{body.pk}"
    assert line["method"] == "GET" and line["path"] == "/" and line["status"] == 200
    assert line["view"] == "home"
    assert line["request_id"] == "abc-123"
    assert line["duration_ms"] >= 0
    assert line["level"] == "INFO" and line["time"].endswith("+00:00")
    assert line["message"].startswith("GET / 200 ")


@pytest.mark.django_db
def test_an_authority_a_platform_member_and_an_anonymous_visitor(client, client_for, users, log_lines):
    client_for("ars").get("/")
    client.logout()
    client_for("admin").get("/")
    client.logout()
    client.get("/connexion/", HTTP_X_REQUEST_ID="pas un identifiant ; DROP")
    ars, admin, anonymous = [e for e in log_lines() if e["logger"] == "cpom.requests"]
    assert ars["organisation"] == f"authority:{users['ars'].membership.authority_id}"
    assert (admin["user"], admin["organisation"]) == ("admin", "platform")
    assert "user" not in anonymous and "organisation" not in anonymous
    assert "request_id" not in anonymous, "a malformed request identifier is not copied into the logs"


@pytest.mark.django_db
def test_a_record_written_during_a_request_carries_its_user(client_for, users, log_lines):
    """The refused metrics page logs a warning in the middle of the request: it knows who asked."""
    client_for("cd44").get(reverse("metrics"), REMOTE_ADDR="203.0.113.9")
    [refusal] = [e for e in log_lines() if e["logger"] == "cpom.operations"]
    assert refusal["level"] == "WARNING"
    assert refusal["message"] == "Accès aux métriques refusé depuis 203.0.113.9."
    assert (refusal["user"], refusal["organisation"]) == ("cd44", f"authority:{users['cd44'].membership.authority_id}")


@pytest.mark.django_db
def test_tokens_in_the_path_and_the_query_string_are_not_logged(client, log_lines):
    client.get("/mot-de-passe-oublie/MQ/cbx1-0123456789abcdef/")
    client.get("/connexion/?next=/contrats/&secret=xyz")
    reset, login = [e for e in log_lines() if e["logger"] == "cpom.requests"]
    assert "0123456789abcdef" not in json.dumps(reset) and reset["path"] == "/mot-de-passe-oublie/…/…/"
    assert login["path"] == "/connexion/" and "xyz" not in json.dumps(login)


@pytest.mark.django_db
def test_the_request_line_costs_no_query_when_request_logging_is_off(client_for, settings):
    """Off by default outside production: the pages' query counts (tests, bench) are the same with the middleware."""
    assert not logging.getLogger("cpom.requests").isEnabledFor(logging.INFO)
    client = client_for("ehpad")

    def queries_of_the_home_page() -> int:
        client.get("/")  # warm what a first visit loads once
        with CaptureQueriesContext(connection) as queries:
            assert "Lefèvre" in client.get("/").content.decode()
        return len(queries)

    with_middleware = queries_of_the_home_page()
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "cpom.operations.logs.RequestLogMiddleware"]
    assert queries_of_the_home_page() == with_middleware


@pytest.mark.pure
def test_text_lines_end_with_the_user_and_organisation_before_a_traceback():
    record = logging.LogRecord("cpom.x", logging.ERROR, __file__, 1, "échec", None, None)
    record.user, record.organisation, record.request_id = "asso", "managing_body:4", ""
    try:
        raise ValueError("boom")
    except ValueError:
        record.exc_info = sys.exc_info()
    text = TextFormatter().format(record)
    first, *rest = text.splitlines()
    assert first.endswith("ERROR cpom.x échec [utilisateur=asso organisation=managing_body:4]")
    assert rest[-1] == "ValueError: boom"


def _settings_process(code: str, **env):
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "cpom.config.settings", **env}
    return subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=120)


def test_the_settings_write_json_lines_when_asked():
    done = _settings_process(
        "import django, logging; django.setup(); logging.getLogger('cpom.essai').warning('Échéance dépassée')",
        CPOM_LOG_FORMAT="json",
    )
    [line] = [json.loads(text) for text in done.stderr.splitlines()]
    assert line["message"] == "Échéance dépassée" and line["level"] == "WARNING" and line["logger"] == "cpom.essai"


def test_the_settings_write_plain_text_by_default():
    environment = {k: v for k, v in os.environ.items() if k != "CPOM_LOG_FORMAT"}
    done = subprocess.run(
        [sys.executable, "-c", "import django, logging; django.setup(); logging.getLogger('cpom.essai').warning('ok')"],
        env={**environment, "DJANGO_SETTINGS_MODULE": "cpom.config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stderr.strip().endswith("WARNING cpom.essai ok")


def test_an_unknown_log_format_is_refused_in_french():
    done = _settings_process("import django; django.setup()", CPOM_LOG_FORMAT="xml")
    assert done.returncode != 0
    assert "CPOM_LOG_FORMAT vaut « text » (par défaut) ou « json » ; trouvé « xml »." in done.stderr
