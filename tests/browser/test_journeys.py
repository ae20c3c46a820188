"""Key journeys in a real browser: Playwright driving Debian's Chromium against a live cpom server (see conftest)."""

from decimal import Decimal

from cpom.contracts.models import Contract
from cpom.demo.loader import DEMO_PASSWORD


def _log_in(browser, server, username, locale=None):
    page = browser.new_page(locale=locale) if locale else browser.new_page()
    page.goto(f"{server.url}/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{server.url}/")
    return page


def test_association_opens_its_contract_and_sees_seven_establishments(browser, demo_server):
    page = _log_in(browser, demo_server, "asso")
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


def test_ehpad_does_not_see_the_association_contract(browser, demo_server):
    association_contract = Contract.objects.using(demo_server.db).get(reference="CPOM-PDL-2027-044-01")
    page = _log_in(browser, demo_server, "ehpad")
    listing = page.get_by_test_id("contract-list").inner_text()
    assert "CPOM-PDL-2024-049-07" in listing
    assert "CPOM-PDL-2027-044-01" not in listing and "Chemins de Loire" not in page.content()
    response = page.goto(f"{demo_server.url}{association_contract.get_absolute_url()}")
    assert response.status == 404
    assert page.get_by_role("heading", name="Page introuvable").is_visible()
    assert "Chemins de Loire" not in page.content()
    page.close()


def _tick(page, label):
    """DSFR draws its own checkboxes: a person clicks the label, and so does the test."""
    page.locator("label.fr-label", has_text=label).click()
    assert page.get_by_label(label).is_checked()


def test_the_ars_programs_a_contract_choosing_the_perimeter(browser, demo_server):
    page = _log_in(browser, demo_server, "ars")
    page.get_by_role("link", name="Programmer un contrat").click()
    page.get_by_label("Référence").fill("CPOM-PDL-2029-049-02")
    page.get_by_label("Intitulé").fill("Deuxième CPOM de l'EHPAD Les Tilleuls")
    page.get_by_label("Organisme gestionnaire").select_option(label="EHPAD public Les Tilleuls")
    # htmx swaps in the chosen managing body's establishments, and only those.
    page.get_by_label("SSIAD du Baugeois").wait_for()
    assert page.locator("#perimeter").get_by_text("MAS Les Hauts de Sèvre").count() == 0
    _tick(page, "EHPAD Les Tilleuls")
    _tick(page, "SSIAD du Baugeois")
    page.get_by_label("Fondement juridique").select_option(value="L313-12-IVter")
    page.get_by_label("Date d'effet", exact=True).fill("2029-01-01")
    _tick(page, "Conseil départemental de Maine-et-Loire")
    page.get_by_role("button", name="Enregistrer").click()
    assert "est inscrit à la programmation" in page.get_by_role("status").inner_text()
    assert page.get_by_test_id("perimeter").locator("tbody tr").count() == 2
    assert "du 01/01/2029 au 31/12/2033" in page.content()
    page.close()


def test_association_reads_an_indicator_against_its_peers(browser, demo_server):
    server = demo_server
    page = _log_in(browser, server, "asso")
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


def test_an_objective_is_proposed_discussed_and_agreed_by_all_three_parties(browser, demo_server):
    from cpom.objectives.models import Objective, Status

    contract = Contract.objects.using(demo_server.db).get(reference="CPOM-PDL-2027-044-01")
    # The association proposes an operational objective under its first strategic objective.
    page = _log_in(browser, demo_server, "asso")
    page.get_by_role("link", name="CPOM-PDL-2027-044-01").click()
    page.get_by_role("link", name="Objectifs et indicateurs").click()
    page.locator("section[data-number='1']").get_by_role("link", name="Proposer un objectif opérationnel").click()
    page.get_by_label("Objectif", exact=True).fill("Développer l'accueil séquentiel des jeunes adultes")
    page.get_by_label("Échéance").select_option(label="N+2")
    page.get_by_label("Pilotage").fill("Directeur du pôle enfance")
    page.get_by_role("button", name="Proposer").click()
    assert "est proposé aux autres parties" in page.get_by_role("status").inner_text()
    title = "Développer l'accueil séquentiel des jeunes adultes"
    assert page.get_by_test_id("objective-title").inner_text() == title
    # … with a follow-up indicator of its own: method, unit, source, baseline and target.
    page.get_by_role("link", name="Ajouter un indicateur").click()
    page.get_by_label("Intitulé").fill("Jeunes adultes accueillis en séquentiel")
    page.get_by_label("Type d'indicateur").select_option(label="Indicateur de résultats")
    page.get_by_label("Méthode de calcul").fill("Nombre de jeunes de 18 à 20 ans accueillis en séquentiel au 31/12")
    page.get_by_role("textbox", name="Unité").fill("jeunes")
    page.get_by_label("Source des données").fill("Dossiers des usagers")
    baseline = page.get_by_role("group", name="Situation actuelle")
    baseline.get_by_label("Valeur").fill("2")
    baseline.get_by_label("Date").fill("2025-12-31")
    page.get_by_label("Cible N+2").fill("8")
    page.get_by_role("button", name="Enregistrer l'indicateur").click()
    row = page.get_by_test_id("indicator-row")
    assert "Jeunes adultes accueillis en séquentiel" in row.inner_text() and "8" in row.inner_text()
    objective_url = page.url.split("#")[0]
    page.close()

    # The ARS comments, then agrees.
    page = _log_in(browser, demo_server, "ars")
    page.goto(objective_url)
    assert page.get_by_test_id("objective-proposer").inner_text() == "Association Les Chemins de Loire"
    assert page.get_by_role("link", name="Modifier la proposition").count() == 0
    page.get_by_label("Votre message").fill("Combien de places seront dédiées ?")
    page.get_by_role("button", name="Envoyer le message").click()
    message = page.get_by_test_id("message").last
    assert "ARS Pays de la Loire" in message.get_by_test_id("message-organisation").inner_text()
    assert "Combien de places seront dédiées ?" in message.inner_text()
    assert page.get_by_test_id("objective-status").first.inner_text().lower() == "en discussion"
    page.get_by_role("button", name="Donner l'accord de l'ARS Pays de la Loire").click()
    assert page.get_by_test_id("objective-status").first.inner_text().lower() == "en discussion"
    page.close()

    # The council agrees: every party has, the objective is agreed.
    page = _log_in(browser, demo_server, "cd44")
    page.goto(objective_url)
    page.get_by_role("button", name="Donner l'accord du Conseil départemental de Loire-Atlantique").click()
    assert page.get_by_test_id("objective-status").first.inner_text().lower() == "accepté par toutes les parties"
    page.close()

    objective = Objective.objects.using(demo_server.db).get(contract=contract, title=title)
    assert objective.status == Status.AGREED
    for username in ("asso", "ars", "cd44"):
        page = _log_in(browser, demo_server, username)
        page.goto(objective_url)
        assert page.get_by_test_id("objective-status").first.inner_text().lower() == "accepté par toutes les parties", (
            username
        )
        agreements = page.get_by_test_id("agreements").locator("tbody tr")
        assert agreements.count() == 3 and agreements.get_by_text("d'accord").count() == 3, username
        page.goto(f"{demo_server.url}/contrats/{contract.pk}/objectifs/")
        row = page.locator(f"tr[data-number='{objective.number}']")
        assert row.get_by_test_id("objective-status").inner_text().lower() == "accepté par toutes les parties", username
        page.close()


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
    page = _log_in(browser, demo_server, "asso")
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


def test_an_amount_typed_the_french_way_is_saved_as_typed_and_its_history_reads_french(browser, demo_server):
    """In Chromium with a French locale, a number input turned « 12 500,50 » into 1 250 050,00 €."""
    from cpom.objectives.models import Objective

    page = _log_in(browser, demo_server, "asso", locale="fr-FR")
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
