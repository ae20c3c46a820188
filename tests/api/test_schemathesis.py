"""schemathesis over every operation of /api/v1/schema/, as each demo role: no server error, every answer as the
schema says (status, content type, body), and nothing of a contract or an establishment the role does not see.

The cases are schemathesis's, drawn from the schema; the objects they name are drawn among those of the test world
(seen by the role or not) and a number that names none, so that the answers are real ones and not only 404s.
Bounded: a few examples per operation, so that each role takes well under a minute on SQLite.
"""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api_support import api_headers
from cpom.access import visible
from cpom.alerts.models import Alert
from cpom.contracts.models import Contract
from cpom.demo.loader import DEMO_USERS
from cpom.followup.models import Campaign
from cpom.registry.models import Establishment

# Every demo account: the two managing bodies, the ARS, the two councils, and the platform team.
ROLES = [username for username, *_ in DEMO_USERS] + ["admin"]
EXAMPLES = 4
NOWHERE = "999999"


def _operations(schema):
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25, "the schema lost its operations"
    return operations


def _objects():
    """Path values by the kind of object a path names: every one of the world's, and one that does not exist."""
    return {
        "contracts": [str(pk) for pk in Contract.objects.values_list("pk", flat=True)] + [NOWHERE],
        "campaigns": [str(pk) for pk in Campaign.objects.values_list("pk", flat=True)] + [NOWHERE],
        "alerts": [str(pk) for pk in Alert.objects.values_list("pk", flat=True)] + [NOWHERE],
        "establishments": list(Establishment.objects.values_list("finess", flat=True)) + ["000000000"],
    }


def _hidden(user) -> list[str]:
    """What must never appear in an answer to ``user``: the references of the contracts and the FINESS numbers of
    the establishments they do not see."""
    contracts = Contract.objects.exclude(pk__in=visible(user, Contract.objects.all()).values("pk"))
    establishments = Establishment.objects.exclude(pk__in=visible(user, Establishment.objects.all()).values("pk"))
    return list(contracts.values_list("reference", flat=True)) + list(establishments.values_list("finess", flat=True))


def _run(operation, headers, objects, hidden):
    kind = operation.path.strip("/").split("/")[2]  # /api/v1/<kind>/…

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def check(data):
        case = data.draw(operation.as_strategy())
        for name, drawn in (case.path_parameters or {}).items():
            case.path_parameters[name] = data.draw(st.sampled_from([*objects[kind], drawn]))
        response = case.call_and_validate(headers=headers)
        if response.status_code == 200:
            leaked = [value for value in hidden if value in response.text]
            assert not leaked, f"{case.path_parameters} {operation.path}: {leaked}"

    check()


@pytest.mark.parametrize("username", ROLES)
def test_every_operation_answers_as_the_schema_says_and_leaks_nothing(users, username):
    cache.clear()  # the throttle counts per user: each role starts afresh
    user = users[username]
    headers = api_headers(user)
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application(), headers=headers)
    objects, hidden = _objects(), _hidden(user)
    for operation in _operations(schema):
        _run(operation, headers, objects, hidden)
