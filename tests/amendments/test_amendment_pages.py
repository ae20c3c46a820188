"""The pages of the signed contract's life, as its parties and outsiders meet them."""

import json
from datetime import date

import pytest

import factories
from amendment_steps import TODAY, agree_all, capacity_extension, seal
from cpom.access import Role
from cpom.amendments import circuit, services
from cpom.amendments.models import Amendment, Change, ChangeKind, Termination
from cpom.demo.clock import fixed_clock, moment
from support import element, page_text, rows_of, text_of
from support import elements as page_elements

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_today():
    with fixed_clock(moment(TODAY)):
        yield


def test_the_signed_contract_page_offers_the_actions_after_signature(client_for, ehpad_contract):
    page = client_for("ehpad").get(ehpad_contract.get_absolute_url())
    actions = text_of(element(page, "//ul[@data-testid='contract-actions']"))
    for action in ("Avenants", "Prorogation", "Dénonciation", "Renouvellement", "Historique des versions"):
        assert action in actions


def test_the_contract_before_signature_offers_none_of_them(client_for, association_contract):
    page = client_for("asso").get(association_contract.get_absolute_url())
    assert "Vie du contrat" not in page_text(page)


def test_an_amendment_is_drafted_and_changed_from_its_pages(client_for, ehpad_contract, ssiad, on_today):
    client = client_for("ehpad")
    response = client.post(
        f"/contrats/{ehpad_contract.pk}/avenants/nouveau/",
        {
            "trigger": "capacity_extension",
            "summary": "Extension de 5 places du SSIAD.",
            "effective_date": "2026-10-01",
        },
    )
    amendment = Amendment.objects.get(contract=ehpad_contract)
    assert response.url == amendment.get_absolute_url()
    response = client.post(
        amendment.get_absolute_url(),
        {
            "kind": "places",
            "places-version": amendment.version,
            "places-establishment": ssiad.pk,
            "places-place_field": "authorised_places",
            "places-places": "45",
        },
    )
    assert response.status_code == 302
    page = client.get(amendment.get_absolute_url())
    assert rows_of(page, "//table[@data-testid='changes']")[1][:3] == [
        f"SSIAD du Baugeois ({ssiad.finess}) : places autorisées",
        "40",
        "45",
    ]
    deadlines = text_of(element(page, "//ul[@data-testid='procedure-deadlines']"))
    assert (
        "Signature de l'avenant (au plus tard six mois avant la mise en œuvre de l'extension) : au plus tard le 01/04/2026"
        in deadlines
    )


def test_capacity_above_the_authorised_places_is_said_on_the_page_and_nothing_saved(
    client_for, ehpad_contract, users, ssiad, on_today
):
    amendment = services.create_amendment(
        ehpad_contract,
        users["ehpad"],
        {"trigger": "capacity_extension", "summary": "Extension", "effective_date": date(2026, 10, 1)},
        today=TODAY,
    )
    response = client_for("ehpad").post(
        amendment.get_absolute_url(),
        {
            "kind": "places",
            "places-version": amendment.version,
            "places-establishment": ssiad.pk,
            "places-place_field": "installed_places",
            "places-places": "41",
        },
    )
    assert response.status_code == 400
    assert "une extension de capacité ne peut pas dépasser les places autorisées" in page_text(response)
    assert not Change.objects.filter(amendment=amendment).exists()


def test_a_read_only_member_is_refused_the_drafting_page(client, ehpad_contract):
    reader = factories.member(ehpad_contract.managing_body, Role.READ)
    client.force_login(reader)
    response = client.get(f"/contrats/{ehpad_contract.pk}/avenants/nouveau/")
    assert response.status_code == 403
    assert "Cette action demande le rôle « Contribution »." in page_text(response)


def test_a_non_party_does_not_see_the_amendments(client_for, ehpad_contract):
    assert client_for("cd44").get(f"/contrats/{ehpad_contract.pk}/avenants/").status_code == 404


def test_a_termination_without_a_ground_is_refused_on_the_page(client_for, ehpad_contract, on_today):
    response = client_for("ehpad").post(
        f"/contrats/{ehpad_contract.pk}/denonciation/",
        {"ground": "", "letter_sent_on": "2026-02-20", "letter_presented_on": "2026-02-23", "budget_regime": "x"},
    )
    assert response.status_code == 400
    assert "Motif : une dénonciation a un motif" in page_text(response)
    assert not Termination.objects.filter(contract=ehpad_contract).exists()


def test_the_history_shows_what_a_signed_amendment_changed(client_for, ehpad_contract, users, ssiad):
    # Version 0 is the contract as the world signed it through the circuit; avenant n° 1 is signed and applied.
    amendment = agree_all(capacity_extension(ehpad_contract, users, ssiad), users)
    version = services.send_for_signature(amendment, users["ars"], amendment.version, today=TODAY)
    services.apply_signed(seal(version, users), users["ars"])
    page = client_for("cd49").get(f"/contrats/{ehpad_contract.pk}/versions/historique/")
    assert [row[:3] for row in rows_of(page, "//table[@data-testid='versions']")][1:] == [
        ["0", ehpad_contract.versions.get(number=0).label, "Signée par toutes les parties"],
        ["1", "Avenant n° 1 – Extension de capacité", "Signée par toutes les parties"],
    ]
    # The SSIAD's places, and the places the ARS's envelope covers (86 + 40 → 86 + 45).
    assert rows_of(page, "//table[@data-testid='diff']")[1:] == [
        ["budget.envelopes[ars_am].places", "126", "131"],
        [f"perimeter[{ssiad.finess}].authorised_places", "40", "45"],
        [f"perimeter[{ssiad.finess}].installed_places", "38", "43"],
    ]
    assert json.loads(version.snapshot)["perimeter"] == circuit.contract_snapshot(ehpad_contract)["perimeter"]


def test_the_amendment_document_says_what_changes(client_for, ehpad_contract, users, ssiad):
    from io import BytesIO

    from docx import Document

    amendment = capacity_extension(ehpad_contract, users, ssiad)
    response = client_for("ehpad").get(f"/contrats/{ehpad_contract.pk}/avenants/1/avenant.docx")
    word = Document(BytesIO(response.content))
    text = "\n".join(p.text for p in word.paragraphs)
    assert text.startswith(f"Avenant n° 1 au contrat pluriannuel d'objectifs et de moyens {ehpad_contract.reference}")
    assert 'string="PROJET"' in word.sections[0].header._element.xml
    rows = [[c.text for c in row.cells] for row in word.tables[0].rows]
    assert rows[1:] == [[c.label, c.old_value, c.new_value] for c in amendment.changes.all()]
    assert "Le présent avenant prend effet le 01/10/2026." in text
    signing = [line for p in word.paragraphs for line in p.text.split("\n") if line.startswith("Pour ")]
    assert signing == [f"Pour {label}" for label in signatory_labels(ehpad_contract)]


def signatory_labels(contract):
    """The managing body first, the co-signing council, the lead authority last."""
    parties = list(contract.parties.select_related("authority"))
    return [
        contract.managing_body.name,
        *[p.authority.name for p in parties if not p.is_lead],
        *[p.authority.name for p in parties if p.is_lead],
    ]


def test_the_document_sent_for_signature_prints_the_content_hash_and_no_watermark(ehpad_contract, users, ssiad):
    from io import BytesIO

    from docx import Document

    amendment = agree_all(capacity_extension(ehpad_contract, users, ssiad), users)
    version = services.send_for_signature(amendment, users["ars"], amendment.version, today=TODAY)
    word = Document(BytesIO(bytes(version.docx)))
    footer = "\n".join(p.text for p in word.sections[0].footer.paragraphs)
    assert f"Empreinte SHA-256 : {version.content_sha256}" in footer
    assert "PROJET" not in word.sections[0].header._element.xml


def test_the_draft_offers_each_kind_of_change_that_has_something_to_change(client_for, ehpad_contract, users, on_today):
    amendment = services.create_amendment(
        ehpad_contract,
        users["ehpad"],
        {"trigger": "capacity_extension", "summary": "Extension", "effective_date": date(2026, 10, 1)},
        today=TODAY,
    )
    page = client_for("ehpad").get(amendment.get_absolute_url())
    offered = [text_of(node) for node in page_elements(page, "//details[starts-with(@data-testid, 'change-')]/summary")]
    # Every establishment of the EHPAD's managing body is in the perimeter already: none to add.
    assert offered == [
        "Cible d'un indicateur",
        "Intitulé d'un objectif",
        "Rubrique d'une fiche objectif",
        "Places d'un établissement",
        "Sortie d'un établissement du périmètre",
        "Montant d'une ligne du budget de référence",
        "Date de fin du contrat",
    ]
    reader = factories.member(ehpad_contract.managing_body, Role.READ)
    client = client_for("ehpad")
    client.force_login(reader)
    assert page_elements(client.get(amendment.get_absolute_url()), "//details") == []


def test_a_draft_edited_meanwhile_is_not_overwritten(client_for, ehpad_contract, users, ssiad, on_today):
    amendment = capacity_extension(ehpad_contract, users, ssiad)
    seen = amendment.version
    services.agree(amendment, users["ehpad"], seen)  # the agreement does not move the draft on…
    services.save_change(
        amendment,
        users["cd49"],
        ChangeKind.PLACES,
        {"establishment": ssiad.pk, "field": "installed_places", "new_value": "44"},
        seen,
    )  # …an edit does
    response = client_for("ehpad").post(
        f"/contrats/{ehpad_contract.pk}/avenants/1/procedure/",
        {"trigger": "capacity_extension", "summary": "Autre objet", "effective_date": "2026-10-01", "version": seen},
    )
    assert response.status_code == 409
    amendment.refresh_from_db()
    assert amendment.summary.startswith("Extension de 5 places")


def test_the_prorogation_page_records_the_decision(client_for, ehpad_contract, on_today):
    from cpom.objectives.negotiation import parties

    client = client_for("ars")
    page = client.get(f"/contrats/{ehpad_contract.pk}/prorogation/")
    assert "Le contrat prend fin le 31/12/2028" in page_text(page)
    response = client.post(
        f"/contrats/{ehpad_contract.pk}/prorogation/",
        {
            "decided_on": "2026-03-02",
            "decision": "Décision conjointe du 2 mars 2026",
            "agreed": [p.label for p in parties(ehpad_contract)],
        },
    )
    assert response.status_code == 302
    ehpad_contract.refresh_from_db()
    assert ehpad_contract.end_date == date(2029, 12, 31)
    page = client.get(f"/contrats/{ehpad_contract.pk}/prorogation/")
    assert "une seconde prorogation ne se fait que par avenant" in text_of(
        element(page, "//*[@data-testid='blockers']")
    )


def test_only_the_lead_records_a_prorogation_or_prepares_the_renewal(client_for, ehpad_contract):
    for url in ("prorogation", "renouvellement"):
        response = client_for("ehpad").get(f"/contrats/{ehpad_contract.pk}/{url}/")
        assert response.status_code == 403
        assert "Seule l'autorité cheffe de file" in page_text(response)


def test_the_renewal_page_programs_the_successor_and_its_assessment_page(client_for, ehpad_contract):
    from cpom.contracts.models import Contract

    with fixed_clock(moment(date(2027, 7, 1))):
        response = client_for("ars").post(
            f"/contrats/{ehpad_contract.pk}/renouvellement/",
            {
                "reference": "CPOM-PDL-2029-049-08",
                "title": "CPOM tripartite de l'EHPAD Les Tilleuls (2029-2033)",
                "duration_years": "5",
                "establishments": [e.pk for e in ehpad_contract.establishments.all()],
                "co_signatories": [p.authority_id for p in ehpad_contract.parties.all() if not p.is_lead],
            },
        )
    assert response.status_code == 302, page_text(response)
    successor = Contract.objects.get(reference="CPOM-PDL-2029-049-08")
    assert response.url == successor.get_absolute_url()
    page = client_for("ehpad").get(successor.get_absolute_url())
    assert "Bilan du contrat précédent (CPOM-PDL-2024-049-07)" in text_of(
        element(page, "//ul[@data-testid='contract-actions']")
    )
    page = client_for("ehpad").get(f"/contrats/{successor.pk}/renouvellement/bilan/")
    assert "n'existe pas encore dans cpom" in page_text(page)
    assert rows_of(page, "//table[@data-testid='assessment']")[1][:2] == ["Objectif", "1.1 Réduire l'absentéisme"]
    assert "son diagnostic partagé s'ouvre au lancement" in text_of(
        element(page, "//*[@data-testid='take-up-refusal']")
    )
