import pytest
from django.contrib.auth import get_user_model

from cpom.contracts.models import Contract
from cpom.demo.loader import load_demo


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The demo is the shared fixture: loaded once, each test rolls its changes back."""
    with django_db_blocker.unblock():
        load_demo()


@pytest.fixture
def users(db):
    User = get_user_model()
    return {u.username: u for u in User.objects.select_related("membership")}


@pytest.fixture
def association_contract(db):
    return Contract.objects.get(reference="CPOM-PDL-2027-044-01")


@pytest.fixture
def ehpad_contract(db):
    return Contract.objects.get(reference="CPOM-PDL-2024-049-07")


@pytest.fixture
def client_for(client, users):
    def log_in(username):
        client.force_login(users[username])
        return client

    return log_in
