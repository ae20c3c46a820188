"""The database holds what a signature freezes: see cpom.contracts.freeze for the rules and the SQL.

Replaces the triggers of 0002 (frame, perimeter and parties only) by the whole set: the lifecycle followed by
the state, the signed content of every app, the establishments under a contract in force, and the append-only
history and audit journal.
"""

from django.db import migrations

from cpom.contracts import freeze

OLD_SQLITE = [
    "contract_signed_frame_frozen", "contract_signed_not_deleted",
    *(f"{table}_{event}_frozen" for table in ("contracts_contract_establishments", "contracts_contractparty")
      for event in ("insert", "update", "delete")),
]
OLD_POSTGRES = [
    "DROP TRIGGER IF EXISTS contract_signed_frozen ON contracts_contract",
    "DROP TRIGGER IF EXISTS contracts_contract_establishments_frozen ON contracts_contract_establishments",
    "DROP TRIGGER IF EXISTS contracts_contractparty_frozen ON contracts_contractparty",
    "DROP FUNCTION IF EXISTS cpom_contract_frozen()",
    "DROP FUNCTION IF EXISTS cpom_contract_child_frozen()",
]


def _drop_0002(schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for name in OLD_SQLITE:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        for statement in OLD_POSTGRES:
            schema_editor.execute(statement)


def forward(apps, schema_editor):
    _drop_0002(schema_editor)
    freeze.install(schema_editor.connection, apps)


def backward(apps, schema_editor):
    freeze.uninstall(schema_editor.connection)
    module = __import__("cpom.contracts.migrations.0002_signed_contract_is_frozen", fromlist=["STATEMENTS"])
    for statement in module.STATEMENTS[schema_editor.connection.vendor][0]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0003_history_append_only"),
        ("audit", "0003_journal_append_only"),
        ("diagnostic", "0002_authors_kept"),
        ("objectives", "0002_authors_kept"),
        ("finance", "0001_initial"),
        ("registry", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
