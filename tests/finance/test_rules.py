"""The finance rules answer with a French refusal or None, and the pages follow them."""

from cpom.finance import rules


def test_imports_are_refused_to_the_authorities_with_the_reason(users):
    assert rules.import_refusal(users["asso"]) is None
    assert rules.import_refusal(users["admin"]) is None
    assert rules.import_refusal(users["ars"]) == rules.IMPORT_REFUSAL
    assert rules.import_refusal(users["cd44"]) == rules.IMPORT_REFUSAL


def test_sections_are_mapped_by_the_managing_body_only(users):
    ime = rules.importable_establishments(users["asso"]).first()
    assert rules.section_refusal(users["asso"], ime) is None
    assert rules.section_refusal(users["ars"], ime) == (
        "Seul l'organisme gestionnaire de l'établissement (rôle contribution) rattache ses sections analytiques."
    )
    assert rules.section_refusal(users["ars"], ime, removing=True) == (
        "Seul l'organisme gestionnaire de l'établissement (rôle contribution) retire ses sections analytiques."
    )


def test_mean_costs_are_entered_by_the_platform_and_the_ars_validators(users):
    assert rules.mean_costs_refusal(users["admin"]) is None
    assert rules.mean_costs_refusal(users["asso"]) == rules.MEAN_COSTS_REFUSAL
    assert rules.mean_costs_refusal(users["cd44"]) == rules.MEAN_COSTS_REFUSAL


def test_the_budget_lines_and_its_growth_belong_to_different_sides(users, association_contract):
    association_contract.state = "negotiation"
    assert rules.lines_refusal(users["asso"], association_contract) is None
    assert rules.lines_refusal(users["ars"], association_contract) == rules.LINES_REFUSAL
    ars, cd44 = users["ars"].membership.authority, users["cd44"].membership.authority
    assert rules.growth_refusal(users["ars"], association_contract, ars) is None
    assert rules.growth_refusal(users["cd44"], association_contract, cd44) is None
    by_the_ars = "fixés par l'ARS Pays de la Loire (rôle validation) : chaque financeur décide"
    by_the_council = "fixés par le Conseil départemental de Loire-Atlantique (rôle validation) : chaque financeur"
    for user, funder, said in (
        (users["asso"], ars, by_the_ars),
        (users["cd44"], ars, by_the_ars),
        (users["ars"], cd44, by_the_council),
    ):
        assert said in rules.growth_refusal(user, association_contract, funder)
    assert rules.scenario_refusal(users["asso"], association_contract) is None


def test_a_signed_contract_closes_the_budget_and_the_scenarios(users, association_contract):
    association_contract.state = "signed"
    assert "ne se modifie qu'avant la signature" in rules.lines_refusal(users["asso"], association_contract)
    assert "les scénarios de trajectoire ne se modifient que" in rules.scenario_refusal(
        users["asso"], association_contract
    )
