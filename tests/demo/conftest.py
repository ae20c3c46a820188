import pytest
from django.core.management.color import no_style
from django.db import connection, transaction

from cpom.contracts import freeze
from cpom.demo.loader import load_demo
from quickstart import start_building


@pytest.fixture(scope="module")
def demo_database(django_db_setup, django_db_blocker):
    """The demo's own tests stand on the demo, loaded as ``cpom demo`` loads it into an empty database.

    For the module, the shared test world is set aside in a transaction rolled back at the end: the freezing
    triggers are dropped to empty the tables, then put back before the demo signs its contract. Both databases
    undo schema changes with the transaction, so the world and its triggers come back whole.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            freeze.uninstall(connection)
            tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
            with connection.cursor() as cursor:
                for statement in connection.ops.sql_flush(no_style(), tables, allow_cascade=True):
                    cursor.execute(statement)
            freeze.install(connection)
            load_demo()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def pytest_collection_modifyitems(config, items):
    start_building(config, items, lambda item: item.name == "test_the_quick_start_plays_the_stories_to_the_same_dates")
