"""schemathesis over every operation of the API for each account of the test world (tests/api_fuzz.py); the
demo's own accounts on the demo's data: tests/demo/test_demo_api.py."""

import pytest

from api_fuzz import fuzz

# The world's accounts carry the demo's names: the two managing bodies, the ARS, two councils, the platform team.
ROLES = ["asso", "ehpad", "ars", "cd44", "cd49", "admin"]


@pytest.mark.parametrize("username", ROLES)
def test_every_operation_answers_as_the_schema_says_and_leaks_nothing(users, username):
    assert fuzz(users[username]) >= 26
