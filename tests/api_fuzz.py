"""schemathesis over every operation of /api/v1/schema/ as one user: no server error, every answer as the schema
says (status, content type, body), and nothing of a contract or an establishment the user does not see.

The cases are schemathesis's, drawn from the schema; the objects their paths name are drawn among those of the
database (seen by the user or not), a number that names none, or schemathesis's own, so that the answers are real
ones and not only 404s. Bounded: a few examples per operation.
"""

from contextlib import contextmanager

import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api_support import api_headers
from cpom.access import visible
from cpom.alerts.models import Alert
from cpom.contracts.models import Contract
from cpom.followup.models import Campaign, GridEntry
from cpom.registry.models import Establishment

EXAMPLES = 4
NOWHERE = "999999"


def _objects() -> dict[str, list[str]]:
    """Path values by the kind of object a path names (/api/v1/<kind>/…)."""
    return {
        "contracts": [str(pk) for pk in Contract.objects.values_list("pk", flat=True)] + [NOWHERE],
        "campaigns": [str(pk) for pk in Campaign.objects.values_list("pk", flat=True)] + [NOWHERE],
        "alerts": [str(pk) for pk in Alert.objects.values_list("pk", flat=True)] + [NOWHERE],
        "establishments": list(Establishment.objects.values_list("finess", flat=True)) + ["000000000"],
        "grid-entries": [str(pk) for pk in GridEntry.objects.values_list("pk", flat=True)] + [NOWHERE],
    }


def _hidden(user) -> list[str]:
    """What must never appear in an answer to ``user``: the references of the contracts and the FINESS numbers of
    the establishments they do not see."""
    contracts = Contract.objects.exclude(pk__in=visible(user, Contract.objects.all()).values("pk"))
    establishments = Establishment.objects.exclude(pk__in=visible(user, Establishment.objects.all()).values("pk"))
    return list(contracts.values_list("reference", flat=True)) + list(establishments.values_list("finess", flat=True))


def _run(operation, headers, objects, hidden, examples) -> None:
    kind = operation.path.strip("/").split("/")[2]

    @settings(
        max_examples=examples,
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
        # A write the schema allows may still be refused by the rules (a year outside the window, a campaign
        # closed, a stale If-Match): answered 4xx as a problem, which the other checks still read.
        excluded = [] if operation.method.upper() == "GET" else [schemathesis.checks.positive_data_acceptance]
        response = case.call_and_validate(headers=headers, excluded_checks=excluded)
        if response.status_code == 200:
            leaked = [value for value in hidden if value in response.text]
            assert not leaked, f"{operation.path} {case.path_parameters}: {leaked}"

    check()


@contextmanager
def _connection_kept():
    """Django's WSGI handler closes the database connection after each request, which would end the test's
    transaction on PostgreSQL; the test client keeps it open the same way."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def fuzz(user, examples: int = EXAMPLES) -> int:
    """Runs every operation as ``user``; answers how many operations were run."""
    cache.clear()  # the throttle counts per user: each run starts afresh
    headers = api_headers(user)
    objects, hidden = _objects(), _hidden(user)
    with _connection_kept():
        schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application(), headers=headers)
        operations = [result.ok() for result in schema.get_all_operations()]
        for operation in operations:
            _run(operation, headers, objects, hidden, examples)
    return len(operations)
