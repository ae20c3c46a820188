"""A live cpom for the browser journeys: a server process of its own, on a database of its own.

The database is built by ``cpom demo`` (as a user's first start builds it): on SQLite the quick start's own build,
made once for the whole run (see ``quickstart``), on PostgreSQL a template database built once per process; it is
copied for each journey. A journey may then sign a contract, which the database freezes for good, without touching the database
the other tests share, and nothing needs unfreezing to clean up: the copy is dropped. The test reads that database
through the ``browser`` connection (``Model.objects.using(server.db)``).
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from quickstart import DATABASE, pristine_demo, start_building
from support import postgres_admin, register_database, unregister_database

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HAS_CHROMIUM = os.path.exists(CHROMIUM)
if not HAS_CHROMIUM and os.environ.get("CPOM_REQUIRE_BROWSER") == "1":
    raise RuntimeError(
        "CPOM_REQUIRE_BROWSER=1 mais Chromium est introuvable (/usr/bin/chromium) : installez le paquet Debian chromium."
    )

# The machine has no outside network: Chromium must not try to reach Google's services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CPOM = str(Path(sys.executable).with_name("cpom"))
ALIAS = "browser"
READING_ALIAS = "browser_reading"


def _needs_the_quick_start_build(item) -> bool:
    return HAS_CHROMIUM and "demo_databases" in getattr(item, "fixturenames", ()) and not _postgres()


def _postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith("postgres")


def pytest_collection_modifyitems(config, items):
    start_building(config, items, _needs_the_quick_start_build)
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if not HAS_CHROMIUM:
                item.add_marker(
                    pytest.mark.skip(
                        reason="Chromium de Debian introuvable (/usr/bin/chromium) : apt-get install chromium"
                    )
                )


class _Databases:
    """The demo built once, then one copy per journey: a file for SQLite, a database from a template for PostgreSQL."""

    def __init__(self, folder: Path, tmp_path_factory):
        self.folder = folder
        self.tmp_path_factory = tmp_path_factory
        self.url = os.environ.get("DATABASE_URL", "")
        self.postgres = _postgres()
        self.numbers = count(1)
        self.template = f"cpom_browser_{os.getpid()}_template" if self.postgres else ""

    def url_of(self, name: str) -> str:
        if self.postgres:
            return urlsplit(self.url)._replace(path=f"/{name}").geturl()
        return f"sqlite:///{name}"

    def build(self) -> None:
        if not self.postgres:
            self.template = str(pristine_demo(self.tmp_path_factory) / DATABASE)
            return
        postgres_admin(f"DROP DATABASE IF EXISTS {self.template}")
        postgres_admin(f"CREATE DATABASE {self.template}")
        # The platform's settings, as the server started on a copy (its passwords hashed as it checks them).
        env = {
            **os.environ,
            "DATABASE_URL": self.url_of(self.template),
            "CPOM_VAR_DIR": str(self.folder / "var"),
            "DJANGO_SETTINGS_MODULE": "cpom.config.settings",
        }
        subprocess.run([CPOM, "demo"], env=env, check=True, capture_output=True)

    def copy(self) -> str:
        number = next(self.numbers)
        if self.postgres:
            name = f"cpom_browser_{os.getpid()}_{number}"
            postgres_admin(f"CREATE DATABASE {name} TEMPLATE {self.template}")
            return name
        name = str(self.folder / f"journey-{number}.sqlite3")
        shutil.copyfile(self.template, name)
        return name

    def drop(self, name: str) -> None:
        if self.postgres:
            postgres_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        else:
            Path(name).unlink(missing_ok=True)


@pytest.fixture(scope="session")
def demo_databases(tmp_path_factory):
    databases = _Databases(tmp_path_factory.mktemp("browser"), tmp_path_factory)
    databases.build()
    yield databases
    if databases.postgres:
        databases.drop(databases.template)


@dataclass(frozen=True)
class Server:
    url: str
    db: str  # the connection alias of the server's database, for the test's own reads
    # Each person's signed-in session on this server (Playwright's storage state), kept by ``journeys.log_in``.
    sessions: dict = field(default_factory=dict, compare=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Le serveur de test s'est arrêté :\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/connexion/", timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"Le serveur de test ne répond pas :\n{log.read_text()[-3000:]}")


@contextmanager
def _working(env: dict, log: Path):
    """``cpom worker`` beside the server, on its database, for the journeys whose pages hand work to the queue."""
    with log.open("w") as output:
        process = subprocess.Popen([CPOM, "worker"], env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield
    finally:
        process.terminate()  # SIGTERM: the worker finishes the job under way, then stops
        process.wait(timeout=30)


@contextmanager
def _serving(demo_databases, django_db_blocker, folder: Path, alias: str, worker: bool = False):
    """A cpom server on a fresh copy of the demo, for the duration of the block; the copy is dropped after. With
    ``worker``, a ``cpom worker`` runs beside it."""
    name = demo_databases.copy()
    database_url = demo_databases.url_of(name)
    port, log = _free_port(), folder / "server.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CPOM_VAR_DIR": str(folder / "var"),
        "CPOM_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "cpom.config.settings",
    }
    with log.open("w") as output:
        # --insecure: the static files (DSFR, htmx) are served without debug, as in the quick start.
        process = subprocess.Popen(
            [CPOM, "runserver", "--noreload", "--insecure", f"127.0.0.1:{port}"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url, process, log)
        register_database(alias, database_url)
        with django_db_blocker.unblock(), _working(env, folder / "worker.log") if worker else nullcontext():
            yield Server(url, alias)
            unregister_database(alias)
    finally:
        process.terminate()
        process.wait(timeout=10)
        demo_databases.drop(name)


@pytest.fixture
def demo_server(demo_databases, django_db_blocker, tmp_path):
    """A cpom server on a fresh copy of the demo, for a journey that writes; its URL, and the alias to read its
    database."""
    with _serving(demo_databases, django_db_blocker, tmp_path, ALIAS) as server:
        yield server


@pytest.fixture
def demo_server_with_worker(demo_databases, django_db_blocker, tmp_path):
    """``demo_server`` with a ``cpom worker`` beside it, as in production: the pages' long work (a review's pack) is
    done by the worker, not faked in the server."""
    with _serving(demo_databases, django_db_blocker, tmp_path, ALIAS, worker=True) as server:
        yield server


@pytest.fixture(scope="module")
def reading_server(demo_databases, django_db_blocker, tmp_path_factory):
    """One cpom server on a copy of the demo for the journeys of a module that only read: starting a server and
    copying the demo for each of them would cost more than the journeys themselves."""
    with _serving(demo_databases, django_db_blocker, tmp_path_factory.mktemp("reading"), READING_ALIAS) as server:
        yield server


class _PolicyViolations:
    """What the browser refused under cpom's Content-Security-Policy during the running test, as Chromium tells it on
    the console of each page (« Applying inline style violates the following Content Security Policy directive… »):
    an inline script or style, an on…= handler, a style set by a script, an eval."""

    def __init__(self):
        self.found: list[str] = []
        self.pages: list = []

    def start(self) -> None:
        self.found, self.pages = [], []

    def watch(self, page) -> None:
        self.pages.append(page)
        page.on("console", self._read)

    def _read(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.found.append(f"{message.page.url if message.page else ''} : {message.text}")

    def collected(self) -> list[str]:
        """What was refused until now: each open page answers a round trip first, which delivers its last messages."""
        from playwright.sync_api import Error

        for page in self.pages:
            try:
                if not page.is_closed():
                    page.evaluate("0")
            except Error:
                pass  # a page gone meanwhile has nothing more to tell
        return self.found


_VIOLATIONS = _PolicyViolations()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A journey during which the browser refused something under the Content-Security-Policy fails, naming it."""
    _VIOLATIONS.start()
    result = yield
    found = _VIOLATIONS.collected()
    if found:
        pytest.fail("Le navigateur a refusé sous la Content-Security-Policy :\n" + "\n".join(found))
    return result


@pytest.fixture
def policy_violations():
    """The collector itself, for the test that checks it hears the browser."""
    return _VIOLATIONS


class _WatchedBrowser:
    """The Playwright browser, whose every new page, and every window a page opens, has its violations collected."""

    def __init__(self, browser):
        self._browser = browser

    def __getattr__(self, name):
        return getattr(self._browser, name)

    def new_page(self, **options):
        page = self._browser.new_page(**options)
        _VIOLATIONS.watch(page)
        page.context.on("page", _VIOLATIONS.watch)
        return page

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.on("page", _VIOLATIONS.watch)
        return context


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield _WatchedBrowser(browser)
        browser.close()
