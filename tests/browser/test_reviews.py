"""A management review in a real browser, on the demo: the ARS plans the EHPAD's year-2 review (the demo holds the
year-3 one already), asks for its pack and follows its preparation by the worker to the download, records it held and drafts the relevé; the EHPAD proposes an adjustment the
ARS accepts; the ARS sends it; both sign; the decision « préparer un avenant » opens the amendment's draft."""

import io

from journeys import log_in
from pypdf import PdfReader

from cpom.amendments.models import AmendmentStatus
from cpom.contracts.models import Contract
from cpom.reviews.models import ReviewState

EHPAD = "CPOM-PDL-2024-049-07"


def test_a_review_is_planned_its_pack_downloaded_its_relevé_adjusted_signed_and_an_amendment_opened(
    browser, demo_server_with_worker
):
    demo_server = demo_server_with_worker
    contract = Contract.objects.using(demo_server.db).get(reference=EHPAD)
    amendments_before = contract.amendments.using(demo_server.db).count()

    # The ARS plans the year-2 review from the contract's tab.
    page = log_in(browser, demo_server, "ars")
    page.goto(f"{demo_server.url}{contract.get_absolute_url()}")
    page.get_by_role("link", name="Dialogues de gestion").first.click()
    year_2 = page.get_by_test_id("review-year-2")
    assert "Dialogue de gestion de l'année 2 (annuel)" in year_2.inner_text()
    year_2.get_by_role("link", name="Planifier").click()
    page.get_by_label("Date").fill("2025-10-13")
    page.get_by_label("Lieu").fill("Délégation territoriale de Maine-et-Loire, Angers")
    page.get_by_role("button", name="Enregistrer").click()
    assert (
        "Le 13/10/2025, Délégation territoriale de Maine-et-Loire, Angers."
        in page.get_by_test_id("review-state").inner_text()
    )
    assert "Paul Lefèvre" in page.get_by_test_id("participants").inner_text()
    review_url = page.url

    # Its pack is asked for: the page says where it stands while the worker builds it, then offers it; it reads as
    # the review's.
    pack = page.get_by_test_id("pack-pdf")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/dossier.pdf")) as asked:
        pack.get_by_role("button", name="Préparer le dossier (PDF)").click()
    assert "En attente" in asked.value.text()
    # Only the page's polling can bring the link: the answer to the request said « en attente ».
    download_link = pack.get_by_role("link", name="Télécharger le dossier (PDF)")
    download_link.wait_for(timeout=60_000)
    assert "Prêt le" in pack.get_by_role("status").inner_text()
    with page.expect_download() as download:
        download_link.click()
    with open(download.value.path(), "rb") as pdf:
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read())).pages)
    assert "Dossier du dialogue de gestion de l'année 2" in text and "Grille de suivi" in text

    # Held, the ARS drafts the relevé: one decision to prepare an amendment.
    page.get_by_role("button", name="Enregistrer le dialogue comme tenu").click()
    page.get_by_label("Type", exact=True).select_option(label="Préparer un avenant")
    page.get_by_label("Décision", exact=True).fill("Préparer un avenant pour l'accueil de nuit.")
    page.get_by_label("Porteur", exact=True).select_option(label="EHPAD public Les Tilleuls")
    page.get_by_label("Échéance").fill("2026-06-30")
    page.get_by_role("button", name="Inscrire la décision").click()
    assert page.get_by_test_id("decision-1").get_by_test_id("decision-text").inner_text() == (
        "Préparer un avenant pour l'accueil de nuit."
    )
    page.close()

    # The EHPAD proposes an adjustment of its wording.
    page = log_in(browser, demo_server, "ehpad")
    page.goto(review_url)
    page.get_by_label("Rédaction proposée pour la décision n° 1").fill(
        "Préparer un avenant pour l'accueil de nuit de 4 places."
    )
    page.get_by_label("Motif de l'ajustement").fill("Le nombre de places est arrêté.")
    page.get_by_role("button", name="Proposer cet ajustement").click()
    assert "En attente de réponse" in page.get_by_test_id("decision-1").inner_text()
    page.close()

    # The ARS accepts it, then sends the relevé for signature.
    page = log_in(browser, demo_server, "ars")
    page.goto(review_url)
    page.get_by_label("Réponse à l'ajustement").select_option(label="Accepter la rédaction proposée")
    page.get_by_role("button", name="Répondre à l'ajustement").click()
    assert page.get_by_test_id("decision-1").get_by_test_id("decision-text").inner_text() == (
        "Préparer un avenant pour l'accueil de nuit de 4 places."
    )
    page.get_by_role("button", name="Envoyer le relevé pour signature").click()
    digest = page.get_by_test_id("minutes-hash").inner_text()
    assert len(digest) == 64
    page.close()

    # Both sides sign: the EHPAD, then the ARS.
    for username, title in (("ehpad", "Directeur"), ("ars", "Directrice générale adjointe")):
        page = log_in(browser, demo_server, username)
        page.goto(review_url)
        page.get_by_label("Qualité du signataire").fill(title)
        page.get_by_role("button", name="Signer le relevé").click()
        assert title in page.get_by_test_id("signatures").inner_text()
        if username == "ehpad":
            page.close()
    assert "signé et scellé" in page.get_by_test_id("review-state").inner_text().lower()
    review = contract.reviews.using(demo_server.db).get(year=2)
    assert review.state == ReviewState.SEALED and review.content_sha256 == digest

    # The decision opens the amendment's draft, linked to it.
    page.get_by_role("button", name="Ouvrir le projet d'avenant").click()
    assert (
        f"Avenant n° {amendments_before + 1} au contrat {EHPAD}" in page.get_by_test_id("amendment-title").inner_text()
    )
    decision = review.decisions.using(demo_server.db).get(number=1)
    assert decision.amendment.status == AmendmentStatus.DRAFT
    assert decision.amendment.summary.startswith("Préparer un avenant pour l'accueil de nuit de 4 places.")
    page.close()
