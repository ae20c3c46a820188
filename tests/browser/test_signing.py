"""A contract taken through its consultations and signature in a real browser (Playwright driving Debian's Chromium,
see conftest): the three parties record consultations, the ARS sends the final version, the association, the council
and the ARS sign in order; the contract reads « Signé », its PDF downloads with the hash the page shows, and its frame
can no longer be edited."""

import hashlib
from datetime import date
from pathlib import Path

from journeys import log_in, prepare

from cpom.contracts.models import Contract, State

REFERENCE = "CPOM-PDL-2027-044-02"
# The contract the journey signs, made in the server's database as the world's association contract is made: a copy
# of the demo association's frame, walked to its negotiation, with one complete objective agreed by every party, the
# diagnostic's synthesis, its reference budget with each funder's growth and a retained scenario, and its drafting on
# the ARS's model.
PREPARE = f"""
import django
django.setup()
from django.contrib.auth import get_user_model
import factories
from cpom.contracts import lifecycle
from cpom.contracts.models import Contract
from cpom.finance.models import GrowthMode
from support import programmed_copy

users = {{u.username: u for u in get_user_model().objects.select_related("membership")}}
source = Contract.objects.get(reference="CPOM-PDL-2027-044-01")
contract = programmed_copy(source, users["ars"], reference="{REFERENCE}")
for state, username in (("launched", "ars"), ("diagnostic", "asso"), ("negotiation", "ars")):
    contract.refresh_from_db()
    lifecycle.transition(contract, state, users[username])
factories.complete_operational_objective(contract, users)
factories.synthesis(contract, users["ars"])
budget = factories.reference_budget(
    contract, users["asso"], 2025, GrowthMode.REGIONAL_RATE, "1.2", [users["ars"], users["cd44"]]
)
factories.retained_scenario(budget, users["asso"])
factories.drafting(contract, users)
"""


def _prepare(server, tmp_path) -> Contract:
    prepare(server, tmp_path, PREPARE)
    return Contract.objects.using(server.db).get(reference=REFERENCE)


def _record(page, kind, outcome, today, establishment=None, minutes=None, body=""):
    page.get_by_label("Nature", exact=True).select_option(label=kind)
    if establishment:
        page.get_by_label("Établissement (Optionnel)").select_option(label=establishment)
    if body:
        page.get_by_role("textbox", name="Instance consultée").fill(body)
    page.get_by_label("Date", exact=True).fill(today.isoformat())
    page.get_by_label("Résultat", exact=True).select_option(label=outcome)
    if minutes:
        page.get_by_label("Procès-verbal (facultatif)").set_input_files(str(minutes))
    page.get_by_role("button", name="Enregistrer la consultation").click()
    assert "est enregistrée" in page.get_by_role("status").inner_text()


def _sign(page, name, title, scan=None, typed=""):
    page.get_by_label("Nom du signataire").fill(name)
    page.get_by_label("Qualité du signataire").fill(title)
    if scan:
        page.get_by_label("Exemplaire signé numérisé").set_input_files(str(scan))
    if typed:
        page.get_by_label("Ou l'empreinte du document signé").fill(typed)
    page.get_by_role("button", name="Enregistrer la signature").click()
    assert f"La signature de {name} est enregistrée." in page.get_by_role("status").inner_text()


def test_the_three_parties_consult_and_sign_in_order_and_the_signed_pdf_matches_its_hash(
    browser, demo_server, tmp_path
):
    contract = _prepare(demo_server, tmp_path)
    today = date.today()
    contract_url = f"{demo_server.url}/contrats/{contract.pk}/"
    minutes = tmp_path / "pv-conseil-administration.pdf"
    minutes.write_bytes(b"%PDF-1.4\n% proces-verbal du conseil\n")
    scan = tmp_path / "cpom-signe-association.pdf"
    scan.write_bytes(b"%PDF-1.4\n% exemplaire signe par l'association\n")

    # The association records its CVS and its board's deliberation, the ARS the assurance maladie's opinion, the
    # council a consultation of its own.
    page = log_in(browser, demo_server, "asso")
    page.goto(contract_url)
    page.get_by_role("link", name="Consultations avant signature").click()
    _record(
        page,
        "Conseil de la vie sociale (CVS)",
        "Avis favorable",
        today,
        establishment="IME Les Grands Chênes (440005015)",
    )
    _record(
        page,
        "Délibération du conseil d'administration de l'organisme gestionnaire",
        "Délibération adoptée",
        today,
        minutes=minutes,
    )
    assert "Délibération du conseil d'administration adoptée le" in page.get_by_test_id("deliberation").inner_text()
    page.close()
    page = log_in(browser, demo_server, "ars")
    page.goto(f"{contract_url}consultations/")
    _record(page, "Avis de l'assurance maladie", "Avis favorable", today)
    page.close()
    page = log_in(browser, demo_server, "cd44")
    page.goto(f"{contract_url}consultations/")
    _record(page, "Autre consultation", "Information donnée", today, body="Commission autonomie du département")
    assert page.get_by_test_id("consultations").locator("tbody tr").count() == 4
    page.close()

    # The ARS declares the contract ready, then sends the final version.
    page = log_in(browser, demo_server, "ars")
    page.goto(contract_url)
    page.get_by_role("button", name="Déclarer le contrat prêt pour signature").click()
    page.get_by_role("link", name="Versions et signatures").click()
    page.get_by_role("button", name="Envoyer la version finale pour signature").click()
    assert "La version finale est envoyée pour signature" in page.get_by_role("status").inner_text()
    content_hash = page.get_by_test_id("content-hash").inner_text()
    assert page.get_by_test_id("signing-refusal").inner_text() == (
        "L'organisme gestionnaire Association Les Chemins de Loire signe avant vous."
    )
    page.close()

    # The association signs first (its signed scan), then the council and the ARS (the hash read on the document).
    page = log_in(browser, demo_server, "asso")
    page.goto(f"{contract_url}versions/")
    _sign(page, "Claire Martin", "Directrice générale", scan=scan)
    page.close()
    page = log_in(browser, demo_server, "cd44")
    page.goto(f"{contract_url}versions/")
    _sign(page, "Julien Moreau", "Vice-président chargé de l'autonomie", typed=content_hash)
    page.close()
    page = log_in(browser, demo_server, "ars")
    page.goto(f"{contract_url}versions/")
    _sign(page, "Nadia Benali", "Par délégation du directeur général", typed=content_hash)
    assert "le contrat est signé" in page.get_by_role("status").inner_text()

    # The contract reads signed; its signed PDF downloads, and its SHA-256 is the one the page shows.
    page.goto(contract_url)
    # DSFR writes badges in capitals; the text is the state's label.
    assert page.get_by_test_id("contract-state").text_content().strip() == "Signé"
    current = page.get_by_test_id("current-version").inner_text()
    assert f"Date d'effet : {today:%d/%m/%Y}" in current
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le contrat signé (PDF)").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert f"Empreinte SHA-256 du PDF : {hashlib.sha256(pdf).hexdigest()}" in current
    rows = page.locator("[data-testid='transitions'] tbody tr")
    assert "En signature → Signé" in rows.last.inner_text()

    # Its frame can no longer be edited: the page refuses, in French.
    response = page.goto(f"{contract_url}modifier/")
    assert response.status == 403
    assert "Seule l'autorité cheffe de file modifie le cadre du contrat, et seulement avant signature." in (
        page.locator("main").inner_text()
    )
    page.close()
    contract.refresh_from_db()
    assert contract.state == State.SIGNED
