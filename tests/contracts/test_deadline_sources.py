"""The deadlines every stage registers, asked once for many contracts."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cpom import deadline_sources
from cpom.contracts.deadlines import deadlines
from cpom.contracts.models import Contract, State

pytestmark = pytest.mark.django_db


def test_the_signed_contracts_renewal_intentions_and_end_are_collected_in_day_order():
    contract = Contract.objects.get(state=State.IN_FORCE)
    due = [item for item in deadline_sources.collect([contract]) if item.contract_id == contract.pk]
    own = [d for d in deadlines(contract) if d.kind]
    assert [(item.day, item.kind) for item in due if item.kind in {"renewal", "intentions", "contract_end"}] == [
        (d.day, d.kind) for d in own
    ]
    assert due == sorted(due, key=lambda item: (item.day, item.contract_id, item.label))
    end = next(item for item in due if item.kind == "contract_end")
    assert end.day == contract.end_date
    assert end.label == f"{contract.reference} — Fin du contrat"
    assert end.key == f"contract_end:{contract.pk}:{contract.end_date.isoformat()}"
    assert end.url == contract.get_absolute_url()


def test_a_window_keeps_only_the_deadlines_inside_it():
    contract = Contract.objects.get(state=State.IN_FORCE)
    since, until = contract.end_date, contract.end_date
    assert [
        item.kind for item in deadline_sources.collect([contract], since, until) if item.contract_id == contract.pk
    ] == ["contract_end"]
    assert deadline_sources.collect([], date(2000, 1, 1)) == []


def test_the_contracts_own_source_reads_the_parties_of_all_contracts_in_one_query():
    contracts = list(Contract.objects.all())
    with CaptureQueriesContext(connection) as queries:
        from cpom.contracts.deadlines import source

        source(contracts)
    assert len(queries) <= 2  # the parties, then their authorities: not one per contract
    assert {kind.code for kind in deadline_sources.kinds()} >= {
        "target_signature",
        "renewal",
        "intentions",
        "contract_end",
    }
