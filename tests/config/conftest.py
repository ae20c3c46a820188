"""The quick start as a person runs it: ``cpom demo`` into a var folder of its own, then a real server on it.

These tests need what the shared in-memory test database cannot give: a SQLite file on disk that several
connections lock for real, and the settings module read by a fresh process. The var folder is a copy of the one
``cpom demo`` builds once for the whole run (see ``quickstart``), whatever database the rest of the suite runs on.
"""

import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest

from quickstart import copy_of_demo, quickstart_environment, start_building

CPOM = Path(sys.executable).with_name("cpom")
PASSWORD = "cpom-demo-2026"


def pytest_collection_modifyitems(config, items):
    start_building(config, items, lambda item: "demo_var" in getattr(item, "fixturenames", ()))


@pytest.fixture(scope="session")
def demo_var(tmp_path_factory) -> Path:
    """The quick start's var folder, copied once for the session: the concurrent writes add rows that the other
    tests never read."""
    return copy_of_demo(tmp_path_factory, tmp_path_factory.mktemp("var"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, var_dir: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = var_dir / f"server-{self.port}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [str(CPOM), "runserver", f"127.0.0.1:{self.port}", "--noreload"],
                env=quickstart_environment(var_dir),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/connexion/", timeout=5)
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the server did not start: {self.log.read_text()}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


@pytest.fixture(scope="module")
def demo_server(demo_var):
    server = Server(demo_var)
    yield server
    server.stop()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class _Inputs(HTMLParser):
    """The named inputs, selects and textareas of a page, with the values they hold."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "checkbox", "radio", "file"):
            self.values.setdefault(name, attrs.get("value") or "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and ("selected" in attrs or self._select not in self.values):
            self.values[self._select] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


class Browser:
    """One person's session over real HTTP: cookies, the CSRF token, no redirect followed."""

    def __init__(self, server: Server, username: str):
        self.server = server
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect)
        self.get("/connexion/")
        status, _ = self.post("/connexion/", {"username": username, "password": PASSWORD})
        assert status == 302, f"{username} could not log in"

    def _csrf(self) -> str:
        return next(c.value for c in self.cookies if c.name == "csrftoken")

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = None if data is None else urlencode({**data, "csrfmiddlewaretoken": self._csrf()}).encode()
        try:
            with self.opener.open(self.server.url + path, body, timeout=120) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def get(self, path: str) -> str:
        status, body = self.request(path)
        assert status == 200, f"GET {path}: {status}"
        return body

    def post(self, path: str, data: dict) -> tuple[int, str]:
        return self.request(path, data)

    def form_values(self, path: str) -> dict[str, str]:
        parser = _Inputs()
        parser.feed(self.get(path))
        return parser.values


def version_in(body: str) -> str:
    return re.search(r'name="version" value="(\d+)"', body).group(1)
