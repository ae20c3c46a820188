"""Amounts typed in a real browser (Playwright driving Debian's Chromium, see conftest), as a French reader types them."""

from decimal import Decimal

from journeys import log_in


def test_an_amount_typed_the_french_way_is_saved_as_typed_and_its_history_reads_french(browser, demo_server):
    """In Chromium with a French locale, a number input turned « 12 500,50 » into 1 250 050,00 €."""
    from cpom.objectives.models import Objective

    page = log_in(browser, demo_server, "asso", locale="fr-FR")
    page.get_by_role("link", name="CPOM-PDL-2027-044-01").click()
    page.get_by_role("link", name="Objectifs et indicateurs").click()
    page.locator("section[data-number='1']").get_by_role("link", name="Proposer un objectif opérationnel").click()
    page.get_by_label("Objectif", exact=True).fill("Mutualiser une astreinte de nuit")
    amount = page.get_by_label("Moyens apportés par le gestionnaire (€)")
    amount.press_sequentially("12 500,50")
    page.get_by_role("button", name="Proposer").click()
    sheet = page.get_by_test_id("objective-sheet").inner_text().replace("\xa0", " ")
    assert "12 500,50 €" in sheet
    objective = Objective.objects.using(demo_server.db).get(title="Mutualiser une astreinte de nuit")
    assert objective.sheet.managing_body_means == Decimal("12500.50")
    page.get_by_role("link", name="Modifier la proposition").click()
    assert amount.input_value().replace("\xa0", " ") == "12 500,50"
    amount.fill("")
    amount.press_sequentially("13 000")
    page.get_by_role("button", name="Enregistrer la nouvelle version").click()
    objective.sheet.refresh_from_db()
    assert objective.sheet.managing_body_means == Decimal("13000")
    row = page.get_by_test_id("version-diff").locator("tr", has_text="Moyens apportés par le gestionnaire").first
    assert row.inner_text().replace("\xa0", " ").split("\t")[1:] == ["12 500,50", "13 000,00"]
    page.close()
