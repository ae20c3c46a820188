"""The deployment example (docs/deploy/) and the README's « Production » part say only what exists: every ``cpom``
command they name is a command (and its action, for those that have actions), every variable they set is one the
settings read, and the reverse proxy lets through the largest file cpom accepts."""

import argparse
import re
import shlex
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands, load_command_class
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "docs" / "deploy"
SETTINGS_SOURCE = ROOT / "src" / "cpom" / "config" / "settings.py"
README = ROOT / "README.md"
UNITS = sorted(DEPLOY.glob("*.service"))
TIMERS = sorted(DEPLOY.glob("*.timer"))
NGINX = DEPLOY / "nginx-cpom.conf"
ENV_FILE = DEPLOY / "cpom.env.example"
# What reads a variable in the settings: os.environ.get("X"…), os.environ["X"], _required("X").
READ = re.compile(r"""(?:os\.environ(?:\.get)?\s*[(\[]|_required\()\s*["']([A-Z][A-Z0-9_]*)["']""")
# A cpom command in a code span or a shell line: `cpom sauvegarde`, .venv/bin/cpom suivi alertes.
NAMED = re.compile(r"(?:^|[\s`(]|bin/)cpom ([a-z][\w-]*)(?: ([a-z][\w-]*))?")


@cache
def variables_read() -> frozenset[str]:
    return frozenset(READ.findall(SETTINGS_SOURCE.read_text()))


def _actions(name: str) -> set[str] | None:
    """A command's actions (``cpom suivi alertes``), or None for a command without any."""
    parser = load_command_class(get_commands()[name], name).create_parser("cpom", name)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return None


def unknown_commands(text: str) -> list[str]:
    """The ``cpom …`` commands ``text`` names that Django does not know (or whose action it does not know)."""
    commands = get_commands()
    unknown = []
    for match in NAMED.finditer(text):
        name, action = match.groups()
        before = text[: match.start() + 1].split()
        if before and before[-1].startswith("-"):  # an option's value: sudo -u cpom, createdb --owner cpom
            continue
        if name not in commands:
            unknown.append(f"cpom {name}")
            continue
        actions = _actions(name)
        if actions is not None and action and action not in actions:
            unknown.append(f"cpom {name} {action}")
    return unknown


def _unit_lines(path: Path, key: str) -> list[str]:
    return [line.split("=", 1)[1].strip() for line in path.read_text().splitlines() if line.startswith(f"{key}=")]


def _code(markdown: str) -> str:
    """The code of a Markdown text: its fenced blocks and its `spans`, where commands are written."""
    blocks = re.findall(r"```[a-z]*\n(.*?)```", markdown, flags=re.S)
    spans = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", markdown, flags=re.S))
    return "\n".join(blocks + [f"`{span}`" for span in spans])


def _configuration(text: str) -> str:
    """What a configuration file runs: its lines but the comments, and the `spans` of its comments."""
    lines = text.splitlines()
    code = [line for line in lines if not line.lstrip().startswith("#")]
    spans = [f"`{span}`" for line in lines if line.lstrip().startswith("#") for span in re.findall(r"`([^`]+)`", line)]
    return "\n".join(code + spans)


def production_part() -> str:
    text = README.read_text()
    start = text.index("\n## Production\n")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def test_the_example_has_the_web_server_the_timers_and_the_proxy():
    names = {path.name for path in UNITS + TIMERS}
    assert {
        "cpom-web.service",
        "cpom-worker.service",
        "cpom-sauvegarde.timer",
        "cpom-alertes.timer",
        "cpom-notify.timer",
    } <= names
    assert NGINX.is_file() and ENV_FILE.is_file()


@pytest.mark.parametrize("timer", TIMERS, ids=lambda p: p.name)
def test_each_timer_starts_a_unit_of_the_example(timer):
    assert (DEPLOY / timer.name.replace(".timer", ".service")).is_file()
    assert _unit_lines(timer, "OnCalendar"), f"{timer.name} says when it runs"


@pytest.mark.django_db
@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_every_command_a_unit_starts_exists(unit):
    starts = _unit_lines(unit, "ExecStart") + _unit_lines(unit, "ExecStartPre")
    assert starts, f"{unit.name} starts something"
    for line in starts:
        argv = shlex.split(line)
        if argv[0].endswith("/gunicorn"):
            module, _, attribute = argv[1].partition(":")
            wsgi = __import__(module, fromlist=[attribute])
            assert callable(getattr(wsgi, attribute)), f"{unit.name}: {argv[1]} is not the WSGI application"
            continue
        assert argv[0].endswith("/cpom"), f"{unit.name} starts {argv[0]}"
        assert unknown_commands(f" cpom {' '.join(argv[1:])}") == [], f"{unit.name}: {line}"
        # Its options too (« --en-file »): the command's own parser reads them, or says in French what is wrong.
        load_command_class(get_commands()[argv[1]], argv[1]).create_parser("cpom", argv[1]).parse_args(argv[2:])
        assert _unit_lines(unit, "EnvironmentFile") == ["/etc/cpom/cpom.env"], "every unit reads the same settings"


def test_every_command_of_the_example_files_and_the_readme_exists():
    texts = {path.name: _configuration(path.read_text()) for path in sorted(DEPLOY.iterdir())}
    texts["README.md « Production »"] = _code(production_part())
    for name, text in texts.items():
        assert unknown_commands(text) == [], name
    assert "cpom suivi alertes" in texts["cpom-alertes.service"]
    assert "cpom worker" in texts["cpom-worker.service"]


def test_a_misspelt_command_or_action_is_caught():
    """The check itself: what it would say of a unit with a typo."""
    assert unknown_commands("ExecStart=/srv/cpom/.venv/bin/cpom sauvgarde") == ["cpom sauvgarde"]
    assert unknown_commands("`cpom suivi alerte`") == ["cpom suivi alerte"]
    assert unknown_commands("`cpom restauration /sauvegardes/a.tar.gz` and `cpom migrate`") == []
    assert unknown_commands("sudo -u cpom git pull && createdb --owner cpom cpom") == [], "an account, no command"


def _variables_set() -> dict[str, set[str]]:
    found = {}
    for unit in UNITS:
        for line in _unit_lines(unit, "Environment"):
            for assignment in shlex.split(line):
                found.setdefault(assignment.split("=", 1)[0], set()).add(unit.name)
    for line in ENV_FILE.read_text().splitlines():
        match = re.match(r"^#?([A-Z][A-Z0-9_]*)=", line)
        if match:
            found.setdefault(match.group(1), set()).add(ENV_FILE.name)
    return found


def test_every_variable_the_example_sets_is_one_the_settings_read():
    found = _variables_set()
    assert {"CPOM_ENV", "CPOM_SECRET_KEY", "CPOM_ALLOWED_HOSTS", "DATABASE_URL", "CPOM_PROXY_COUNT"} <= set(found)
    assert {name: files for name, files in found.items() if name not in variables_read()} == {}


def test_the_settings_reading_is_seen_by_the_check():
    assert {
        "CPOM_ENV",
        "CPOM_SECRET_KEY",
        "DATABASE_URL",
        "CPOM_LOG_FORMAT",
        "CPOM_METRICS_ALLOWED",
    } <= variables_read()


def test_the_readme_names_every_variable_the_settings_read():
    part = production_part()
    assert sorted(name for name in variables_read() if name not in part) == []


def _nginx_size(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit.lower()]


def test_the_proxy_lets_through_the_largest_upload_cpom_accepts_and_not_much_more():
    [limit] = re.findall(r"client_max_body_size\s+(\w+);", NGINX.read_text())
    bound = settings.CPOM_MAX_UPLOAD_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert bound <= _nginx_size(limit) <= 2 * settings.CPOM_MAX_UPLOAD_BYTES


def test_the_proxy_reaches_the_web_unit_and_its_locations_are_the_app_own():
    nginx = NGINX.read_text()
    [bind] = re.findall(r"--bind (\S+)", (DEPLOY / "cpom-web.service").read_text())
    assert re.search(rf"server {re.escape(bind)}\b", nginx)
    assert f"location = {reverse('health')} " in nginx and f"location = {reverse('metrics')} " in nginx
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in nginx, "CPOM_PROXY_COUNT=1 reads the client from it"
    assert re.search(r"^CPOM_PROXY_COUNT=1$", ENV_FILE.read_text(), flags=re.M)
