"""The fiche établissement: an establishment's objectives, indicators against target and peers, and actions, across
its contracts (a past one and the current one), visible as the establishment's page is."""

from datetime import date

import pytest
from django.db.models import F
from django.urls import reverse

from cpom.contracts.models import Contract
from cpom.demo.clock import fixed_clock, moment
from cpom.indicators.models import Benchmark, IndicatorValue
from cpom.objectives.models import FollowUpIndicator, Level, Milestone, Objective, Target
from cpom.registry.models import Establishment
from support import element, page_text, programmed_copy, rows_of

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 2)


def _sheet(client, establishment):
    with fixed_clock(moment(TODAY)):
        return client.get(reverse("roadmap:establishment_sheet", kwargs={"finess": establishment.finess}))


@pytest.fixture
def tilleuls():
    return Establishment.objects.get(name="EHPAD Les Tilleuls")


@pytest.fixture
def next_contract(ehpad_contract, users, tilleuls):
    """The EHPAD's next contract, programmed, with an objective measured by a catalogue indicator of the EHPAD."""
    contract = programmed_copy(ehpad_contract, users["ars"], reference="CPOM-PDL-2029-049-01")
    Contract.objects.filter(pk=contract.pk).update(start_date=date(2029, 1, 1), end_date=date(2033, 12, 31))
    contract.refresh_from_db()
    compared = Benchmark.objects.filter(category="EHPAD", level="region", territory="52")
    value = (
        IndicatorValue.objects.filter(establishment=tilleuls, value__isnull=False)
        .filter(indicator__benchmarks__in=compared, indicator__benchmarks__year=F("year"))
        .order_by("-year", "pk")
        .first()
    )
    axis = Objective.objects.create(contract=contract, level=Level.STRATEGIC, number="1", title="Parcours")
    objective = Objective.objects.create(
        contract=contract,
        level=Level.OPERATIONAL,
        parent=axis,
        number="1.1",
        title="Fluidifier les admissions",
        due_year=3,
    )
    objective.establishments.set([tilleuls])
    indicator = FollowUpIndicator.objects.create(
        objective=objective,
        catalogue_indicator=value.indicator,
        label=value.indicator.label,
        kind="resultats",
        unit="",
        baseline_value="12",
    )
    Target.objects.create(indicator=indicator, due_year=0, value="11")
    Target.objects.create(indicator=indicator, due_year=3, value="9")
    Milestone.objects.create(objective=objective, label="Commission d'admission commune", due_date=date(2026, 3, 1))
    return contract, value


def test_both_contracts_are_on_the_sheet_with_their_objectives(client_for, ehpad_contract, next_contract, tilleuls):
    contract, _ = next_contract
    response = _sheet(client_for("ehpad"), tilleuls)
    text = page_text(response)
    for reference in (ehpad_contract.reference, contract.reference):
        element(response, f"//section[@data-testid='sheet-{reference}']")
    assert "Réduire l'absentéisme" in text  # the signed contract's objective about the EHPAD
    assert "Fluidifier les admissions" in text
    assert "Plan de prévention adopté , prévu le 30/06/2025 En retard" in text


def test_an_indicator_stands_against_its_targets_and_its_regional_peers(client_for, next_contract, tilleuls):
    contract, value = next_contract
    objective = contract.objectives.get(number="1.1")
    response = _sheet(client_for("cd49"), tilleuls)
    [row] = rows_of(response, f"//table[@data-testid='indicators-{objective.pk}']/tbody")
    label, baseline, targets, this_year, actual, peers, level = row
    assert label == value.indicator.label and baseline == "12"
    assert targets == "N (2029) : 11 N+3 (2032) : 9"
    assert this_year == "11"  # the contract has not started: its first year's target
    assert actual.endswith(f"({value.year})")
    benchmark = Benchmark.objects.get(
        indicator=value.indicator, category="EHPAD", level="region", territory="52", year=value.year
    )
    assert peers.startswith("médiane ") and f"({benchmark.count} établissements)" in peers
    # The latest year computed is the one shown, the peers of that same year beside it.
    latest = IndicatorValue.objects.filter(establishment=tilleuls, indicator=value.indicator, value__isnull=False)
    assert value.year == max(latest.values_list("year", flat=True))
    assert level == "Pas encore suivi"


def test_the_sheet_is_seen_as_the_establishments_page_is(client_for, tilleuls, ehpad_contract):
    assert _sheet(client_for("asso"), tilleuls).status_code == 404
    assert _sheet(client_for("cd44"), tilleuls).status_code == 404
    # The ARS sees the establishments of its region: the sheet shows the contracts it is party to.
    assert ehpad_contract.reference in page_text(_sheet(client_for("ars"), tilleuls))


def test_the_establishment_page_links_to_its_sheet(client_for, tilleuls):
    page = client_for("ehpad").get(tilleuls.get_absolute_url())
    link = element(page, "//a[@data-testid='establishment-sheet']")
    assert link.get("href") == reverse("roadmap:establishment_sheet", kwargs={"finess": tilleuls.finess})


def test_the_sheet_asks_as_many_queries_for_many_objectives_as_for_one(client_for, next_contract, tilleuls):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    contract, value = next_contract
    client = client_for("ehpad")
    _sheet(client, tilleuls)
    with CaptureQueriesContext(connection) as few:
        _sheet(client, tilleuls)
    axis = contract.objectives.get(number="1")
    for n in range(2, 8):
        objective = Objective.objects.create(
            contract=contract, level=Level.OPERATIONAL, parent=axis, number=f"1.{n}", title=f"Objectif {n}"
        )
        indicator = FollowUpIndicator.objects.create(
            objective=objective, catalogue_indicator=value.indicator, label=f"Indicateur {n}", kind="resultats"
        )
        Target.objects.create(indicator=indicator, due_year=1, value=str(n))
        Milestone.objects.create(objective=objective, label=f"Étape {n}", due_date=date(2030, 1, n))
    with CaptureQueriesContext(connection) as many:
        response = _sheet(client, tilleuls)
    assert "Objectif 7" in page_text(response)
    assert len(many) == len(few)
