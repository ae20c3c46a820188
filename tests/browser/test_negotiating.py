"""An objective negotiated in a real browser (Playwright driving Debian's Chromium, see conftest): proposed, discussed
and agreed by every party."""

from journeys import log_in

from cpom.contracts.models import Contract


def test_an_objective_is_proposed_discussed_and_agreed_by_all_three_parties(browser, demo_server):
    from cpom.objectives.models import Objective, Status

    contract = Contract.objects.using(demo_server.db).get(reference="CPOM-PDL-2027-044-01")
    # The association proposes an operational objective under its first strategic objective.
    page = log_in(browser, demo_server, "asso")
    page.get_by_role("link", name="CPOM-PDL-2027-044-01").click()
    page.get_by_role("link", name="Objectifs et indicateurs").click()
    page.locator("section[data-number='1']").get_by_role("link", name="Proposer un objectif opérationnel").click()
    page.get_by_label("Objectif", exact=True).fill("Développer l'accueil séquentiel des jeunes adultes")
    page.get_by_label("Échéance").select_option(label="N+2 (2029)")
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
    page = log_in(browser, demo_server, "ars")
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
    page = log_in(browser, demo_server, "cd44")
    page.goto(objective_url)
    page.get_by_role("button", name="Donner l'accord du Conseil départemental de Loire-Atlantique").click()
    assert page.get_by_test_id("objective-status").first.inner_text().lower() == "accepté par toutes les parties"
    page.close()

    objective = Objective.objects.using(demo_server.db).get(contract=contract, title=title)
    assert objective.status == Status.AGREED
    for username in ("asso", "ars", "cd44"):
        page = log_in(browser, demo_server, username)
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
