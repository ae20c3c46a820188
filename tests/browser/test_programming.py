"""The lead authority programs a contract, in a real browser (Playwright driving Debian's Chromium, see conftest)."""

from journeys import log_in, tick


def test_the_ars_programs_a_contract_choosing_the_perimeter(browser, demo_server):
    page = log_in(browser, demo_server, "ars")
    page.get_by_role("link", name="Programmer un contrat").click()
    page.get_by_label("Référence").fill("CPOM-PDL-2029-049-02")
    page.get_by_label("Intitulé").fill("Deuxième CPOM de l'EHPAD Les Tilleuls")
    page.get_by_label("Organisme gestionnaire").select_option(label="EHPAD public Les Tilleuls")
    # htmx swaps in the chosen managing body's establishments, and only those.
    page.get_by_label("SSIAD du Baugeois").wait_for()
    assert page.locator("#perimeter").get_by_text("MAS Les Hauts de Sèvre").count() == 0
    tick(page, "EHPAD Les Tilleuls")
    tick(page, "SSIAD du Baugeois")
    page.get_by_label("Fondement juridique").select_option(value="L313-12-IVter")
    page.get_by_label("Date d'effet", exact=True).fill("2029-01-01")
    tick(page, "Conseil départemental de Maine-et-Loire")
    page.get_by_role("button", name="Enregistrer").click()
    assert "est inscrit à la programmation" in page.get_by_role("status").inner_text()
    assert page.get_by_test_id("perimeter").locator("tbody tr").count() == 2
    assert "du 01/01/2029 au 31/12/2033" in page.content()
    page.close()
