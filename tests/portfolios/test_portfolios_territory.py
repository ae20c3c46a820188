"""On a generated territory of 200 managing bodies, the portfolio page and its Excel exports show the counts a direct
query over the registry and the contracts gives."""

from io import BytesIO

import pytest
from django.db.models import Sum
from django.urls import reverse
from openpyxl import load_workbook

import territory
from cpom.alerts.models import Alert
from cpom.contracts.models import COVERING_STATES, Contract, ContractParty, State
from cpom.registry.models import Authority, AuthorityKind, Establishment, ManagingBody
from support import element, rows_of, served, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated(db):
    authority = Authority.objects.get(kind=AuthorityKind.ARS, territory="52")
    return authority, territory.build(authority, bodies=200, sites_per_body=4)


def direct(authority, department=None):
    """The figures, counted by the database alone."""
    universe = Establishment.objects.filter(department__in=authority.department_codes(), funders=authority)
    if department:
        universe = universe.filter(department=department)
    party = Contract.objects.filter(
        pk__in=ContractParty.objects.admitted().filter(authority=authority).values("contract_id")
    )
    covering = party.filter(state__in=COVERING_STATES)
    covered = universe.filter(contracts__in=covering).distinct()
    signed = ManagingBody.objects.filter(contracts__in=covering).distinct()
    return {
        "contracts": party.count(),
        "bodies": universe.values("managing_body").distinct().count(),
        "signed-bodies": universe.filter(managing_body__in=signed).values("managing_body").distinct().count(),
        "establishments": universe.count(),
        "covered-establishments": covered.count(),
        "places": universe.aggregate(n=Sum("installed_places"))["n"] or 0,
        "covered-places": covered.aggregate(n=Sum("installed_places"))["n"] or 0,
        "outside": universe.filter(managing_body__in=signed).exclude(pk__in=covered.values("pk")).count(),
        "alerts": Alert.objects.open().filter(contract__in=party).count(),
        "by_state": {s: party.filter(state=s).count() for s in State.values if party.filter(state=s).exists()},
    }


def figures_of(page) -> dict:
    names = [
        "contracts",
        "bodies",
        "signed-bodies",
        "establishments",
        "covered-establishments",
        "places",
        "covered-places",
        "outside",
        "alerts",
    ]
    return {
        name: int(
            text_of(element(page, f"//*[@data-testid='figure-{name}']")).replace("\u202f", "").replace("\xa0", "")
        )
        for name in names
    }


def sheet(client, authority, slug, query=""):
    url = reverse("portfolios:portfolio_export", args=[authority.pk, slug]) + query
    return [
        list(row)
        for row in load_workbook(BytesIO(served(client.get(url)).content)).worksheets[0].iter_rows(values_only=True)
    ]


def test_the_page_and_its_exports_count_what_the_database_counts(client_for, generated):
    authority, built = generated
    assert len(built.bodies) == 200 and len(built.establishments) == 800 and len(built.contracts) == 200
    expected = direct(authority)
    client = client_for("ars")
    page = client.get(reverse("portfolios:portfolio", kwargs={"authority_id": authority.pk}))
    shown = figures_of(page)
    assert shown == {k: v for k, v in expected.items() if k != "by_state"}
    assert shown["outside"] > 0 and shown["covered-establishments"] > 0 and shown["contracts"] == 202
    # The pipeline, on the page and in Excel: one line per state with contracts, the total of every state.
    pipeline = rows_of(page, "//table[@data-testid='table-etats']")
    totals = {row[0]: int(row[-1]) for row in pipeline[1:-1]}
    labels = dict(State.choices)
    assert totals == {labels[s]: n for s, n in expected["by_state"].items()}
    etats = sheet(client, authority, "etats")
    assert {row[0]: row[-1] for row in etats[4:-1]} == totals and etats[-1][-1] == expected["contracts"]
    # Every contract in the contracts' sheet (the page shows them fifty at a time), each alert counted.
    contrats = sheet(client, authority, "contrats")
    assert len(contrats) - 4 == expected["contracts"]
    assert sum(row[6] if isinstance(row[6], int) else int(row[6]) for row in contrats[4:]) == expected["alerts"]
    assert len(rows_of(page, "//table[@data-testid='table-contrats']")) - 1 == 50
    # The coverage's total line and the list of establishments outside the perimeter.
    couverture = sheet(client, authority, "couverture")
    total = couverture[-1]
    assert total[0] == "Territoire"
    assert (total[1], total[2], total[4], total[5], total[7], total[8]) == (
        expected["bodies"],
        expected["signed-bodies"],
        expected["establishments"],
        expected["covered-establishments"],
        expected["places"],
        expected["covered-places"],
    )
    assert len(sheet(client, authority, "hors-perimetre")) - 4 == expected["outside"]


@pytest.mark.parametrize("department", ["44", "53", "85"])
def test_each_department_counts_what_the_database_counts(client_for, generated, department):
    authority, _ = generated
    expected = direct(authority, department)
    client = client_for("ars")
    line = next(row for row in sheet(client, authority, "couverture")[4:] if row[0].endswith(f"({department})"))
    assert (line[1], line[2], line[4], line[5], line[7], line[8]) == (
        expected["bodies"],
        expected["signed-bodies"],
        expected["establishments"],
        expected["covered-establishments"],
        expected["places"],
        expected["covered-places"],
    )
    filtered = client.get(
        reverse("portfolios:portfolio", kwargs={"authority_id": authority.pk}) + f"?departement={department}"
    )
    shown = figures_of(filtered)
    assert shown["establishments"] == expected["establishments"]
    assert shown["outside"] == expected["outside"]
    assert len(sheet(client, authority, "hors-perimetre", f"?departement={department}")) - 4 == expected["outside"]
