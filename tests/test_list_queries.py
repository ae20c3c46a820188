"""Every list page reads its rows in a fixed number of queries: three more rows, not one query more.

Each page is opened once to warm what is read once per process, then counted with the rows it has, then counted
again after rows of its kind were added (by the factories). A query per row shows as a difference.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import factories
from cpom.diagnostic.frames import load_template
from cpom.diagnostic.models import Finding, FindingLevel, Nature
from cpom.diagnostic.services import diagnostic_for
from cpom.objectives.models import Level, Objective
from cpom.registry.models import AuthorityKind
from support import page_text

ADDED = 3


def _queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return [query["sql"] for query in captured.captured_queries]


def _assert_no_query_per_row(client, url, add_rows) -> None:
    _queries(client, url)
    before = _queries(client, url)
    add_rows()
    after = _queries(client, url)
    assert len(after) == len(before), "\n".join(
        after[len(before) - len(after) :] if len(after) > len(before) else after
    )


def _lead(contract):
    return contract.parties.get(is_lead=True).authority


def test_the_establishments_list(client_for, association_contract):
    def add():
        for _ in range(ADDED):
            factories.establishment(association_contract.managing_body, funders=[_lead(association_contract)])

    _assert_no_query_per_row(client_for("ars"), reverse("registry:establishments"), add)


def test_the_managing_bodies_list(client_for):
    def add():
        for _ in range(ADDED):
            factories.establishment(factories.managing_body(), funders=[])

    _assert_no_query_per_row(client_for("admin"), reverse("registry:managing_bodies"), add)


def test_the_authorities_list(client_for):
    def add():
        for number in range(ADDED):
            factories.authority(AuthorityKind.CD, territory=f"{10 + number}")

    _assert_no_query_per_row(client_for("admin"), reverse("registry:authorities"), add)


def test_the_members_list(client_for, association_contract):
    def add():
        for _ in range(ADDED):
            factories.member(association_contract.managing_body)

    _assert_no_query_per_row(client_for("asso"), reverse("accounts:members"), add)


def test_the_objectives_list(client_for, association_contract):
    def add():
        count = association_contract.objectives.filter(level=Level.STRATEGIC).count()
        for number in range(count + 1, count + 1 + ADDED):
            strategic = Objective.objects.create(
                contract=association_contract, level=Level.STRATEGIC, number=str(number), title=f"Axe {number}"
            )
            Objective.objects.create(
                contract=association_contract,
                level=Level.OPERATIONAL,
                parent=strategic,
                number=f"{number}.1",
                title=f"Objectif {number}.1",
                due_year=2,
            )

    url = reverse("objectives:list", kwargs={"contract_id": association_contract.pk})
    _assert_no_query_per_row(client_for("asso"), url, add)


def test_the_findings_of_the_diagnostic_home(client_for, association_contract):
    load_template()
    diagnostic = diagnostic_for(association_contract)
    section = diagnostic.template.sections.get(code="1.3.4")
    establishment = association_contract.establishments.first()

    def add():
        for number in range(ADDED):
            Finding.objects.create(
                diagnostic=diagnostic,
                section=section,
                text=f"Constat {number}",
                nature=Nature.DIFFICULTY,
                level=FindingLevel.ESTABLISHMENT,
                establishment=establishment,
                organisation_label="Tests",
            )

    url = reverse("diagnostic:home", kwargs={"contract_id": association_contract.pk})
    _assert_no_query_per_row(client_for("asso"), url, add)


@pytest.mark.parametrize("username", ["ars", "asso", "admin"])
def test_the_contracts_list(client_for, users, association_contract, username):
    from support import programmed_copy

    def add():
        for number in range(ADDED):
            programmed_copy(association_contract, users["ars"], reference=f"CPOM-TEST-{number:04d}")

    _assert_no_query_per_row(client_for(username), reverse("home"), add)


def test_the_indicators_catalogue(client_for, django_assert_max_num_queries):
    client = client_for("asso")
    client.get(reverse("indicators:catalogue"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("indicators:catalogue"))
    assert response.status_code == 200
    assert "Taux de réalisation de l'activité" in page_text(response)


def test_the_accounting_imports_list(client_for, users):
    from cpom.finance.accounting.services import KINDS
    from cpom.indicators.models import ImportBatch

    def add():
        for number in range(ADDED):
            ImportBatch.objects.create(file_name=f"balance-{number}.xlsx", kind=next(iter(KINDS)), user=users["asso"])

    _assert_no_query_per_row(client_for("asso"), reverse("finance:import_list"), add)


def test_the_trajectories_list(client_for, association_contract):
    from cpom.finance.models import Scenario
    from cpom.finance.trajectory.services import budget_of

    budget = budget_of(association_contract)
    assert budget is not None
    # One scenario to start from: the list with rows against the list with more rows, not against the empty list.
    Scenario.objects.create(budget=budget, name="Scénario de départ")

    def add():
        for number in range(ADDED):
            Scenario.objects.create(budget=budget, name=f"Scénario de test {number}")

    url = reverse("finance:trajectory_list", kwargs={"contract_id": association_contract.pk})
    _assert_no_query_per_row(client_for("asso"), url, add)


def _add_alerts(contract, acknowledged_by=None):
    from django.utils import timezone

    from cpom.alerts.models import Alert

    def add():
        now = timezone.now()
        establishment = contract.establishments.order_by("pk").first()
        for number in range(ADDED):
            Alert.objects.create(
                contract=contract,
                establishment=establishment,
                kind="under_activity",
                year=2025,
                key=f"test-{now.timestamp()}-{number}",
                message=f"Sous-activité {number}",
                cause_url_name="indicators:detail",
                cause_args=[establishment.finess, 1, 2025],
                first_seen_at=now,
                last_seen_at=now,
                acknowledged_at=now if acknowledged_by else None,
                acknowledged_by=acknowledged_by,
                acknowledgement_comment="Vu." if acknowledged_by else "",
            )

    return add


def test_the_alerts_lists(client_for, ehpad_contract, users):
    add = _add_alerts(ehpad_contract, acknowledged_by=users["ehpad"])
    add()  # rows to start from: the list with rows against the list with more rows
    _assert_no_query_per_row(client_for("ars"), reverse("alerts:list"), add)
    url = reverse("alerts:contract", kwargs={"contract_id": ehpad_contract.pk})
    _assert_no_query_per_row(client_for("ehpad"), url, _add_alerts(ehpad_contract))
    _assert_no_query_per_row(client_for("ehpad"), ehpad_contract.get_absolute_url(), _add_alerts(ehpad_contract))


def test_the_contract_page_checks_readiness_without_a_query_per_objective(client_for, users, association_contract):
    """The contract page counts what keeps the contract from signature and offers the lifecycle's options, which
    ask the same check again: each objective's parties, perimeter, agreements and establishments are read once."""

    def add():
        for n in range(ADDED):
            factories.complete_operational_objective(association_contract, users, number_suffix=f" {n}")

    _assert_no_query_per_row(client_for("ars"), association_contract.get_absolute_url(), add)
