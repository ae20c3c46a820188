"""An accounting file imported in a real browser (Playwright driving Debian's Chromium, see conftest)."""

from decimal import Decimal

from journeys import log_in

FEC_FOR_BROWSER = (
    "\n".join(
        [
            "JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|CompAuxLib|PieceRef|PieceDate|"
            "EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|Montantdevise|Idevise",
            "AC|Achats|1|20260115|606100|Électricité|||F1|20260115|EDF|1200,50|0,00|||20260120||EUR",
            "AC|Achats|1|20260115|401000|Fournisseurs|||F1|20260115|EDF|0,00|1200,50|||20260120||EUR",
            "VE|Ventes|1|20261231|411000|Usagers|||D1|20261231|Dotation|80000,00|0,00|||20261231||EUR",
            "VE|Ventes|1|20261231|735100|Dotation globale|||D1|20261231|Dotation|0,00|80000,00|||20261231||EUR",
        ]
    )
    + "\n"
)


def test_the_association_imports_a_fec_after_a_preview(browser, demo_server, tmp_path):
    from cpom.indicators.models import DataValue

    bad = tmp_path / "ecritures-fausses.txt"
    bad.write_text(FEC_FOR_BROWSER.replace("20261231|735100", "20261331|735100"), encoding="utf-8")
    good = tmp_path / "ecritures.txt"
    good.write_text(FEC_FOR_BROWSER, encoding="cp1252")
    page = log_in(browser, demo_server, "asso")
    page.get_by_role("link", name="Comptes et coûts").click()
    page.get_by_role("link", name="Importer un FEC ou une balance").click()
    page.get_by_label("Établissement ou section analytique").select_option(label="IME Les Grands Chênes – 440005015")
    page.get_by_label("Année de l'exercice").fill("2026")
    page.locator("input[type=file]").set_input_files(str(bad))
    page.get_by_role("button", name="Contrôler le fichier").click()
    # A date that does not exist: refused with the file, the line and the column, and nothing written.
    refusal = page.locator("main").inner_text()
    assert "Fichier ecritures-fausses.txt refusé : rien n'a été enregistré." in refusal
    assert "ligne 5, colonne EcritureDate : « 20261331 » n'est pas une date AAAAMMJJ" in refusal
    assert not DataValue.objects.using(demo_server.db).filter(establishment__finess="440005015", year=2026).exists()
    page.get_by_label("Établissement ou section analytique").select_option(label="IME Les Grands Chênes – 440005015")
    page.get_by_label("Année de l'exercice").fill("2026")
    page.locator("input[type=file]").set_input_files(str(good))
    page.get_by_role("button", name="Contrôler le fichier").click()
    assert "2 écritures équilibrées" in page.get_by_test_id("lines").inner_text()
    assert page.get_by_test_id("accounts").inner_text() == "5 soldes de comptes à enregistrer"
    assert not DataValue.objects.using(demo_server.db).filter(establishment__finess="440005015", year=2026).exists()
    page.get_by_role("button", name="Confirmer l'import").click()
    assert page.get_by_test_id("written").inner_text() == "5 comptes"
    stored = dict(
        DataValue.objects.using(demo_server.db)
        .filter(establishment__finess="440005015", year=2026)
        .values_list("element", "value")
    )
    assert stored["compte:735100"] == Decimal("-80000") and stored["compte:120"] == Decimal("-78799.5")
    page.close()
