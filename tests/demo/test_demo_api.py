"""schemathesis over every operation of the API for every account of the demo, on the demo's data (its campaigns,
amendment, management review, and the alerts the nightly run computes): tests/api_fuzz.py."""

import pytest
from django.contrib.auth import get_user_model

from api_fuzz import fuzz
from cpom.alerts.services import compute_for
from cpom.contracts.models import Contract
from cpom.demo.loader import DEMO_USERS
from cpom.demo.newcomer_story import NEWCOMER

pytestmark = pytest.mark.usefixtures("demo_database")

ROLES = [username for username, *_ in DEMO_USERS] + [NEWCOMER[0], "admin"]


@pytest.fixture
def alerts_computed(db):
    """The nightly run's alerts, so that the alert routes answer some."""
    for contract in Contract.objects.all():
        compute_for(contract)


@pytest.mark.parametrize("username", ROLES)
def test_every_demo_account_reads_every_operation_as_the_schema_says(alerts_computed, username):
    assert fuzz(get_user_model().objects.get(username=username)) >= 26
