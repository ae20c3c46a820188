"""The triggers an app writes to seal its records, installed the same way on SQLite and PostgreSQL.

The follow-up seals a closed campaign, the reviews a signed relevé, the launch kit itself once its contract is
signed: each writes its own statements, named with its own prefix. Installing them, dropping them by that prefix and
putting them back after a migrate (a SQLite table rebuild loses the table's triggers) is one piece of code.
"""

from collections.abc import Callable


class Triggers:
    def __init__(self, app: str, prefix: str, sqlite: Callable[[], list[str]], postgresql: Callable[[], list[str]]):
        self.app, self.prefix = app, prefix
        self._writers = {"sqlite": sqlite, "postgresql": postgresql}

    def statements(self, vendor: str) -> list[str]:
        if vendor not in self._writers:
            raise NotImplementedError(f"cpom fonctionne sur SQLite et PostgreSQL, pas sur {vendor}.")
        return self._writers[vendor]()

    def install(self, connection) -> None:
        """Replaces the app's triggers by the ones it writes today."""
        self.uninstall(connection)
        with connection.cursor() as cursor:
            for statement in self.statements(connection.vendor):
                cursor.execute(statement)

    def uninstall(self, connection) -> None:
        with connection.cursor() as cursor:
            for statement in self._drop(connection):
                cursor.execute(statement)

    def reinstall(self, sender, using, plan=None, **kwargs) -> None:
        """After a migrate that ran something, the triggers are put back (a SQLite table rebuild loses them)."""
        from django.db import connections
        from django.db.migrations.recorder import MigrationRecorder

        connection = connections[using]
        if not plan or not MigrationRecorder(connection).migration_qs.filter(app=self.app).exists():
            return
        self.install(connection)

    def _drop(self, connection) -> list[str]:
        # « _ » is a wildcard in LIKE: escaped, so that only this app's names match.
        pattern = self.prefix.replace("_", "!_") + "%"
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s ESCAPE '!'", [pattern]
                )
                return [f"DROP TRIGGER {name}" for (name,) in cursor.fetchall()]
            cursor.execute(
                "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND t.tgname LIKE %s ESCAPE '!'",
                [pattern],
            )
            triggers = [f"DROP TRIGGER {name} ON {table}" for name, table in cursor.fetchall()]
            cursor.execute("SELECT proname FROM pg_proc WHERE proname LIKE %s ESCAPE '!'", [pattern])
            return triggers + [f"DROP FUNCTION {name}()" for (name,) in cursor.fetchall()]
