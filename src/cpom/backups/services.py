"""Backing up and restoring a cpom installation: its database (SQLite or PostgreSQL) and its stored files.

A backup is a consistent copy: SQLite's online backup, or ``pg_dump`` (one snapshot); then the stored files, and a
manifest of checksums (cpom.backups.archive). A restore goes only into an empty database and an empty files
folder, after the whole archive has been checked; the database comes back with its triggers (the freeze of signed
contracts, the append-only journal), which ``dumpdata``/``loaddata`` could not do: rows of a signed contract
inserted after the contract are refused by design.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from cpom.contracts import freeze

from . import archive

DUMP_NAMES = {"sqlite": "cpom.sqlite3", "postgresql": "cpom.pgdump"}


class BackupRefused(Exception):
    """The backup or the restore cannot be done; the message says why, in French."""


@dataclass(frozen=True)
class Outcome:
    archive: Path
    database: str
    files: int
    size: int


def _pg_environment(connection) -> tuple[list[str], dict]:
    """Connection options for pg_dump/pg_restore, the password in the environment rather than on a command line."""
    params = connection.settings_dict
    options = [
        "--host",
        params["HOST"] or "localhost",
        "--port",
        str(params["PORT"] or 5432),
        "--username",
        params["USER"] or os.environ.get("USER", "postgres"),
    ]
    environment = {**os.environ, "PGPASSWORD": params["PASSWORD"] or ""}
    return options, environment


def _run(command: list[str], environment: dict, what: str) -> None:
    try:
        subprocess.run(command, env=environment, check=True, capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupRefused(
            f"{command[0]} est introuvable : installez le client PostgreSQL (paquet postgresql-client)."
        ) from None
    except subprocess.CalledProcessError as failed:
        raise BackupRefused(f"{what} a échoué : {failed.stderr.strip()[-500:]}") from None


def _dump_database(connection, target: Path) -> None:
    if connection.vendor == "sqlite":
        if connection.in_atomic_block:
            # SQLite's online backup waits forever on a connection that holds its own write transaction.
            raise BackupRefused(
                "Une sauvegarde ne se fait pas au milieu d'une transaction : lancez « cpom sauvegarde » seule."
            )
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        with copy:
            connection.connection.backup(copy)
        copy.close()
    elif connection.vendor == "postgresql":
        options, environment = _pg_environment(connection)
        _run(
            [
                "pg_dump",
                *options,
                "--format=custom",
                "--no-owner",
                "--file",
                str(target),
                connection.settings_dict["NAME"],
            ],
            environment,
            "La copie de la base (pg_dump)",
        )
    else:
        raise BackupRefused(f"cpom sauvegarde SQLite et PostgreSQL, pas {connection.vendor}.")


def _applied_migrations(connection) -> dict[str, str]:
    latest = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, name), name)
    return dict(sorted(latest.items()))


def backup(connection, destination: Path | None = None, media_root: Path | None = None) -> Outcome:
    """Writes a backup archive of the database behind ``connection`` and of the stored files."""
    media_root = Path(media_root or settings.MEDIA_ROOT)
    if destination is None:
        folder = Path(settings.VAR_DIR) / "sauvegardes"
        folder.mkdir(parents=True, exist_ok=True)
        destination = folder / f"cpom-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"
    with tempfile.TemporaryDirectory(prefix="cpom-sauvegarde-") as temporary:
        work = Path(temporary)
        (work / archive.DATABASE_FOLDER).mkdir()
        _dump_database(connection, work / archive.DATABASE_FOLDER / DUMP_NAMES.get(connection.vendor, "base"))
        if media_root.exists():
            shutil.copytree(media_root, work / archive.FILES_FOLDER, symlinks=False)
        manifest = archive.write(
            work,
            Path(destination),
            {
                "created_at": timezone.now().isoformat(),
                "database": connection.vendor,
                "migrations": _applied_migrations(connection),
            },
        )
    files = sum(1 for m in manifest["members"] if m["path"].startswith(f"{archive.FILES_FOLDER}/"))
    return Outcome(Path(destination), connection.vendor, files, Path(destination).stat().st_size)


def _check_empty(connection, media_root: Path) -> None:
    tables = connection.introspection.table_names()
    if tables:
        raise BackupRefused(
            f"La base de destination n'est pas vide ({len(tables)} tables) : une restauration se fait dans une base "
            "neuve (créez-en une, ou supprimez le fichier SQLite)."
        )
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupRefused(f"Le dossier des fichiers {media_root} n'est pas vide : restaurez dans un dossier vide.")


def _load_database(connection, dump: Path) -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        source.backup(connection.connection)
        source.close()
    else:
        options, environment = _pg_environment(connection)
        _run(
            [
                "pg_restore",
                *options,
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                connection.settings_dict["NAME"],
                str(dump),
            ],
            environment,
            "La restauration de la base (pg_restore)",
        )


def installed_triggers(connection) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [f"{freeze.PREFIX}%"]
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE %s", [f"{freeze.PREFIX}%"]
            )
        return {name for (name,) in cursor.fetchall()}


def expected_triggers(vendor: str) -> set[str]:
    return {s.split()[2] for s in freeze.statements(vendor) if s.startswith("CREATE TRIGGER")}


def restore(connection, archive_path: Path, media_root: Path | None = None) -> Outcome:
    """Restores ``archive_path`` into the empty database behind ``connection`` and the empty files folder."""
    media_root = Path(media_root or settings.MEDIA_ROOT)
    archive_path = Path(archive_path)
    with tempfile.TemporaryDirectory(prefix="cpom-restauration-") as temporary:
        work = Path(temporary)
        manifest = archive.unpack(archive_path, work)
        if manifest.get("database") != connection.vendor:
            raise BackupRefused(
                f"Sauvegarde {archive_path.name} refusée : elle vient d'une base {manifest.get('database')}, "
                f"la base de destination est {connection.vendor}. Rien n'a été restauré."
            )
        _check_empty(connection, media_root)
        _load_database(connection, work / archive.DATABASE_FOLDER / DUMP_NAMES[connection.vendor])
        files = work / archive.FILES_FOLDER
        if files.exists():
            shutil.copytree(files, media_root, dirs_exist_ok=True)
    missing = expected_triggers(connection.vendor) - installed_triggers(connection)
    if missing:
        raise BackupRefused(
            f"Base restaurée sans {len(missing)} déclencheurs de cpom ({', '.join(sorted(missing)[:3])}…)."
        )
    count = sum(1 for m in manifest["members"] if m["path"].startswith(f"{archive.FILES_FOLDER}/"))
    return Outcome(archive_path, connection.vendor, count, archive_path.stat().st_size)
