"""The versions page (send, sign in order, refuse, download the stored bytes, check a hash) and the contract page's
signature panel, as the parties use them."""

import hashlib
from datetime import date

from django.urls import reverse
from django.utils import timezone

import factories
from cpom.contracts.models import State
from cpom.demo.clock import fixed_clock, moment
from cpom.signing import services
from cpom.signing.models import VersionStatus
from support import element, elements, page_text, text_of


def _versions(contract):
    return reverse("signing:versions", kwargs={"contract_id": contract.pk})


def _sign_form(name, title, **fields):
    return {
        "signatory_name": name,
        "signatory_title": title,
        "signed_on": timezone.localdate().isoformat(),
        "signed_hash": "",
        **fields,
    }


def test_the_lead_sends_the_version_then_each_party_signs_in_order_and_the_contract_reads_signed(
    ready_contract, client_for
):
    other = client_for("asso").get(_versions(ready_contract))
    assert not elements(other, "//form[@data-testid='send-form']")
    assert "Seule l'autorité cheffe de file, l'ARS Pays de la Loire, peut effectuer cette action." in text_of(
        element(other, "//*[@data-testid='send-blockers']")
    )
    ars = client_for("ars")
    page = ars.get(_versions(ready_contract))
    action = element(page, "//form[@data-testid='send-form']").get("action")
    assert ars.post(action, {"version": ready_contract.version, "effective_date": ""}).status_code == 302
    version = services.sent_version(ready_contract)
    page = ars.get(_versions(ready_contract))
    assert text_of(element(page, "//ol[@data-testid='signature-order']")) == (
        "L'organisme gestionnaire Association Les Chemins de Loire : à signer maintenant "
        "Le Conseil départemental de Loire-Atlantique : en attente L'ARS Pays de la Loire : en attente"
    )
    assert text_of(element(page, "//*[@data-testid='signing-refusal']")) == (
        "L'organisme gestionnaire Association Les Chemins de Loire signe avant vous."
    )
    sign_url = reverse("signing:sign", kwargs={"contract_id": ready_contract.pk, "version_id": version.pk})
    scan = factories.pdf_upload("cpom-signe-association.pdf", b"%PDF-1.4\n% signe OG\n")
    response = client_for("asso").post(sign_url, {**_sign_form("Claire Martin", "Directrice générale"), "scan": scan})
    assert response.status_code == 302, page_text(response)
    cd44 = client_for("cd44")
    response = cd44.post(sign_url, _sign_form("Julien Moreau", "Vice-président", signed_hash=version.content_sha256))
    assert response.status_code == 302
    ars = client_for("ars")  # one test client, logged in as each party in turn
    response = ars.post(sign_url, _sign_form("Nadia Benali", "Pour le DG", signed_hash=version.content_sha256.upper()))
    assert response.status_code == 302
    ready_contract.refresh_from_db()
    assert ready_contract.state == State.SIGNED
    detail = ars.get(reverse("contracts:detail", kwargs={"contract_id": ready_contract.pk}))
    assert "Signé" in text_of(element(detail, "//h1/following-sibling::div[1]"))
    panel = text_of(element(detail, "//ul[@data-testid='current-version']"))
    today = timezone.localdate()
    assert f"Contrat initial, signé par toutes les parties le {today:%d/%m/%Y}" in panel
    assert f"Date d'effet : {today:%d/%m/%Y}" in panel
    page = ars.get(_versions(ready_contract))
    shown_pdf_hash = text_of(element(page, "//code[@data-testid='pdf-hash']"))
    pdf = ars.get(element(page, "//a[@data-testid='download-pdf']").get("href"))
    assert pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == shown_pdf_hash == version.pdf_sha256
    rows = [text_of(r) for r in elements(page, "//table[@data-testid='signatures']/tbody/tr")]
    assert rows[0].startswith("L'organisme gestionnaire Association Les Chemins de Loire Signé Claire Martin")
    assert rows[0].endswith("cpom-signe-association.pdf")
    assert rows[2].endswith("empreinte saisie")


def test_a_signature_refused_by_the_rules_is_said_beside_its_field_and_nothing_is_saved(sent_version, client_for):
    sign_url = reverse("signing:sign", kwargs={"contract_id": sent_version.contract_id, "version_id": sent_version.pk})
    wrong = hashlib.sha256(b"autre").hexdigest()
    response = client_for("asso").post(sign_url, _sign_form("", "Directrice générale", signed_hash=wrong))
    assert response.status_code == 400
    text = page_text(response)
    assert "Nom du signataire : indiquez qui a signé pour la partie." in text
    assert "Empreinte : l'empreinte ne correspond pas à la version envoyée." in text
    assert not sent_version.signatures.exists()


def test_a_party_refuses_with_its_reason_and_the_contract_goes_back_to_negotiation(sent_version, client_for):
    contract = sent_version.contract
    refuse_url = reverse("signing:refuse", kwargs={"contract_id": contract.pk, "version_id": sent_version.pk})
    viewer = client_for("cd44")
    response = viewer.post(refuse_url, {"reason": ""})
    assert response.status_code == 400
    assert "Motif du refus : indiquez pourquoi la partie refuse de signer." in page_text(response)
    assert viewer.post(refuse_url, {"reason": "Le taux du département manque."}).status_code == 302
    contract.refresh_from_db()
    sent_version.refresh_from_db()
    assert (contract.state, sent_version.status) == (State.NEGOTIATION, VersionStatus.VOIDED)
    page = viewer.get(_versions(contract))
    assert text_of(element(page, "//*[@data-testid='version-status']")) == "Annulée (signature refusée)"


def test_the_contract_page_clicks_cannot_take_the_circuits_steps(sent_version, client_for):
    contract = sent_version.contract
    viewer = client_for("ars")
    detail = viewer.get(reverse("contracts:detail", kwargs={"contract_id": contract.pk}))
    blockers = text_of(element(detail, "//form[@data-testid='transition-signed']"))
    assert "Chaque partie signe sur la page « Versions et signatures »" in blockers
    response = viewer.post(
        reverse("contracts:transition", kwargs={"contract_id": contract.pk}),
        {"to_state": State.SIGNED, "version": contract.version, "comment": ""},
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.state == State.IN_SIGNATURE
    panel = text_of(element(detail, "//ol[@data-testid='signature-order']"))
    assert panel.startswith("L'organisme gestionnaire Association Les Chemins de Loire : doit signer maintenant")


def test_anyone_who_sees_the_contract_checks_a_hash_pasted_or_from_a_file(ehpad_contract, client_for):
    version = services.current_version(ehpad_contract)
    check_url = reverse("signing:check", kwargs={"contract_id": ehpad_contract.pk, "version_id": version.pk})
    viewer = client_for("cd49")
    response = viewer.post(check_url, {"typed": f"  {version.content_sha256.upper()} "})
    assert text_of(element(response, "//*[@data-testid='check-result']")) == (
        f"L'empreinte {version.content_sha256} correspond à l'empreinte du contenu, imprimée en pied de page."
    )
    pdf = factories.pdf_upload("contrat.pdf", bytes(version.pdf))
    response = viewer.post(check_url, {"file": pdf})
    assert text_of(element(response, "//*[@data-testid='check-result']")) == (
        f"contrat.pdf : l'empreinte {version.pdf_sha256} correspond au document PDF de la version."
    )
    altered = factories.pdf_upload("contrat-modifie.pdf", bytes(version.pdf) + b"%")
    response = viewer.post(check_url, {"file": altered})
    assert "ne correspond à aucun document de cette version" in text_of(
        element(response, "//*[@data-testid='check-result']")
    )


def test_a_contract_in_force_shows_its_version_and_the_year_it_is_in(ehpad_contract, client_for):
    with fixed_clock(moment(date(2026, 3, 2))):
        detail = client_for("ehpad").get(reverse("contracts:detail", kwargs={"contract_id": ehpad_contract.pk}))
    panel = text_of(element(detail, "//ul[@data-testid='current-version']"))
    assert "Contrat initial, signé par toutes les parties le 08/12/2023" in panel
    assert "Date d'effet : 01/01/2024" in panel
    assert "Année 3 sur 5 (2026)" in panel
    assert services.current_version(ehpad_contract).content_sha256 in panel


def test_the_document_command_and_download_give_the_sealed_bytes_never_generated_again(
    ehpad_contract, client_for, tmp_path
):
    import io

    from django.core.management import call_command

    version = services.current_version(ehpad_contract)
    for extension, stored in (("pdf", bytes(version.pdf)), ("docx", bytes(version.docx))):
        out = tmp_path / f"contrat.{extension}"
        call_command(
            "contrats",
            "document",
            ehpad_contract.reference,
            "--format",
            extension,
            "--sortie",
            str(out),
            stdout=io.StringIO(),
        )
        assert out.read_bytes() == stored
        url = reverse("documents:contract_file", kwargs={"contract_id": ehpad_contract.pk, "extension": extension})
        assert client_for("cd49").get(url).content == stored


def test_sending_from_a_page_someone_else_changed_meanwhile_is_refused_not_lost(ready_contract, client_for):
    from support import assert_stale

    response = client_for("ars").post(
        reverse("signing:send", kwargs={"contract_id": ready_contract.pk}),
        {"version": ready_contract.version - 1, "effective_date": ""},
    )
    assert_stale(response)
    ready_contract.refresh_from_db()
    assert ready_contract.state == State.READY_FOR_SIGNATURE and not ready_contract.versions.exists()
