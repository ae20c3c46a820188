"""What the browser journeys share: signing in, ticking a DSFR checkbox as a person does, and preparing the server's
database with a script."""

import os
import subprocess
import sys
from pathlib import Path

from django.db import connections

from cpom.demo.loader import DEMO_PASSWORD

TESTS = Path(__file__).resolve().parents[1]


def _database_url(alias: str) -> str:
    settings = connections.settings[alias]
    if settings["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings['NAME']}"
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT'] or 5432}/{settings['NAME']}"


def prepare(server, tmp_path, script: str) -> str:
    """Runs ``script`` (Python, with tests/ on the path) against the server's database, as the server would write it
    (a process of its own: the server reads what it commits); returns what the script printed."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(server.db),
        "CPOM_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "cpom.config.settings",
        "PYTHONPATH": os.pathsep.join([str(TESTS), *sys.path]),
    }
    return subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True).stdout


def log_in(browser, server, username, locale=None):
    """A new page of ``username``'s, on the home page, signed in.

    The first time on a server, through the sign-in form; the next times, in the session that sign-in opened, as a
    person's browser keeps its cookie (each sign-in costs a hash of the platform's password hasher on the server).
    """
    options = {"locale": locale} if locale else {}
    kept = server.sessions.get((username, locale))
    if kept is not None:
        page = browser.new_page(storage_state=kept, **options)
        page.goto(f"{server.url}/")
        return page
    page = browser.new_page(**options)
    page.goto(f"{server.url}/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{server.url}/")
    server.sessions[(username, locale)] = page.context.storage_state()
    return page


def tick(page, label):
    """DSFR draws its own checkboxes: a person clicks the label, and so does the test."""
    page.locator("label.fr-label", has_text=label).click()
    assert page.get_by_label(label).is_checked()
