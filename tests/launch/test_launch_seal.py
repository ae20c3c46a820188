"""Once the contract is signed, its launch kit is its history: the database refuses any change on every path; a
generated letter's record is never changed nor deleted."""

from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction

from cpom.launch import seal, services
from cpom.launch.models import LetterIssue, LetterKind
from support import walk_to


def _sql(statement, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def signed_kit(raci_kit, users):
    services.mark_step_done(users["asso"], raci_kit, "objective_sheets", date(2026, 9, 30))
    walk_to(raci_kit.contract, "signed")
    return raci_kit


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE launch_launchkit SET organisation_label = 'x' WHERE id = %(kit)s",
        "DELETE FROM launch_committeemember WHERE kit_id = %(kit)s",
        "UPDATE launch_committeemember SET name = 'x' WHERE kit_id = %(kit)s",
        "UPDATE launch_racicell SET role = 'I' WHERE kit_id = %(kit)s AND role = 'C'",
        "DELETE FROM launch_racicell WHERE kit_id = %(kit)s",
        "UPDATE launch_checklistitem SET comment = 'x' WHERE kit_id = %(kit)s",
        "DELETE FROM launch_steprecord WHERE kit_id = %(kit)s",
        "INSERT INTO launch_steprecord (kit_id, step, done_on, comment, recorded_by_id, organisation_label, recorded_at)"
        " SELECT %(kit)s, 'board', '2026-10-01', '', recorded_by_id, 'x', recorded_at FROM launch_steprecord"
        " WHERE kit_id = %(kit)s",
    ],
)
def test_nothing_of_a_signed_contract_s_kit_changes_in_the_database(signed_kit, statement):
    with pytest.raises(DatabaseError, match="kit de lancement est l'histoire de son lancement"):
        _sql(statement.replace("%(kit)s", str(signed_kit.pk)))


def test_the_same_rows_change_before_signature(raci_kit):
    _sql(f"UPDATE launch_checklistitem SET comment = 'x' WHERE kit_id = {raci_kit.pk}")
    assert set(raci_kit.checklist.values_list("comment", flat=True)) == {"x"}


def test_a_letter_s_record_never_changes(raci_kit, users):
    from cpom.launch import letters

    letters.generate(users["ars"], raci_kit, LetterKind.FRAMING)
    issue = LetterIssue.objects.get(kit=raci_kit)
    with pytest.raises(DatabaseError, match="Une lettre générée reste dans l'historique"):
        _sql(f"UPDATE launch_letterissue SET sha256 = 'x' WHERE id = {issue.pk}")
    with pytest.raises(DatabaseError, match="Une lettre générée reste dans l'historique"):
        _sql(f"DELETE FROM launch_letterissue WHERE id = {issue.pk}")


def test_the_database_holds_the_triggers_this_module_writes(db):
    expected = {s.split()[2] for s in seal.statements(connection.vendor) if s.startswith("CREATE TRIGGER")}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'launch%'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE 'launch%'")
        installed = {name for (name,) in cursor.fetchall()}
    assert installed == expected and len(expected) >= 6
