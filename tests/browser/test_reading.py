"""Journeys that only read, in a real browser (Playwright driving Debian's Chromium, see conftest): what each
organisation sees of the contracts and the figures. They share one server on one copy of the demo."""

from journeys import log_in

from cpom.contracts.models import Contract


def test_association_opens_its_contract_and_sees_seven_establishments(browser, reading_server):
    page = log_in(browser, reading_server, "asso")
    assert "Association Les Chemins de Loire" in page.get_by_test_id("current-user").inner_text()
    page.get_by_role("link", name="CPOM-PDL-2027-044-01").click()
    assert page.get_by_test_id("contract-title").inner_text() == "CPOM de l'Association Les Chemins de Loire"
    assert page.get_by_test_id("contract-state").first.inner_text().lower() == "en négociation"
    rows = page.get_by_test_id("perimeter").locator("tbody tr")
    assert rows.count() == 7
    names = set(rows.locator("td:nth-child(2)").all_inner_texts())
    assert names == {
        "IME Les Grands Chênes",
        "SESSAD Estuaire",
        "ESAT Les Ateliers de l'Erdre",
        "FAM Le Clos Fleuri",
        "MAS Les Hauts de Sèvre",
        "Foyer de vie La Roselière",
        "SAVS Nantes Métropole",
    }
    page.close()


def test_ehpad_does_not_see_the_association_contract(browser, reading_server):
    association_contract = Contract.objects.using(reading_server.db).get(reference="CPOM-PDL-2027-044-01")
    page = log_in(browser, reading_server, "ehpad")
    listing = page.get_by_test_id("contract-list").inner_text()
    assert "CPOM-PDL-2024-049-07" in listing
    assert "CPOM-PDL-2027-044-01" not in listing and "Chemins de Loire" not in page.content()
    response = page.goto(f"{reading_server.url}{association_contract.get_absolute_url()}")
    assert response.status == 404
    assert page.get_by_role("heading", name="Page introuvable").is_visible()
    assert "Chemins de Loire" not in page.content()
    page.close()


def test_association_reads_an_indicator_against_its_peers(browser, reading_server):
    server = reading_server
    page = log_in(browser, server, "asso")
    page.goto(f"{server.url}/etablissements/440005015/")
    page.get_by_role("link", name="Voir les indicateurs").click()
    assert page.get_by_role("heading", name="Indicateurs 2025").is_visible()
    row = page.locator("tr[data-code='i-25']")
    assert "Taux d'occupation" in row.inner_text() and "%" in row.inner_text()
    row.get_by_role("button", name="Détail").click()
    detail = page.get_by_test_id("indicator-detail")
    detail.wait_for()
    assert "nombre de journées (ou séances, actes) réalisées" in detail.get_by_test_id("formula").inner_text()
    assert detail.get_by_test_id("source-data").locator("tbody tr").count() == 3
    assert "2021 :" in detail.get_by_test_id("history").inner_text()
    chart = detail.get_by_test_id("quartile-chart")
    assert "Pays de la Loire – " in chart.text_content() and "Région 52" not in chart.text_content()
    assert chart.locator("rect").count() == 3
    page.close()
