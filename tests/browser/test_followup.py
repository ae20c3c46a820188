"""The yearly follow-up in a real browser, on the demo's open campaign of the EHPAD's contract: the managing body
fills a declared indicator and a comment, sees the proposed level, submits; the ARS writes the shared conclusions and
sends them; the three parties sign in order and the sealed campaign shows its hash."""

from journeys import log_in
from pypdf import PdfReader

from cpom.contracts.models import Contract
from cpom.followup.models import CampaignStatus

EHPAD = "CPOM-PDL-2024-049-07"


def test_the_open_campaign_is_filled_submitted_concluded_signed_and_sealed(browser, demo_server):
    contract = Contract.objects.using(demo_server.db).get(reference=EHPAD)
    campaign = contract.campaigns.using(demo_server.db).get(status=CampaignStatus.OPEN)
    declared = next(
        e
        for e in campaign.entries.using(demo_server.db).select_related("indicator")
        if not e.indicator.catalogue_indicator_id
    )

    page = log_in(browser, demo_server, "ehpad")
    page.goto(f"{demo_server.url}{contract.get_absolute_url()}")
    page.get_by_role("link", name="Suivi annuel").first.click()
    page.get_by_role("link", name=f"Campagne {campaign.year}").click()
    line = page.locator(f"#ligne-{declared.pk}")
    line.get_by_label(f"Valeur déclarée {campaign.reviewed_year}").fill("12")
    line.get_by_label("Commentaires").fill("Travaux de la seconde aile engagés.")
    line.get_by_role("button", name="Enregistrer la ligne").click()
    assert "La ligne est enregistrée ; le niveau proposé est recalculé." in page.get_by_role("status").inner_text()
    row = page.locator(f"tr[data-indicator='{declared.indicator_id}'][data-category='{declared.category}']")
    assert "Niveau proposé" in row.get_by_test_id("proposal").inner_text()
    assert "Travaux de la seconde aile engagés." in row.inner_text()
    page.get_by_role("button", name="Transmettre la grille à l'autorité").click()
    assert page.get_by_test_id("status").inner_text() == "Transmise par l'organisme gestionnaire"
    url = page.url.split("#")[0]
    page.close()

    page = log_in(browser, demo_server, "ars")
    page.goto(url)
    page.get_by_label("Éléments conclusifs partagés").fill("Les travaux avancent ; l'activité du SSIAD progresse.")
    page.get_by_role("button", name="Enregistrer les conclusions").click()
    page.get_by_role("button", name="Envoyer pour signature").click()
    digest = page.get_by_test_id("hash").inner_text()
    assert len(digest) == 64
    page.close()

    for username, name in (("ehpad", "Paul Lefèvre"), ("cd49", "Sophie Garnier"), ("ars", "Nadia Benali")):
        page = log_in(browser, demo_server, username)
        page.goto(url)
        page.get_by_label("Nom du signataire").fill(name)
        page.get_by_label("Qualité du signataire").fill("Représentant de la partie")
        page.get_by_role("button", name="Signer les conclusions").click()
        assert "Votre signature des conclusions est enregistrée." in page.get_by_role("status").inner_text()
        page.close()

    page = log_in(browser, demo_server, "cd49")
    page.goto(url)
    assert page.get_by_test_id("status").inner_text() == "Close (conclusions signées)"
    assert page.get_by_test_id("hash").inner_text() == digest
    assert page.get_by_test_id("signatures").locator("li").count() == 3
    # The signed report downloads: its PDF carries the hash the parties signed.
    with page.expect_download() as download:
        page.get_by_test_id("report-pdf").click()
    report = "".join(p.extract_text() for p in PdfReader(download.value.path()).pages).replace("\u00a0", " ")
    assert f"Empreinte SHA-256 : {digest}" in report and "PROJET" not in report
