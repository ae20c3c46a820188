"""« cpom sauvegarde » and « cpom restauration »: a database with a signed contract comes back whole and still frozen."""

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.db import DatabaseError, connection

from cpom.backups import archive
from cpom.backups.services import BackupRefused, backup, expected_triggers, installed_triggers, restore
from cpom.contracts.freeze import CONTENT_MESSAGE
from support import empty_database

CPOM = str(Path(sys.executable).with_name("cpom"))
# The rows ``migrate`` writes into a new database, besides its tables.
MIGRATE_WRITES = ("django_migrations", "django_content_type", "auth_permission")


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    """Stored files as the diagnostic keeps them, one in a nested folder, one with a non-ASCII name."""
    root = tmp_path_factory.mktemp("source") / "media"
    (root / "diagnostic" / "2026").mkdir(parents=True)
    (root / "diagnostic" / "2026" / "évaluation-externe.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 40)
    (root / "diagnostic" / "2026" / "organigramme.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 500)
    return root


@pytest.fixture(scope="module")
def archive_of_the_database(django_db_setup, django_db_blocker, media, tmp_path_factory):
    """One backup of the test world as the session built it (committed), for every test of the module."""
    with django_db_blocker.unblock():
        return backup(connection, tmp_path_factory.mktemp("archive") / "sauvegarde.tar.gz", media).archive


def _rows(conn, table):
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {conn.ops.quote_name(table)}")
        return sorted(cursor.fetchall(), key=repr)


def _checksums(root):
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def test_the_database_comes_back_table_by_table_and_file_by_file(db, archive_of_the_database, media, tmp_path):
    restored_media = tmp_path / "restauré"
    with empty_database("restored", tmp_path) as restored:
        outcome = restore(restored, archive_of_the_database, restored_media)
        tables = sorted(connection.introspection.table_names())
        assert sorted(restored.introspection.table_names()) == tables
        compared = 0
        for table in tables:
            source = _rows(connection, table)
            assert _rows(restored, table) == source, table
            compared += len(source)
        assert compared > 100_000  # the five years of figures are in
        assert _checksums(restored_media) == _checksums(media) and len(_checksums(media)) == 2
        assert outcome.files == 2
        # The triggers came back with the data: the signed contract is still frozen, the journal append-only.
        assert installed_triggers(restored) == expected_triggers(restored.vendor)
        with pytest.raises(DatabaseError) as refused, restored.cursor() as cursor:
            cursor.execute(
                "UPDATE objectives_objective SET title = 'Réécrit' WHERE contract_id = "
                "(SELECT id FROM contracts_contract WHERE reference = 'CPOM-PDL-2024-049-07')"
            )
        assert CONTENT_MESSAGE in str(refused.value)


def test_the_manifest_lists_every_member_with_its_checksum(db, archive_of_the_database):
    with tarfile.open(archive_of_the_database) as tar:
        manifest = json.loads(tar.extractfile(archive.MANIFEST).read())
        names = sorted(m.name for m in tar.getmembers() if m.name != archive.MANIFEST)
        for member in manifest["members"]:
            assert hashlib.sha256(tar.extractfile(member["path"]).read()).hexdigest() == member["sha256"]
    assert sorted(m["path"] for m in manifest["members"]) == names
    assert manifest["database"] == connection.vendor and manifest["migrations"]["contracts"].startswith("00")
    assert oct(archive_of_the_database.stat().st_mode & 0o777) == "0o600"


@pytest.fixture
def small_archive(media, tmp_path):
    """An archive shaped like a backup, small enough to damage quickly: a database file and the stored files."""
    import shutil

    folder = tmp_path / "contenu"
    (folder / archive.DATABASE_FOLDER).mkdir(parents=True)
    (folder / archive.DATABASE_FOLDER / "cpom.sqlite3").write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    shutil.copytree(media, folder / archive.FILES_FOLDER)
    destination = tmp_path / "petite.tar.gz"
    archive.write(folder, destination, {"database": connection.vendor})
    return destination


def _rewritten(source, destination, change):
    """A copy of the archive whose members went through ``change(name, data) -> (name, data) or None``."""
    with tarfile.open(source) as original, tarfile.open(destination, "w:gz") as copy:
        for info in original.getmembers():
            result = change(info.name, original.extractfile(info).read())
            if result is not None:
                name, data = result
                copy.addfile(tarfile.TarInfo(name) if name != info.name else _sized(info, data), io.BytesIO(data))
    return destination


def _sized(info, data):
    info.size = len(data)
    return info


def _altered(name, data):
    if name.endswith(".png"):
        return name, data[:-1] + b"\x01"
    return name, data


@pytest.mark.parametrize(
    "change,message",
    [
        (
            _altered,
            "« fichiers/diagnostic/2026/organigramme.png » ne correspond pas à son empreinte SHA-256 (fichier altéré)",
        ),
        (
            lambda name, data: None if name.endswith(".png") else (name, data),
            "« fichiers/diagnostic/2026/organigramme.png » manque",
        ),
        (
            lambda name, data: ("../../etc/cron.d/cpom", data) if name.endswith(".png") else (name, data),
            "le fichier « ../../etc/cron.d/cpom » sortirait du dossier de restauration",
        ),
        (
            lambda name, data: None if name == archive.MANIFEST else (name, data),
            "elle ne contient pas de manifest.json",
        ),
    ],
)
def test_a_damaged_archive_is_refused_and_restores_nothing(db, small_archive, tmp_path, change, message):
    damaged = _rewritten(small_archive, tmp_path / "abîmée.tar.gz", change)
    restored_media = tmp_path / "restauré"
    with empty_database("restored", tmp_path) as restored:
        with pytest.raises(archive.ArchiveRefused) as refused:
            restore(restored, damaged, restored_media)
        assert str(refused.value) == f"Sauvegarde abîmée.tar.gz refusée : {message}. Rien n'a été restauré."
        assert restored.introspection.table_names() == [] and not restored_media.exists()


def test_a_file_that_is_not_an_archive_is_refused(db, tmp_path):
    fake = tmp_path / "sauvegarde.tar.gz"
    fake.write_text("compte;libelle;debit;credit\n")
    with pytest.raises(archive.ArchiveRefused, match="Sauvegarde sauvegarde.tar.gz refusée : ce n'est pas une archive"):
        restore(connection, fake, tmp_path / "media")


def test_a_restore_never_writes_over_a_database_in_use(db, archive_of_the_database, tmp_path):
    with pytest.raises(BackupRefused, match="La base de destination n'est pas vide"):
        restore(connection, archive_of_the_database, tmp_path / "vide")


def test_a_restore_never_writes_over_stored_files(db, archive_of_the_database, media, tmp_path):
    with empty_database("restored", tmp_path) as restored:
        with pytest.raises(BackupRefused, match="n'est pas vide : restaurez dans un dossier vide"):
            restore(restored, archive_of_the_database, media)
        assert restored.introspection.table_names() == []


def test_a_backup_inside_a_transaction_is_refused_rather_than_left_waiting(db, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("pg_dump reads a snapshot of its own: a transaction of the caller does not hold it up")
    with pytest.raises(BackupRefused, match="Une sauvegarde ne se fait pas au milieu d'une transaction"):
        backup(connection, tmp_path / "b.tar.gz", tmp_path / "media")
    assert not (tmp_path / "b.tar.gz").exists()


def _cpom(*arguments, database, var):
    environment = {**os.environ, "DATABASE_URL": database.cpom_url, "CPOM_VAR_DIR": str(var)}
    return subprocess.run([CPOM, *arguments], env=environment, capture_output=True, text=True)


def _migrated(database, var) -> None:
    """``database`` as ``cpom migrate`` leaves it.

    On SQLite without playing the sixty migrations again (10 s and more): the schema of the tests' own database,
    which the session migrated (tables, indexes, the freeze's triggers), with what migrate writes besides the tables
    (the migrations applied, the content types and permissions); none of the tests' rows. Elsewhere, ``cpom migrate``.
    """
    if connection.vendor != "sqlite":
        assert _cpom("migrate", database=database, var=var).returncode == 0
        return
    order = {"table": 0, "view": 1, "index": 2, "trigger": 3}
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'")
        schema = sorted(cursor.fetchall(), key=lambda row: order[row[0]])
        rows = {}
        for table in MIGRATE_WRITES:
            cursor.execute(f'SELECT * FROM "{table}"')
            rows[table] = cursor.fetchall()
    target = sqlite3.connect(database.settings_dict["NAME"])
    try:
        with target:
            for _, sql in schema:
                target.execute(sql)
            for table, values in rows.items():
                if values:
                    marks = ", ".join("?" * len(values[0]))
                    target.executemany(f'INSERT INTO "{table}" VALUES ({marks})', values)
    finally:
        target.close()


def test_the_commands_back_up_restore_and_refuse_in_french(db, tmp_path):
    """« cpom sauvegarde » then « cpom restauration » as an operator runs them, each in a process of its own."""
    with (
        empty_database("source", tmp_path) as source,
        empty_database("target", tmp_path) as target,
    ):
        _migrated(source, tmp_path / "var")
        (tmp_path / "var" / "media" / "diagnostic").mkdir(parents=True)
        (tmp_path / "var" / "media" / "diagnostic" / "plan.pdf").write_bytes(b"%PDF-1.4\n")
        done = _cpom("sauvegarde", "--sortie", str(tmp_path / "b.tar.gz"), database=source, var=tmp_path / "var")
        assert done.stdout.startswith(
            f"Sauvegarde écrite : {tmp_path / 'b.tar.gz'} (base {connection.vendor}, 1 fichier, "
        )
        restored = _cpom("restauration", str(tmp_path / "b.tar.gz"), database=target, var=tmp_path / "var2")
        assert restored.returncode == 0, restored.stderr
        assert restored.stdout.startswith(f"Sauvegarde b.tar.gz restaurée (base {connection.vendor}, 1 fichier).")
        assert (tmp_path / "var2" / "media" / "diagnostic" / "plan.pdf").read_bytes() == b"%PDF-1.4\n"
        again = _cpom("restauration", str(tmp_path / "b.tar.gz"), database=target, var=tmp_path / "var3")
        assert again.returncode == 1
        assert "La base de destination n'est pas vide" in again.stderr
