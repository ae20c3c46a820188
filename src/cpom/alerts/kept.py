"""What the database holds of the alerts (SQLite and PostgreSQL triggers), whatever path writes (admin, shell, SQL):
an acknowledgement once recorded is never rewritten — who took the alert into account, when and why stay as they
were. It is only cleared when the alert's cause comes back after it was resolved (the audit journal keeps it).

The trigger names start with ``alerts_``: cpom.contracts.freeze reinstalls its own (``cpom_``) after every migration
and leaves these alone; :func:`reinstall` puts these back the same way (SQLite rebuilds a table it alters).
"""

PREFIX = "alerts_"
NAME = f"{PREFIX}acknowledgement_kept"
MESSAGE = "Alerte : une prise en compte enregistrée ne se réécrit pas (qui, quand, pourquoi)."


def _rewritten(distinct: str) -> str:
    return (
        "OLD.acknowledged_at IS NOT NULL AND NEW.acknowledged_at IS NOT NULL AND ("
        + " OR ".join(
            f"OLD.{column} {distinct} NEW.{column}"
            for column in ("acknowledged_at", "acknowledged_by_id", "acknowledgement_comment")
        )
        + ")"
    )


def statements(vendor: str) -> list[str]:
    message = MESSAGE.replace("'", "''")
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER {NAME} BEFORE UPDATE ON alerts_alert FOR EACH ROW WHEN {_rewritten('IS NOT')} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        ]
    if vendor == "postgresql":
        return [
            f"CREATE FUNCTION {NAME}() RETURNS trigger AS $$\nBEGIN\n  IF {_rewritten('IS DISTINCT FROM')} THEN\n"
            f"    RAISE EXCEPTION '{message}' USING ERRCODE = 'restrict_violation';\n  END IF;\n  RETURN NEW;\nEND $$ "
            "LANGUAGE plpgsql",
            f"CREATE TRIGGER {NAME} BEFORE UPDATE ON alerts_alert FOR EACH ROW EXECUTE FUNCTION {NAME}()",
        ]
    raise NotImplementedError(f"cpom fonctionne sur SQLite et PostgreSQL, pas sur {vendor}.")


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DROP TRIGGER IF EXISTS {NAME}")
        else:
            cursor.execute(f"DROP TRIGGER IF EXISTS {NAME} ON alerts_alert")
            cursor.execute(f"DROP FUNCTION IF EXISTS {NAME}()")


def install(connection) -> None:
    uninstall(connection)
    with connection.cursor() as cursor:
        for statement in statements(connection.vendor):
            cursor.execute(statement)


def reinstall(sender, using, plan=None, **kwargs):
    """After a migrate that ran something, the trigger is put back (a SQLite table rebuild loses it)."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    connection = connections[using]
    if not plan or not MigrationRecorder(connection).migration_qs.filter(app="alerts").exists():
        return
    install(connection)
