"""An amendment in a real browser: the EHPAD drafts a capacity extension of its SSIAD, every party agrees, the ARS
sends it for signature, the three parties sign it in the circuit's order, and the history of versions shows what it
changed (the SSIAD's authorised places, five more)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from journeys import log_in

from cpom.contracts.models import Contract

EHPAD = "CPOM-PDL-2024-049-07"


def test_an_amendment_is_drafted_agreed_signed_and_the_diff_shows_what_it_changed(browser, demo_server):
    contract = Contract.objects.using(demo_server.db).get(reference=EHPAD)
    ssiad = contract.establishments.using(demo_server.db).get(category="SSIAD")
    # The demo's contract may carry its own signed capacity extension already: this one comes after it.
    number = contract.amendments.using(demo_server.db).count() + 1
    before, after = str(ssiad.authorised_places), str(ssiad.authorised_places + 5)
    effective = timezone.localdate() + timedelta(days=240)

    # The managing body drafts the amendment and its change.
    page = log_in(browser, demo_server, "ehpad")
    page.goto(f"{demo_server.url}{contract.get_absolute_url()}")
    page.get_by_test_id("contract-actions").get_by_role("link", name="Avenants").click()
    page.get_by_role("link", name="Préparer un avenant").click()
    page.get_by_label("Motif").select_option(label="Extension de capacité")
    page.get_by_label("Objet de l'avenant").fill("Extension de 5 places du SSIAD du Baugeois.")
    page.get_by_label("Date d'effet").fill(effective.isoformat())
    page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_test_id("amendment-title").inner_text() == f"Avenant n° {number} au contrat {EHPAD}"
    places = page.get_by_test_id("change-places")
    places.locator("summary").click()
    places.get_by_label("Établissement").select_option(label=f"SSIAD du Baugeois ({ssiad.finess})")
    places.get_by_label("Places", exact=True).select_option(label="Places autorisées")
    places.get_by_label("Nouveau nombre de places").fill(after)
    places.get_by_role("button", name="Ajouter à l'avenant").click()
    change = page.get_by_test_id("changes").locator("tbody tr").first
    assert change.locator("td").nth(0).inner_text() == f"SSIAD du Baugeois ({ssiad.finess}) : places autorisées"
    assert [change.locator("td").nth(i).inner_text() for i in (1, 2)] == [before, after]
    page.get_by_role("button", name="Donner l'accord de mon organisation").click()
    amendment_url = page.url
    page.close()

    # The council, then the ARS agree; the ARS sends it for signature.
    for username in ("cd49", "ars"):
        page = log_in(browser, demo_server, username)
        page.goto(amendment_url)
        page.get_by_role("button", name="Donner l'accord de mon organisation").click()
        assert "Votre accord sur cette version de l'avenant est enregistré." in page.get_by_role("status").inner_text()
        if username == "cd49":
            page.close()
    assert page.get_by_test_id("agreements").inner_text().count("d'accord") == 3
    page.get_by_role("button", name="Envoyer l'avenant pour signature").click()
    assert page.get_by_test_id("amendment-status").inner_text().lower() == "en signature"
    digest = page.get_by_test_id("amendment-version").locator("code").inner_text()
    page.close()

    # Each party signs in the circuit's order, with the hash printed on the document.
    versions_url = f"{demo_server.url}{reverse('signing:versions', kwargs={'contract_id': contract.pk})}"
    for username, name in (("ehpad", "Paul Lefèvre"), ("cd49", "Sophie Garnier"), ("ars", "Nadia Benali")):
        page = log_in(browser, demo_server, username)
        page.goto(versions_url)
        page.get_by_label("Nom du signataire").fill(name)
        page.get_by_label("Qualité du signataire").fill("Représentant de la partie")
        page.get_by_label("Date de signature").fill(timezone.localdate().isoformat())
        page.get_by_label("Ou l'empreinte du document signé").fill(digest)
        page.get_by_role("button", name="Enregistrer la signature").click()
        assert f"La signature de {name} est enregistrée." in page.get_by_role("status").inner_text()
        page.close()

    # Signed: applied to the contract, and the history's diff shows what changed.
    page = log_in(browser, demo_server, "cd49")
    page.goto(amendment_url)
    assert page.get_by_test_id("amendment-status").inner_text().lower() == "signé et appliqué au contrat"
    page.get_by_role("link", name="Historique des versions du contrat").click()
    rows = page.get_by_test_id("diff").locator("tbody tr")
    changed = [[rows.nth(i).locator("td").nth(c).inner_text() for c in range(3)] for i in range(rows.count())]
    assert any(ssiad.finess in path and (old, new) == (before, after) for path, old, new in changed), changed
    ssiad.refresh_from_db(using=demo_server.db)
    assert ssiad.authorised_places == int(after)
