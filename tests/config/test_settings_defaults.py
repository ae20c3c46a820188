"""Safe defaults: no debug page for the quick start, French error pages, production refusing weak settings,
data kept where the checkout is and readable by the platform's account only.

Production settings are read by a fresh Python process with the environment set, as a server would start.
"""

import stat
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.views.defaults import server_error

from conftest import quickstart_environment
from cpom.finance.accounting import services as imports

CHECKOUT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k3y-" + "aZ9_xQ7-mP2wL5vR8tN4yB6cD1eF0gH3jK-" * 2


def _settings_in_fresh_process(tmp_path, **environment) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.VAR_DIR); print(settings.DEBUG)"],
        env=quickstart_environment(tmp_path / "var", DJANGO_SETTINGS_MODULE="cpom.config.settings", **environment),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _production(tmp_path, **environment) -> subprocess.CompletedProcess:
    defaults = {"CPOM_ENV": "production", "CPOM_SECRET_KEY": STRONG_KEY, "CPOM_ALLOWED_HOSTS": "cpom.example.fr"}
    return _settings_in_fresh_process(tmp_path, **(defaults | environment))


def test_production_starts_with_a_strong_key_and_named_hosts_and_without_debug(tmp_path):
    started = _production(tmp_path)
    assert started.returncode == 0, started.stderr
    assert started.stdout.splitlines()[1] == "False"


@pytest.mark.parametrize(
    "key",
    [
        "dev-only-not-secret-cpom",
        "court-mais-pas-vide",
        "django-insecure-" + "x1y2z3w4v5" * 5,
        "ab" * 30,
    ],
)
def test_production_refuses_a_weak_secret_key(tmp_path, key):
    refused = _production(tmp_path, CPOM_SECRET_KEY=key)
    assert refused.returncode != 0
    assert (
        "ImproperlyConfigured: CPOM_SECRET_KEY est trop faible pour la production : il faut 50 caractères au moins"
        in refused.stderr
    )


@pytest.mark.parametrize("hosts", ["*", "cpom.example.fr,*", "*.example.fr", "cpom.example.fr,"])
def test_production_refuses_a_wildcard_or_empty_host(tmp_path, hosts):
    refused = _production(tmp_path, CPOM_ALLOWED_HOSTS=hosts)
    assert refused.returncode != 0
    assert f"« * » ou une entrée vide est refusé ; trouvé « {hosts} »" in refused.stderr


def test_production_still_names_a_missing_variable(tmp_path):
    refused = _production(tmp_path, CPOM_SECRET_KEY="")
    assert "ImproperlyConfigured: Variable d'environnement manquante en production : CPOM_SECRET_KEY" in refused.stderr


def test_debug_is_off_unless_asked_for(tmp_path):
    assert _settings_in_fresh_process(tmp_path).stdout.splitlines()[1] == "False"
    assert _settings_in_fresh_process(tmp_path, CPOM_DEBUG="1").stdout.splitlines()[1] == "True"


def test_password_mails_go_to_the_console_unless_an_smtp_server_is_given(tmp_path):
    script = "from django.conf import settings; print(settings.EMAIL_BACKEND, getattr(settings, 'EMAIL_HOST', ''))"

    def backend(**environment):
        environment = quickstart_environment(
            tmp_path / "var", DJANGO_SETTINGS_MODULE="cpom.config.settings", **environment
        )
        return subprocess.run(
            [sys.executable, "-c", script], env=environment, capture_output=True, text=True, timeout=60
        ).stdout.split()

    assert backend() == ["django.core.mail.backends.console.EmailBackend", "localhost"]
    assert backend(CPOM_EMAIL_HOST="smtp.ars.example") == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.ars.example",
    ]


def test_the_var_folder_is_the_checkout_s_whatever_the_current_folder(tmp_path):
    environment = quickstart_environment(tmp_path, DJANGO_SETTINGS_MODULE="cpom.config.settings")
    del environment["CPOM_VAR_DIR"]
    started = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.VAR_DIR)"],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.stdout.strip() == str(CHECKOUT / "var")


def test_the_quick_start_answers_a_missing_page_in_french_without_the_url_map(demo_server):
    try:
        urllib.request.urlopen(f"{demo_server.url}/connexion/nulle-part/", timeout=30)
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read().decode()
    assert status == 404
    assert "<h1>Page introuvable</h1>" in body and "fr-header" in body
    assert "URLconf" not in body and "DEBUG = True" not in body


def test_the_quick_start_serves_its_static_files_without_debug(demo_server):
    with urllib.request.urlopen(f"{demo_server.url}/static/cpom/cpom.css", timeout=30) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/css")
    with urllib.request.urlopen(f"{demo_server.url}/static/dsfr/dist/dsfr/dsfr.min.css", timeout=30) as response:
        assert response.status == 200


def test_the_500_page_is_french_and_needs_neither_request_context_nor_database(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Erreur inattendue</h1>" in body and "rien n'a été écrit à moitié" in body
    assert "fr-header" in body and "dsfr.min.css" in body


def test_an_oversized_form_is_refused_with_the_french_400_page(client):
    client.raise_request_exception = False
    response = client.post("/connexion/", {"username": "asso", "password": "x" * 3_000_000})
    assert response.status_code == 400
    assert "<h1>Demande refusée</h1>" in response.content.decode()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_quick_start_database_and_folders_are_not_world_readable(demo_var):
    assert _mode(demo_var / "cpom.sqlite3") & 0o007 == 0


def test_uploaded_and_pending_files_are_not_world_readable(settings, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage

    storage = FileSystemStorage(location=tmp_path / "media")
    stored = Path(storage.path(storage.save("pieces/rapport.pdf", ContentFile(b"%PDF-1.4"))))
    assert _mode(stored) == 0o640 and _mode(stored.parent) == 0o750
    settings.VAR_DIR = tmp_path / "var"
    token = imports.keep_pending(SimpleUploadedFile("ecritures.txt", b"JournalCode|..."))
    pending = tmp_path / "var" / "imports" / token
    assert _mode(pending) & 0o007 == 0 and _mode(pending.parent) & 0o007 == 0


def test_production_settings_pass_check_deploy_without_a_warning(tmp_path):
    environment = {"CPOM_ENV": "production", "CPOM_SECRET_KEY": STRONG_KEY, "CPOM_ALLOWED_HOSTS": "cpom.example.fr"}
    checked = subprocess.run(
        [sys.executable, "-m", "cpom.config.manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=quickstart_environment(tmp_path / "var", DJANGO_SETTINGS_MODULE="cpom.config.settings", **environment),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "no issues" in checked.stdout


def test_production_can_leave_the_https_redirect_to_the_proxy_and_check_deploy_says_so(tmp_path):
    environment = {"CPOM_ENV": "production", "CPOM_SECRET_KEY": STRONG_KEY, "CPOM_ALLOWED_HOSTS": "cpom.example.fr"}
    checked = subprocess.run(
        [sys.executable, "-m", "cpom.config.manage", "check", "--deploy"],
        env=quickstart_environment(
            tmp_path / "var", DJANGO_SETTINGS_MODULE="cpom.config.settings", CPOM_SSL_REDIRECT="0", **environment
        ),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "security.W008" in checked.stdout + checked.stderr


def test_every_answer_refuses_the_browser_features_no_page_uses(client):
    for url in ["/connexion/", "/sante/", "/api/v1/contracts/"]:
        policy = client.get(url).headers["Permissions-Policy"]
        assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy, url


@pytest.mark.parametrize(
    "environment, message",
    [
        ({"CPOM_QUEUE": "celery"}, "CPOM_QUEUE vaut « database » (par défaut) ou « redis » ; trouvé « celery »."),
        ({"CPOM_QUEUE": "redis"}, "CPOM_QUEUE=redis demande l'adresse du serveur Redis dans CPOM_REDIS_URL."),
    ],
)
def test_a_queue_setting_that_cannot_work_is_refused_in_french(tmp_path, environment, message):
    refused = _settings_in_fresh_process(tmp_path, **environment)
    assert refused.returncode != 0 and message in refused.stderr


def _policy_in_fresh_process(tmp_path, **environment) -> list[str]:
    """The directives of the Content-Security-Policy header the settings of a fresh process would send, as django-csp
    builds it (in no stable order: sorted here)."""
    script = (
        "from django.conf import settings; from csp.utils import build_policy; "
        "assert 'csp.middleware.CSPMiddleware' in settings.MIDDLEWARE; print(build_policy())"
    )
    started = subprocess.run(
        [sys.executable, "-c", script],
        env=quickstart_environment(tmp_path / "var", DJANGO_SETTINGS_MODULE="cpom.config.settings", **environment),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 0, started.stderr
    return sorted(started.stdout.strip().split("; "))


def test_production_sends_the_strict_policy_and_its_report_address_when_given(tmp_path):
    production = {"CPOM_ENV": "production", "CPOM_SECRET_KEY": STRONG_KEY, "CPOM_ALLOWED_HOSTS": "cpom.example.fr"}
    policy = _policy_in_fresh_process(tmp_path, **production)
    assert {"script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"} <= set(policy)
    assert not any("unsafe" in directive or "report-uri" in directive for directive in policy)
    reported = _policy_in_fresh_process(tmp_path, CPOM_CSP_REPORT_URI="https://csp.ars.example/rapports", **production)
    assert set(reported) - set(policy) == {"report-uri https://csp.ars.example/rapports"}
    assert _policy_in_fresh_process(tmp_path) == policy


@pytest.mark.parametrize(
    "address", ["csp.ars.example", "https://csp.ars.example/; script-src *", "https://a.example/ https://b.example/"]
)
def test_a_report_address_that_would_write_other_directives_is_refused_in_french(tmp_path, address):
    refused = _production(tmp_path, CPOM_CSP_REPORT_URI=address)
    assert refused.returncode != 0
    assert "CPOM_CSP_REPORT_URI doit être une adresse https:// ou http://" in refused.stderr
    assert f"trouvé « {address} »" in refused.stderr
