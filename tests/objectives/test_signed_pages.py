"""Signed targets show their calendar year, and a signed contract's pages read as a contract in force: no negotiation
blocks, no examples to copy, no « Vérification avant signature ». The world's EHPAD contract (signed, starting on
1 January 2024) against the association's (in negotiation, starting on 1 January 2027)."""

import pytest
from django.urls import reverse

from cpom.objectives.models import Level
from support import element, elements, rows_of, text_of


def _operational(contract):
    return contract.objectives.get(level=Level.OPERATIONAL, title="Réduire l'absentéisme")


def _links(page) -> list[str]:
    return [text_of(a) for a in elements(page, "//main//a")]


@pytest.mark.parametrize(
    "contract_fixture, years",
    [
        ("ehpad_contract", ["N (2024)", "N+1 (2025)", "N+2 (2026)", "N+3 (2027)", "N+4 (2028)"]),
        ("association_contract", ["N (2027)", "N+1 (2028)", "N+2 (2029)", "N+3 (2030)", "N+4 (2031)"]),
    ],
)
def test_targets_show_the_calendar_year_beside_n(client_for, request, contract_fixture, years):
    contract = request.getfixturevalue(contract_fixture)
    objective = _operational(contract)
    page = client_for("ars").get(objective.get_absolute_url())
    assert text_of(element(page, "//*[@data-testid='objective-due-year']")) == years[2]
    header, row = rows_of(page, "//table[@data-testid='indicators']")[:2]
    assert header[3:8] == [f"Cible {year}" for year in years]
    assert row[3:8] == ["", "8,5", "7", "", ""]
    listing = client_for("ars").get(reverse("objectives:list", args=[contract.pk]))
    assert years[2] in [text_of(td) for td in elements(listing, "//*[@data-testid='objective-tree']//td")]


def test_the_indicator_form_names_each_target_with_its_year(client_for, association_contract):
    objective = _operational(association_contract)
    indicator = objective.indicators.get()
    page = client_for("asso").get(
        reverse("objectives:indicator", args=[association_contract.pk, objective.pk, indicator.pk])
    )
    labels = [
        text_of(label).removesuffix("\xa0(Optionnel)")
        for label in elements(page, "//label[starts-with(@for, 'id_target_')]")
    ]
    assert labels == ["Cible N (2027)", "Cible N+1 (2028)", "Cible N+2 (2029)", "Cible N+3 (2030)", "Cible N+4 (2031)"]


def test_a_signed_contract_s_objectives_read_as_signed(client_for, ehpad_contract):
    client = client_for("ehpad")
    listing = client.get(reverse("objectives:list", args=[ehpad_contract.pk]))
    assert "Exemples à copier" not in _links(listing)
    assert "Vérification avant signature" not in _links(listing)
    assert not elements(listing, "//*[@data-testid='readiness-summary']")
    assert "ils ne changent plus que par avenant" in text_of(element(listing, "//*[@data-testid='signed-objectives']"))
    detail = client.get(_operational(ehpad_contract).get_absolute_url())
    assert not elements(detail, "//table[@data-testid='agreements']")
    assert not elements(detail, "//form[@data-testid='message-form']")
    assert not elements(detail, "//*[@data-testid='objective-blockers']")
    assert text_of(element(detail, "//h2[@id='negociation']")) == "Discussion de la négociation"
    contract_page = client.get(reverse("contracts:detail", args=[ehpad_contract.pk]))
    assert "Vérification avant signature" not in " ".join(_links(contract_page))


def test_a_contract_in_negotiation_keeps_its_negotiation_blocks(client_for, association_contract):
    client = client_for("asso")
    listing = client.get(reverse("objectives:list", args=[association_contract.pk]))
    assert {"Exemples à copier", "Vérification avant signature"} <= set(_links(listing))
    assert elements(listing, "//*[@data-testid='readiness-summary']")
    detail = client.get(_operational(association_contract).get_absolute_url())
    assert elements(detail, "//table[@data-testid='agreements']")
    assert elements(detail, "//form[@data-testid='message-form']")
    assert text_of(element(detail, "//h2[@id='negociation']")) == "Négociation"
    contract_page = client.get(reverse("contracts:detail", args=[association_contract.pk]))
    assert "Vérification avant signature" in " ".join(_links(contract_page))
