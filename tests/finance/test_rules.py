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
    assert rules.growth_refusal(users["asso"], association_contract) == rules.GROWTH_REFUSAL
    assert rules.scenario_refusal(users["asso"], association_contract) is None


def test_a_signed_contract_closes_the_budget_and_the_scenarios(users, association_contract):
    association_contract.state = "signed"
    assert "ne se modifie qu'avant la signature" in rules.lines_refusal(users["asso"], association_contract)
    assert "les scénarios de trajectoire ne se modifient que" in rules.scenario_refusal(
        users["asso"], association_contract
    )
