"""A signed contract's drafting (model, choices, parameters) is frozen in the database like the rest of its content:
cpom.contracts.freeze lists it, and this migration installs the triggers as that module writes them."""

from django.db import migrations

from cpom.contracts import freeze


def forward(apps, schema_editor):
    freeze.install(schema_editor.connection, apps)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0002_shipped_models"),
        ("contracts", "0005_party_acceptance"),
        ("finance", "0001_initial"),
        ("objectives", "0002_authors_kept"),
        ("diagnostic", "0002_authors_kept"),
        ("audit", "0003_journal_append_only"),
        ("registry", "0002_records_versioned"),
    ]

    # Back: dropping the drafting's table (0001) drops its triggers with it.
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
