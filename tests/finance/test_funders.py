"""Each funder's growth in the trajectory, the retained scenario, what the readiness check asks of the money, the
migration of the lead's growth to every funder, and the database freezing each funder's growth at signature."""

from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from cpom.audit.services import entries_for
from cpom.contracts import guards
from cpom.finance import readiness
from cpom.finance.budget import services as budget_services
from cpom.finance.models import (
    BudgetLine,
    FunderGrowth,
    FunderKind,
    GrowthMode,
    ReferenceBudget,
    Scenario,
    Side,
)
from cpom.finance.trajectory import services
from cpom.registry.models import Authority, Establishment
from support import element, elements, rows_of, text_of

AM, CD = FunderKind.ARS_HEALTH_INSURANCE, FunderKind.CD


@pytest.fixture
def fam_budget(association_contract, users):
    """The association's budget reduced to its FAM: 600 000 € of care (ARS) and 400 000 € of accommodation (council),
    the ARS at 2 % a year, the council at 0 % two years then 1 % (a zero rate of its own)."""
    ReferenceBudget.objects.filter(contract=association_contract).delete()
    fam = Establishment.objects.get(name="FAM Le Clos Fleuri")
    budget = budget_services.reference_budget(association_contract)
    budget = budget_services.save_lines(
        budget,
        users["asso"],
        fam,
        {
            (AM, Side.EXPENSE, 2): D("600000.00"),
            (AM, Side.INCOME, 1): D("600000.00"),
            (CD, Side.EXPENSE, 2): D("400000.00"),
            (CD, Side.INCOME, 1): D("400000.00"),
        },
        None,
        1,
    )
    ars, cd44 = users["ars"].membership.authority, users["cd44"].membership.authority
    budget_services.set_growth(budget, users["ars"], ars, GrowthMode.AUTHORITY_RATE, D("2"), 0, None, 1)
    budget_services.set_growth(budget, users["cd44"], cd44, GrowthMode.ZERO_RATE, D("1"), 2, True, 1)
    return budget_services.reference_budget(association_contract)


def _scenario(budget, user, name="Hypothèse centrale", envelope="2"):
    return services.save_scenario(
        budget,
        user,
        {
            "name": name,
            "envelope_rates": {0: D(envelope)},
            "expense_rates": {0: D("0")},
            "convergence_target": None,
            "convergence_years": 3,
            "surplus_rule": "reserves",
            "deficit_rule": "reserve",
            "opening_reserves": D("0"),
        },
    )


# --- The trajectory uses each funder's own rate --------------------------------------------------------------------


def test_the_trajectory_grows_the_council_s_part_at_the_council_s_rate(fam_budget, users):
    scenario = _scenario(fam_budget, users["asso"])
    fam = services.run(scenario).trajectory.rows[Establishment.objects.get(name="FAM Le Clos Fleuri").pk]
    # ARS (the scenario's 2 %): 612 000; 624 240; 636 724,80; 649 459,30; 662 448,49.
    # Council (0 %, 0 %, then 1 %): 400 000; 400 000; 404 000; 408 040; 412 120,40.
    assert [y.envelope for y in fam] == [
        D("1012000.00"),
        D("1024240.00"),
        D("1040724.80"),
        D("1057499.30"),
        D("1074568.89"),
    ]


def test_the_scenario_page_shows_the_council_s_own_rates(client_for, fam_budget, users):
    scenario = _scenario(fam_budget, users["asso"])
    page = client_for("cd44").get(reverse("finance:trajectory_detail", args=[fam_budget.contract.pk, scenario.pk]))
    rows = rows_of(page, "//table[@data-testid='rates']")
    assert rows[1][0] == "Enveloppe (autorité cheffe de file)"
    assert rows[2] == [
        "Part du Conseil départemental de Loire-Atlantique (son propre mode d'évolution)",
        "0\xa0%",
        "0\xa0%",
        "1\xa0%",
        "1\xa0%",
        "1\xa0%",
    ]


def test_a_new_scenario_starts_from_the_lead_s_growth(fam_budget):
    assert services.default_envelope_rates(fam_budget) == {0: D("2")}


def test_growth_by_funder_is_what_the_contract_document_reads(fam_budget, users):
    assert [
        (g.authority.name, g.label, g.rate, g.zero_rate_years, g.contradictory)
        for g in budget_services.growth_by_funder(fam_budget)
    ] == [
        ("ARS Pays de la Loire", "Taux d'évolution annuel fixé par l'autorité", D("2"), 0, None),
        ("Conseil départemental de Loire-Atlantique", "Taux zéro sur plusieurs années", D("1"), 2, True),
    ]


# --- The retained scenario -----------------------------------------------------------------------------------------


def test_retaining_a_scenario_sets_aside_the_one_retained_before(fam_budget, users):
    first, second = _scenario(fam_budget, users["asso"]), _scenario(fam_budget, users["asso"], "Prudent", "0")
    services.retain_scenario(first, users["asso"], services.fingerprint(first))
    second.refresh_from_db()
    services.retain_scenario(second, users["cd44"], services.fingerprint(second))
    assert [(s.name, s.retained) for s in fam_budget.scenarios.order_by("pk")] == [
        ("Hypothèse centrale", False),
        ("Prudent", True),
    ]
    assert services.retained_scenario(fam_budget).name == "Prudent"
    assert [e.action for e in entries_for(first)][:2] == [
        "Scénario qui n'est plus retenu : Hypothèse centrale",
        "Scénario retenu : Hypothèse centrale",
    ]
    assert entries_for(second).first().after["Scénario retenu"] == "oui"


def test_retaining_assumptions_changed_since_read_is_refused(fam_budget, users):
    scenario = _scenario(fam_budget, users["asso"])
    read_as = services.fingerprint(scenario)
    data = {**{f: getattr(scenario, f) for f in ("name", "convergence_target", "convergence_years")}}
    services.save_scenario(
        fam_budget,
        users["ars"],
        {
            **data,
            "envelope_rates": {0: D("0")},
            "expense_rates": {0: D("0")},
            "surplus_rule": "reserves",
            "deficit_rule": "reserve",
            "opening_reserves": D("0"),
        },
        scenario,
        read_as,
    )
    with pytest.raises(services.StaleScenario):
        services.retain_scenario(scenario, users["asso"], read_as)
    assert services.retained_scenario(fam_budget) is None


def test_only_the_parties_retain_and_only_before_signature(fam_budget, ehpad_contract, users):
    scenario = _scenario(fam_budget, users["asso"])
    for username in ("admin", "ehpad", "cd49"):
        with pytest.raises(services.ScenarioRefused, match="Seules les parties au contrat"):
            services.retain_scenario(scenario, users[username], services.fingerprint(scenario))
    signed = services.retained_scenario(ReferenceBudget.objects.get(contract=ehpad_contract))  # before signature
    with pytest.raises(services.ScenarioRefused, match="ne se modifient que pendant"):
        services.retain_scenario(signed, users["ehpad"], services.fingerprint(signed))
    assert services.retained_scenario(fam_budget) is None


def test_the_database_keeps_one_retained_scenario_per_budget(fam_budget, users):
    first, second = _scenario(fam_budget, users["asso"]), _scenario(fam_budget, users["asso"], "Prudent", "0")
    Scenario.objects.filter(pk=first.pk).update(retained=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Scenario.objects.filter(pk=second.pk).update(retained=True)


def test_the_scenario_page_retains_it(client_for, fam_budget, users):
    scenario = _scenario(fam_budget, users["asso"])
    client = client_for("cd44")
    url = reverse("finance:trajectory_detail", args=[fam_budget.contract.pk, scenario.pk])
    form = element(client.get(url), "//form[@data-testid='retain-form']")
    read_as = form.xpath(".//input[@name='read_as']/@value")[0]
    page = client.post(form.get("action"), {"read_as": read_as}, follow=True)
    assert "Le scénario « Hypothèse centrale » est le scénario retenu pour le contrat." in page.content.decode()
    assert text_of(element(page, "//*[@data-testid='retained']")).startswith("scénario retenu")
    assert not elements(page, "//form[@data-testid='retain-form']")
    listing = client.get(reverse("finance:trajectory_list", args=[fam_budget.contract.pk]))
    assert [text_of(e) for e in elements(listing, "//*[@data-testid='retained']")] == ["retenu"]


# --- Readiness ----------------------------------------------------------------------------------------------------


def _rules(contract):
    return [(b.rule, b.message, b.url) for b in readiness.blockers(contract)]


def test_the_ready_contract_has_what_the_document_needs(ready_association_contract):
    assert readiness.blockers(ready_association_contract) == []
    assert guards.blockers(ready_association_contract) == []


def test_a_funder_without_growth_and_no_retained_scenario_block_signature(ready_association_contract, users):
    contract = ready_association_contract
    cd44 = users["cd44"].membership.authority
    FunderGrowth.objects.filter(budget__contract=contract, authority=cd44).delete()
    Scenario.objects.filter(budget__contract=contract).update(retained=False)
    assert _rules(contract) == [
        (
            "no_growth_mode",
            "Le Conseil départemental de Loire-Atlantique n'a pas fixé le mode d'évolution de sa dotation (titre 3 "
            "du contrat).",
            reverse("finance:budget_growth", args=[contract.pk, cd44.pk]),
        ),
        (
            "no_retained_scenario",
            "Aucun scénario de trajectoire n'est retenu : retenez celui sur lequel le contrat est signé.",
            reverse("finance:trajectory_list", args=[contract.pk]),
        ),
    ]


def test_without_a_reference_budget_the_contract_is_not_ready(ready_association_contract):
    contract = ready_association_contract
    BudgetLine.objects.filter(budget__contract=contract).delete()
    assert [rule for rule, _, _ in _rules(contract)] == ["no_reference_budget"]
    ReferenceBudget.objects.filter(contract=contract).delete()
    assert _rules(contract) == [
        (
            "no_reference_budget",
            "Le budget de référence n'est pas saisi : la dotation globalisée commune du contrat en découle.",
            reverse("finance:budget_detail", args=[contract.pk]),
        ),
        (
            "no_retained_scenario",
            "Aucun scénario de trajectoire n'est retenu : retenez celui sur lequel le contrat est signé.",
            reverse("finance:trajectory_list", args=[contract.pk]),
        ),
    ]


def test_the_readiness_page_lists_the_money_blockers(client_for, ready_association_contract):
    Scenario.objects.filter(budget__contract=ready_association_contract).update(retained=False)
    page = client_for("asso").get(reverse("objectives:readiness", args=[ready_association_contract.pk]))
    assert [e.get("data-rule") for e in elements(page, "//ol[@data-testid='blockers']/li")] == ["no_retained_scenario"]


# --- The database freezes each funder's growth at signature --------------------------------------------------------


def test_a_signed_contract_s_growths_are_frozen_by_the_database(ehpad_contract):
    from django.db import DatabaseError

    growth = FunderGrowth.objects.filter(budget__contract=ehpad_contract).first()
    for write in (
        lambda: FunderGrowth.objects.filter(pk=growth.pk).update(growth_rate=D("9")),
        lambda: FunderGrowth.objects.filter(pk=growth.pk).delete(),
        lambda: FunderGrowth.objects.create(
            budget=growth.budget, authority=Authority.objects.get(name__contains="Loire-Atl")
        ),
    ):
        with pytest.raises(DatabaseError, match="Contrat signé : son contenu"), transaction.atomic():
            write()
    assert FunderGrowth.objects.get(pk=growth.pk).growth_rate == D("1.5")
