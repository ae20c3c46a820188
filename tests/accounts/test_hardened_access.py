"""Hardened access (issue 14, point 4): sessions that end, the admin and the schema not public, refusals logged."""

import logging
import subprocess
import sys
import time

from django.urls import reverse
from rest_framework.test import APIClient

import factories
from api_support import api_client
from cpom.access import Role
from cpom.accounts.sessions import SEEN, STARTED
from quickstart import quickstart_environment

STRONG_KEY = "k3y-" + "aZ9_xQ7-mP2wL5vR8tN4yB6cD1eF0gH3jK-" * 2


def _age_session(client, key: str, seconds: int) -> None:
    session = client.session
    session[key] = int(time.time()) - seconds
    session.save()


def test_an_hour_without_activity_ends_the_session_and_the_login_page_says_why(client_for):
    client = client_for("asso")
    assert "<h1>Mon compte</h1>" in client.get(reverse("accounts:my_account")).content.decode()
    _age_session(client, SEEN, 61 * 60)
    ended = client.get(reverse("accounts:my_account"))
    assert ended.status_code == 302 and ended["Location"] == "/connexion/?next=/mon-compte/"
    login = client.get(ended["Location"]).content.decode()
    assert "Votre session a pris fin après 60 minutes sans activité : reconnectez-vous." in login
    assert client.get(reverse("accounts:my_account"))["Location"].startswith("/connexion/")


def test_activity_keeps_the_session_but_not_beyond_the_working_day(client_for):
    client = client_for("asso")
    client.get(reverse("accounts:my_account"))
    _age_session(client, SEEN, 59 * 60)
    # active enough: still in
    assert "<h1>Mon compte</h1>" in client.get(reverse("accounts:my_account")).content.decode()
    _age_session(client, STARTED, 10 * 3600 + 60)
    ended = client.get(reverse("accounts:my_account"))
    assert ended["Location"].startswith("/connexion/")
    assert "10 heures après la connexion" in client.get(ended["Location"]).content.decode()


def test_an_htmx_fragment_of_an_ended_session_sends_the_whole_page_to_the_login(client_for):
    client = client_for("asso")
    client.get(reverse("accounts:my_account"))
    _age_session(client, SEEN, 2 * 3600)
    ended = client.get(reverse("accounts:my_account"), HTTP_HX_REQUEST="true")
    assert ended["HX-Redirect"] == "/connexion/?next=/mon-compte/"


def test_the_schema_asks_for_an_account_or_a_token(users):
    anonymous = APIClient().get("/api/v1/schema/")
    assert anonymous.status_code == 401 and "Authorization: Token" in anonymous.json()["detail"]
    schema = api_client(users["asso"]).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert schema["components"]["securitySchemes"]["jetonApi"]["name"] == "Authorization"


def _admin_address(tmp_path, **variables) -> str:
    environment = {"CPOM_ENV": "production", "CPOM_SECRET_KEY": STRONG_KEY, "CPOM_ALLOWED_HOSTS": "cpom.example.fr"}
    code = (
        "import django; django.setup()\n"
        "from django.urls import NoReverseMatch, reverse\n"
        "try: print(reverse('admin:index'))\n"
        "except NoReverseMatch: print('aucune')\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", code],
        env=quickstart_environment(tmp_path / "var", **environment, **variables),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    return ran.stdout.strip()


def test_production_serves_the_admin_only_where_it_is_told(tmp_path):
    assert _admin_address(tmp_path) == "aucune"
    assert _admin_address(tmp_path, CPOM_ADMIN_PATH="gestion-plateforme") == "/gestion-plateforme/"


def test_every_refused_access_is_in_the_security_log(client, users, caplog):
    reader = factories.member(users["ars"].membership.authority, role=Role.READ, username="lecture")
    client.force_login(reader)
    with caplog.at_level(logging.WARNING, logger="cpom.security"):
        client.post(reverse("accounts:member_change", args=[users["ars"].membership.pk]), {})
        APIClient().get("/api/v1/contracts/", HTTP_AUTHORIZATION="Token cpom_inconnu")
    logged = [r for r in caplog.records if r.name == "cpom.security"]
    assert len(logged) == 2, [r.getMessage() for r in logged]
    page, api = logged
    assert page.getMessage().startswith("Accès refusé (403) POST /mon-organisation/comptes/")
    assert page.user == "lecture" and page.organisation.startswith("authority:")
    assert api.getMessage() == (
        "Accès refusé (401) GET /api/v1/contracts/ : Jeton d'API inconnu : créez-en un nouveau depuis « Mon compte »."
    )


def test_a_failed_login_is_logged_with_the_identifier_never_the_password(client, db, caplog):
    with caplog.at_level(logging.WARNING, logger="cpom.security"):
        client.post(reverse("login"), {"username": "asso", "password": "Mauvais-Mot-2026"})
    (logged,) = [r for r in caplog.records if r.name == "cpom.security"]
    assert logged.getMessage() == "Connexion refusée pour l'identifiant 'asso' depuis 127.0.0.1"
    assert "Mauvais-Mot-2026" not in logged.getMessage()
