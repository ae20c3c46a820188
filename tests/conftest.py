import pytest
from django.contrib.auth import get_user_model

from cpom.contracts.models import Contract
from world import ASSOCIATION_REFERENCE, EHPAD_REFERENCE, build_world

DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server"}


def pytest_collection_modifyitems(items):
    """A test marked ``pure`` that reaches the database is a mistake: ``-m pure`` must run without one."""
    for item in items:
        if item.get_closest_marker("pure") and (
            item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        ):
            raise pytest.UsageError(f"{item.nodeid} est marqué « pure » mais demande la base de données.")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test world (``world``) is the shared fixture: built once, each test rolls its changes back."""
    with django_db_blocker.unblock():
        build_world()


@pytest.fixture
def users(db):
    User = get_user_model()
    return {u.username: u for u in User.objects.select_related("membership")}


@pytest.fixture
def association_contract(db):
    return Contract.objects.get(reference=ASSOCIATION_REFERENCE)


@pytest.fixture
def ehpad_contract(db):
    return Contract.objects.get(reference=EHPAD_REFERENCE)


@pytest.fixture
def client_for(client, users):
    def log_in(username):
        client.force_login(users[username])
        return client

    return log_in


@pytest.fixture
def ready_association_contract(db):
    """The association's contract with one complete, agreed objective and nothing else: ready for signature. The
    world built it so (``world``); a test that changes the objectives rolls its changes back."""
    return Contract.objects.get(reference=ASSOCIATION_REFERENCE)
