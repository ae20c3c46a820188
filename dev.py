#!/usr/bin/env python3
"""cpom's quick start, with nothing but Python 3.11 and git.

    python3 dev.py start   # installs what is needed, loads the demo, serves http://127.0.0.1:8000
    python3 dev.py test    # runs the whole test suite (on PostgreSQL when DATABASE_URL is set)
    python3 dev.py lint    # the house tools: ruff, import-linter, djlint (lint and layout), and no migration left to write

The virtual environment lives in .venv and is refreshed whenever pyproject.toml changes.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".pyproject.sha256"


def ensure_environment() -> None:
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"cpom demande Python 3.11 (trouvé : {sys.version.split()[0]}).")
    if not (BIN / "python").exists():
        print("Création de l'environnement virtuel .venv…", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != digest:
        print("Installation des dépendances (première fois ou pyproject.toml modifié)…", flush=True)
        pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        subprocess.run([*pip, "-e", f"{ROOT}[test]"], check=True)
        STAMP.write_text(digest)


def run(*command: str) -> int:
    # Python keeps each module compiled once (__pycache__) unless told not to; some machines tell it not to
    # (PYTHONDONTWRITEBYTECODE), and then every process of the suite (its two workers, each ``cpom`` it starts, the
    # browser journeys' servers) compiles cpom and rewrites the tests again: seconds each, minutes in all.
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return subprocess.run(command, cwd=ROOT, env=environment).returncode


def start() -> int:
    code = run(str(BIN / "cpom"), "demo")
    if code:
        return code
    print("cpom tourne sur http://127.0.0.1:8000 (Ctrl+C pour arrêter).", flush=True)
    return run(str(BIN / "cpom"), "runserver", "127.0.0.1:8000")


def test(extra: list[str]) -> int:
    """pytest, on two processes unless told otherwise (-n 0 for one): each module runs whole in one of them, so that
    what a module builds once (the quick start's var folder, a backup of the demo) is built once."""
    told = any(a.startswith(("-n", "--numprocesses", "--dist")) or a == "no:xdist" for a in extra)
    # The tests without database take seconds: starting the second process would cost more than it saves.
    pure = any(a == "-m" and b == "pure" for a, b in zip(extra, extra[1:], strict=False))
    workers = [] if told or pure else ["-n", "2", "--dist", "loadfile"]
    return run(str(BIN / "python"), "-m", "pytest", *workers, *extra)


# Each check of the house, with what it guards; ``lint`` runs them all and fails if one finds something.
CHECKS = (
    ("ruff check", ("ruff", "check", ".")),
    ("ruff format --check", ("ruff", "format", "--check", ".")),
    ("lint-imports (cœur pur, ordre des étapes)", ("lint-imports",)),
    # djlint lints the templates and checks they are laid out as its formatter lays them out (``djlint src/cpom
    # --reformat`` to apply it): the tests read the pages' structure (tests/support.py ``elements``), not their layout.
    # Given a folder, djlint reads the .html files only: the plain-text e-mails (.txt) keep their line breaks.
    ("djlint --lint", ("djlint", "src/cpom", "--lint")),
    ("djlint --check", ("djlint", "src/cpom", "--check")),
    ("makemigrations --check", ("cpom", "makemigrations", "--check", "--dry-run")),
)


def lint() -> int:
    failed = []
    for name, (tool, *arguments) in CHECKS:
        print(f"== {name}", flush=True)
        if run(str(BIN / tool), *arguments):
            failed.append(name)
    if failed:
        print(f"À corriger : {', '.join(failed)}.", file=sys.stderr)
        return 1
    print("Tout est en ordre.")
    return 0


COMMANDS = {"start": lambda extra: start(), "test": test, "lint": lambda extra: lint()}


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        return 2
    ensure_environment()
    return COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
