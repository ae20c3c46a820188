from django.apps import AppConfig
from django.db.models.signals import post_migrate

FREEZE_MIGRATION = ("contracts", "0004_signature_freezes_content")


def reinstall_freeze(sender, using, plan=None, apps=None, **kwargs):
    """After every migrate, the triggers are put back as cpom.contracts.freeze writes them today.

    SQLite rebuilds a table to alter it (a column added with a default, say), and the rebuilt table has lost its
    triggers: without this, a later migration of a frozen table would silently unfreeze it. The models are those of
    the migrated state (``apps``): migrated back before a frozen table exists, its trigger is not written.
    """
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from . import freeze

    if not plan:
        return  # nothing was migrated: nothing could have dropped a trigger
    connection = connections[using]
    if (
        not MigrationRecorder(connection)
        .migration_qs.filter(app=FREEZE_MIGRATION[0], name=FREEZE_MIGRATION[1])
        .exists()
    ):
        return  # migrated back before the freeze: leave the database without it
    freeze.install(connection, apps)


class ContractsConfig(AppConfig):
    name = "cpom.contracts"
    verbose_name = "Contrats"

    def ready(self):
        from cpom import deadline_sources
        from cpom.registry import bindings

        from . import deadlines, display  # noqa: F401 (display's tags join the template library)
        from .bindings import signed_contracts
        from .visibility import register_rules

        post_migrate.connect(reinstall_freeze, sender=self)
        bindings.register(signed_contracts)
        register_rules()
        deadline_sources.register(deadlines.source, *deadlines.KINDS)
