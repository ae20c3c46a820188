"""The signature circuit through its services: sending, the order, the hash, sealing, refusing, and what is refused."""

import hashlib
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from docx import Document as WordDocument
from pypdf import PdfReader

import factories
from cpom.access import Role
from cpom.audit.models import AuditEntry
from cpom.contracts.models import State
from cpom.signing import services
from cpom.signing.models import Consultation, Decision, VersionStatus


def _keys(contract, users):
    cd44 = users["cd44"].membership.authority_id
    ars = users["ars"].membership.authority_id
    return ["managing_body", f"authority:{cd44}", f"authority:{ars}"]


def _pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(data)).pages]


def _sign_all(version, users, today):
    for username in ("asso", "cd44", "ars"):
        services.sign(version, users[username], factories.signature_data(version, today))


def test_sending_stores_the_snapshot_its_hash_and_documents_printing_it_and_fixes_the_order(ready_contract, users):
    version = services.send_for_signature(ready_contract, users["ars"])
    version.refresh_from_db()
    ready_contract.refresh_from_db()
    assert ready_contract.state == State.IN_SIGNATURE
    assert (version.number, version.status, version.label) == (0, VersionStatus.SENT, "Contrat initial")
    assert version.content_sha256 == hashlib.sha256(version.snapshot.encode("utf-8")).hexdigest()
    assert version.pdf_sha256 == hashlib.sha256(bytes(version.pdf)).hexdigest()
    assert version.docx_sha256 == hashlib.sha256(bytes(version.docx)).hexdigest()
    # The hash is on every page of the PDF and in the Word document's footer.
    pages = _pdf_text(bytes(version.pdf))
    assert pages and all(version.content_sha256 in " ".join(page.split()) for page in pages)
    word = WordDocument(BytesIO(bytes(version.docx)))
    assert version.content_sha256 in " ".join(p.text for s in word.sections for p in s.footer.paragraphs)
    # The managing body first, the co-signing council, the lead authority last.
    assert version.signature_order == _keys(ready_contract, users)
    # The board's deliberation is in the content signed.
    assert '"deliberation_date":"2026-09-28"' in version.snapshot
    last = ready_contract.transitions.last()
    assert (last.from_state, last.to_state, last.user) == (State.READY_FOR_SIGNATURE, State.IN_SIGNATURE, users["ars"])
    assert version.content_sha256 in last.comment
    assert AuditEntry.objects.filter(
        object_id=str(ready_contract.pk), action="Contrat initial envoyé pour signature"
    ).exists()


def test_only_the_lead_sends_and_only_a_contract_ready_for_signature(ready_contract, association_contract, users):
    with pytest.raises(services.SigningRefused) as refused:
        services.send_for_signature(ready_contract, users["cd44"])
    assert (
        "Seule l'autorité cheffe de file, l'ARS Pays de la Loire, peut effectuer cette action." in refused.value.reasons
    )
    assert not ready_contract.versions.exists()


def test_a_contract_in_negotiation_is_not_sent(association_contract, users):
    with pytest.raises(services.SigningRefused) as refused:
        services.send_for_signature(association_contract, users["ars"])
    assert refused.value.reasons == [
        "Un contrat à l'état « En négociation » ne peut pas passer à l'état « En signature »."
    ]
    assert not association_contract.versions.exists()


def test_the_parties_sign_in_order_and_the_last_signature_seals_the_version_and_signs_the_contract(sent_version, users):
    sealed = []
    services.on_sealed(lambda version, user: sealed.append((version.pk, version.status, user)))
    today = timezone.localdate()
    with pytest.raises(services.SigningRefused) as refused:
        services.sign(
            sent_version, users["ars"], factories.signature_data(sent_version, today, "Nadia Benali", "Pour le DG")
        )
    assert refused.value.reasons == [
        "L'organisme gestionnaire Association Les Chemins de Loire doit signer avant l'ARS Pays de la Loire "
        "(ordre de signature fixé à l'envoi)."
    ]
    services.sign(sent_version, users["asso"], factories.signature_data(sent_version, today))
    with pytest.raises(services.SigningRefused) as refused:
        services.sign(
            sent_version, users["ars"], factories.signature_data(sent_version, today, "Nadia Benali", "Pour le DG")
        )
    assert refused.value.reasons[0].startswith("Le Conseil départemental de Loire-Atlantique doit signer avant")
    services.sign(
        sent_version, users["cd44"], factories.signature_data(sent_version, today, "Julien Moreau", "Vice-président")
    )
    sent_version.refresh_from_db()
    assert sent_version.status == VersionStatus.SENT and sent_version.contract.state == State.IN_SIGNATURE
    services.sign(
        sent_version, users["ars"], factories.signature_data(sent_version, today, "Nadia Benali", "Pour le DG")
    )
    sent_version.refresh_from_db()
    contract = sent_version.contract
    contract.refresh_from_db()
    assert sent_version.status == VersionStatus.SEALED
    assert sent_version.effective_date == today and sent_version.sealed_at is not None
    assert contract.state == State.SIGNED
    assert [s.party_key for s in sent_version.signatures.order_by("recorded_at", "pk")] == sent_version.signature_order
    assert {s.signed_hash for s in sent_version.signatures.all()} == {sent_version.content_sha256}
    assert sealed == [(sent_version.pk, VersionStatus.SEALED, users["ars"])]
    assert services.current_version(contract) == sent_version


def test_an_effective_date_agreed_at_sending_is_kept(ready_contract, users):
    version = services.send_for_signature(ready_contract, users["ars"], effective_date=ready_contract.start_date)
    _sign_all(version, users, timezone.localdate())
    version.refresh_from_db()
    assert version.effective_date == ready_contract.start_date


def test_an_effective_date_outside_the_contract_is_refused(ready_contract, users):
    with pytest.raises(services.SigningRefused) as refused:
        services.send_for_signature(ready_contract, users["ars"], effective_date=ready_contract.end_date + timedelta(1))
    assert refused.value.reasons[0].startswith("Date d'effet : le ")
    ready_contract.refresh_from_db()
    assert ready_contract.state == State.READY_FOR_SIGNATURE and not ready_contract.versions.exists()


def test_a_hash_other_than_the_one_sent_is_refused_and_nothing_is_saved(sent_version, users):
    other = hashlib.sha256(b"un autre document").hexdigest()
    with pytest.raises(services.SigningRefused) as refused:
        services.sign(
            sent_version, users["asso"], factories.signature_data(sent_version, timezone.localdate(), signed_hash=other)
        )
    assert refused.value.errors == [("signed_hash", "Empreinte : l'empreinte ne correspond pas à la version envoyée.")]
    assert not sent_version.signatures.exists()


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("cd49", "Seules les parties au contrat peuvent effectuer cette action."),
        ("ehpad", "Seules les parties au contrat peuvent effectuer cette action."),
        (
            "admin",
            "L'équipe de la plateforme n'agit au nom d'aucune partie : seules les parties au contrat le font.",
        ),
    ],
)
def test_a_signature_by_someone_who_is_not_a_party_is_refused(sent_version, users, username, message):
    for action in (
        lambda: services.sign(
            sent_version, users[username], factories.signature_data(sent_version, timezone.localdate())
        ),
        lambda: services.refuse(sent_version, users[username], "Désaccord."),
    ):
        with pytest.raises(services.SigningRefused) as refused:
            action()
        assert refused.value.reasons == [message]
    assert not sent_version.signatures.exists()


def test_a_read_only_member_of_a_party_does_not_sign(sent_version, users):
    reader = factories.member(users["asso"].membership.managing_body, Role.READ, username="lecteur")
    with pytest.raises(services.SigningRefused) as refused:
        services.sign(sent_version, reader, factories.signature_data(sent_version, timezone.localdate()))
    assert refused.value.reasons == ["Signer au nom d'une partie demande le rôle « Validation et signature »."]
    assert not sent_version.signatures.exists()


def test_a_party_signs_once(sent_version, users):
    today = timezone.localdate()
    services.sign(sent_version, users["asso"], factories.signature_data(sent_version, today))
    with pytest.raises(services.SigningRefused) as refused:
        services.sign(sent_version, users["asso"], factories.signature_data(sent_version, today))
    assert refused.value.reasons == [
        f"L'organisme gestionnaire Association Les Chemins de Loire a déjà répondu pour cette version : "
        f"signé le {today:%d/%m/%Y}."
    ]


def test_a_signed_scan_that_is_not_a_pdf_is_refused_naming_the_file(sent_version, users):
    scan = factories.pdf_upload("signature.docx", b"PK\x03\x04 pas un PDF", "application/pdf")
    data = factories.signature_data(sent_version, timezone.localdate(), signed_hash="")
    with pytest.raises(services.SigningRefused) as refused:
        services.sign(sent_version, users["asso"], data, scan)
    assert refused.value.errors == [
        ("scan", "Exemplaire signé : signature.docx n'est pas un PDF (son contenu ne commence pas par %PDF-).")
    ]
    word = factories.pdf_upload("signature.docx", b"PK\x03\x04", "application/vnd.ms-word")
    with pytest.raises(services.SigningRefused) as refused:
        services.sign(sent_version, users["asso"], data, word)
    assert refused.value.reasons == [
        "Exemplaire signé : signature.docx n'est pas un PDF (type « application/vnd.ms-word »)."
    ]
    assert not sent_version.signatures.exists()


def test_a_scan_above_the_size_bound_is_refused_before_it_is_read(sent_version, users, settings):
    settings.CPOM_MAX_UPLOAD_BYTES = 10
    scan = factories.pdf_upload("gros.pdf", b"%PDF-1.4\n" + b"x" * 20)
    with pytest.raises(services.SigningRefused) as refused:
        services.sign(
            sent_version,
            users["asso"],
            factories.signature_data(sent_version, timezone.localdate(), signed_hash=""),
            scan,
        )
    assert refused.value.reasons == ["Exemplaire signé : gros.pdf dépasse la taille autorisée (0 Mo)."]


def test_a_signed_scan_stands_for_the_hash_of_the_document_sent(sent_version, users):
    content = b"%PDF-1.4\n% exemplaire signe\n"
    scan = factories.pdf_upload("exemplaire.pdf", content)
    signature = services.sign(
        sent_version, users["asso"], factories.signature_data(sent_version, timezone.localdate(), signed_hash=""), scan
    )
    signature.refresh_from_db()
    assert signature.signed_hash == sent_version.content_sha256
    assert (signature.scan_name, signature.scan_size) == ("exemplaire.pdf", len(content))
    assert signature.scan_sha256 == hashlib.sha256(content).hexdigest()
    with signature.scan.open("rb") as stored:
        assert stored.read() == content
    assert not signature.scan.name.endswith("exemplaire.pdf")  # the uploaded name never reaches the file system


def test_bad_dates_and_a_missing_signatory_are_refused_with_every_reason(sent_version, users):
    contract = sent_version.contract
    before_board = date(2026, 9, 27)
    data = factories.signature_data(sent_version, before_board, name=" ", title="")
    with pytest.raises(services.SigningRefused) as refused:
        services.sign(sent_version, users["asso"], data)
    sent_on = timezone.localdate(sent_version.sent_at)
    assert refused.value.errors == [
        ("signatory_name", "Nom du signataire : indiquez qui a signé pour la partie."),
        ("signatory_title", "Qualité du signataire : indiquez à quel titre il ou elle a signé."),
        (
            "signed_on",
            f"Date de signature : le 27/09/2026 précède l'envoi de la version pour signature, le {sent_on:%d/%m/%Y}.",
        ),
        (
            "signed_on",
            "Date de signature : le 27/09/2026 précède la dernière consultation "
            f"(Conseil d'administration – {contract.managing_body.name}, le 28/09/2026).",
        ),
    ]
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(services.SigningRefused) as refused:
        services.sign(sent_version, users["asso"], factories.signature_data(sent_version, tomorrow))
    assert refused.value.reasons == [f"Date de signature : le {tomorrow:%d/%m/%Y} est dans le futur."]
    assert not sent_version.signatures.exists()


def test_a_refusal_voids_the_version_and_sends_the_contract_back_to_negotiation(sent_version, users):
    voided = []
    services.on_voided(lambda version, user: voided.append(version.pk))
    services.sign(sent_version, users["asso"], factories.signature_data(sent_version, timezone.localdate()))
    services.refuse(sent_version, users["cd44"], "Le taux d'évolution du département n'est pas celui voté.")
    sent_version.refresh_from_db()
    contract = sent_version.contract
    contract.refresh_from_db()
    assert sent_version.status == VersionStatus.VOIDED and sent_version.voided_at is not None
    assert sent_version.void_reason == (
        "Refus de signer du Conseil départemental de Loire-Atlantique : "
        "Le taux d'évolution du département n'est pas celui voté."
    )
    assert contract.state == State.NEGOTIATION
    last = contract.transitions.last()
    assert (last.from_state, last.to_state, last.user) == (State.IN_SIGNATURE, State.NEGOTIATION, users["cd44"])
    assert last.comment == sent_version.void_reason
    refusal = sent_version.signatures.get(decision=Decision.REFUSED)
    assert refusal.reason == "Le taux d'évolution du département n'est pas celui voté."
    assert voided == [sent_version.pk]
    # The signature collected no longer counts: the next sending is a new version, signed again from the start.
    from cpom.contracts import lifecycle

    lifecycle.transition(contract, State.READY_FOR_SIGNATURE, users["ars"])
    again = services.send_for_signature(contract, users["ars"])
    assert again.number == 0 and again.pk != sent_version.pk
    assert services.progress(again).next_key == "managing_body"


def test_a_refusal_without_a_reason_is_refused_and_nothing_is_saved(sent_version, users):
    with pytest.raises(services.SigningRefused) as refused:
        services.refuse(sent_version, users["cd44"], "  ")
    assert refused.value.errors == [("reason", "Motif du refus : indiquez pourquoi la partie refuse de signer.")]
    sent_version.refresh_from_db()
    assert sent_version.status == VersionStatus.SENT and not sent_version.signatures.exists()


def test_the_signature_order_is_a_setting_read_when_the_version_is_sent(ready_contract, users, settings):
    settings.CPOM_SIGNATURE_ORDER = ("managing_body", "lead", "co_signatories")
    version = services.send_for_signature(ready_contract, users["ars"])
    managing_body, cd44, ars = _keys(ready_contract, users)
    assert version.signature_order == [managing_body, ars, cd44]
    settings.CPOM_SIGNATURE_ORDER = ("lead", "managing_body")
    with pytest.raises(ImproperlyConfigured, match="CPOM_SIGNATURE_ORDER doit nommer une fois chacun"):
        services.rules.signature_order(ready_contract)
    # Fixed at sending: the version keeps its order.
    version.refresh_from_db()
    assert version.signature_order == [managing_body, ars, cd44]


def test_the_worlds_ehpad_contract_was_signed_through_the_circuit(ehpad_contract, users):
    version = services.current_version(ehpad_contract)
    assert (version.status, version.effective_date) == (VersionStatus.SEALED, date(2024, 1, 1))
    signatures = list(version.signatures.order_by("signed_on"))
    assert [(s.signatory_name, s.signed_on) for s in signatures] == [
        ("Paul Lefèvre", date(2023, 12, 1)),
        ("Sophie Garnier", date(2023, 12, 5)),
        ("Nadia Benali", date(2023, 12, 8)),
    ]
    assert [s.party_key for s in signatures] == version.signature_order
    kinds = list(Consultation.objects.filter(contract=ehpad_contract).values_list("kind", flat=True))
    assert kinds == ["cvs", "staff", "board"]
    states = [t.to_state for t in ehpad_contract.transitions.all()]
    assert states[-4:] == [State.READY_FOR_SIGNATURE, State.IN_SIGNATURE, State.SIGNED, State.IN_FORCE]


def test_the_contract_year_counts_from_the_start_date(ehpad_contract):
    year = services.contract_year(ehpad_contract, date(2026, 3, 1))
    assert (year.index, year.count, year.calendar_year) == (3, 5, 2026)
    assert services.contract_year(ehpad_contract, date(2023, 12, 31)) is None
    assert services.contract_year(ehpad_contract, date(2028, 12, 31)).index == 5
