"""Findings (constats): written by one side, edited by that side only, never saved half right."""

import re

import pytest
from django.urls import reverse

from cpom.diagnostic.models import Finding
from support import assert_stale, page_text


@pytest.fixture
def finding_data(frame):
    def data(**overrides):
        values = {
            "section": frame.sections.get(code="1.3.4").pk,
            "text": "L'absentéisme des équipes éducatives dépasse 9 % depuis trois ans.",
            "nature": "difficulty",
            "level": "managing_body",
            "establishment": "",
            "evidence_indicators": [],
            "evidence_attachments": [],
            "evidence": "Bilans sociaux 2023 à 2025.",
            "causes": "Postes vacants non remplacés.",
            "consequences": "Recours à l'intérim.",
            "lever_exists": "on",
            "priority": "1",
        }
        values.update(overrides)
        return values

    return data


def _create_url(contract):
    return reverse("diagnostic:finding_create", kwargs={"contract_id": contract.pk})


def _finding_url(finding):
    return reverse(
        "diagnostic:finding", kwargs={"contract_id": finding.diagnostic.contract_id, "finding_id": finding.pk}
    )


def test_the_managing_body_writes_a_finding_and_finds_it_everywhere(
    client_for, association_contract, diagnostic, finding_data, section_url, text_of
):
    client = client_for("asso")
    response = client.post(_create_url(association_contract), finding_data(), follow=True)
    finding = Finding.objects.get(diagnostic=diagnostic, text__startswith="L'absentéisme des équipes éducatives")
    assert finding.authority is None and finding.organisation_label == "Association Les Chemins de Loire"
    body = text_of(response)
    assert "Le constat est enregistré." in body and "Postes vacants non remplacés." in body
    home = text_of(client.get(reverse("diagnostic:home", kwargs={"contract_id": association_contract.pk})))
    assert f'href="{_finding_url(finding)}">{finding.text}</a>' in home
    assert finding.text in text_of(client.get(section_url(association_contract, "1.3.4")))


def test_the_findings_list_filters_by_nature(client_for, association_contract, diagnostic, finding_data, text_of):
    client = client_for("asso")
    client.post(
        _create_url(association_contract),
        finding_data(text="Une équipe qualité structurée au siège.", nature="strength"),
    )
    client.post(_create_url(association_contract), finding_data(text="Des locaux vétustes à la MAS.", nature="problem"))
    home = reverse("diagnostic:home", kwargs={"contract_id": association_contract.pk})
    strengths = text_of(client.get(home, {"nature": "strength"}))
    findings = re.search(r'data-testid="findings">(.*?)</table>', strengths, re.S).group(1)
    assert "Une équipe qualité structurée au siège." in findings and "Des locaux vétustes à la MAS." not in findings


def test_the_evidence_indicators_are_those_of_the_frame_with_code_and_label(
    client_for, association_contract, diagnostic, text_of
):
    page = text_of(client_for("asso").get(_create_url(association_contract)))
    assert "i-25 – Taux d'occupation" in page
    assert "tdb-absenteisme – " in page


def test_the_authors_side_edits_its_finding(client_for, association_contract, diagnostic, finding_data, text_of):
    client = client_for("asso")
    client.post(_create_url(association_contract), finding_data())
    finding = Finding.objects.filter(diagnostic=diagnostic).latest("pk")
    response = client.post(
        _finding_url(finding),
        finding_data(
            text="L'absentéisme dépasse 9 % au FAM depuis trois ans.",
            level="establishment",
            establishment=association_contract.establishments.get(category="FAM").pk,
            version=finding.version,
        ),
        follow=True,
    )
    assert "Le constat est mis à jour." in page_text(response)
    finding.refresh_from_db()
    assert finding.text == "L'absentéisme dépasse 9 % au FAM depuis trois ans."
    assert finding.establishment.category == "FAM" and finding.version == 2


def test_the_other_side_reads_the_finding_but_cannot_edit_it(
    client_for, association_contract, diagnostic, finding_data, text_of
):
    client_for("asso").post(_create_url(association_contract), finding_data())
    finding = Finding.objects.filter(diagnostic=diagnostic).latest("pk")
    ars = client_for("ars")
    page = text_of(ars.get(_finding_url(finding)))
    assert finding.text in page and 'data-testid="finding-form"' not in page
    assert "Seule la partie qui a rédigé ce constat peut le modifier" in page
    assert re.search(r'data-testid="finding-objectives">.*aucun pour l\'instant', page, re.S)
    refused = ars.post(_finding_url(finding), finding_data(text="Réécrit par l'ARS.", version=finding.version))
    assert refused.status_code == 403
    finding.refresh_from_db()
    assert finding.text.startswith("L'absentéisme des équipes éducatives") and finding.version == 1


def test_an_authority_finding_belongs_to_the_authority(client_for, association_contract, diagnostic, finding_data):
    client_for("ars").post(
        _create_url(association_contract), finding_data(text="Un territoire rural mal desservi.", level="territory")
    )
    finding = Finding.objects.get(diagnostic=diagnostic, text="Un territoire rural mal desservi.")
    assert finding.organisation_label == "ARS Pays de la Loire"
    assert client_for("asso").post(_finding_url(finding), finding_data(version=1)).status_code == 403
    finding.refresh_from_db()
    assert finding.text == "Un territoire rural mal desservi."


def test_an_establishment_level_finding_needs_its_establishment(
    client_for, association_contract, diagnostic, finding_data, text_of
):
    before = Finding.objects.count()
    response = client_for("asso").post(_create_url(association_contract), finding_data(level="establishment"))
    assert response.status_code == 400
    assert "Choisissez l'établissement concerné : ce constat est au niveau « Établissement »." in page_text(response)
    assert Finding.objects.count() == before


def test_an_establishment_outside_the_perimeter_is_refused(
    client_for, association_contract, ehpad_contract, diagnostic, finding_data, text_of
):
    ehpad = ehpad_contract.establishments.get(category="EHPAD")
    before = Finding.objects.count()
    response = client_for("asso").post(
        _create_url(association_contract), finding_data(level="establishment", establishment=ehpad.pk)
    )
    assert "Cet établissement n'est pas dans le périmètre du contrat." in page_text(response)
    assert Finding.objects.count() == before


def test_a_finding_longer_than_300_characters_is_refused(
    client_for, association_contract, diagnostic, finding_data, text_of
):
    before = Finding.objects.count()
    response = client_for("asso").post(_create_url(association_contract), finding_data(text="x" * 301))
    assert "300 caractères au plus (vous en avez saisi 301)." in page_text(response)
    assert Finding.objects.count() == before


def test_an_edit_based_on_an_outdated_copy_is_refused(
    client_for, association_contract, diagnostic, finding_data, text_of
):
    client = client_for("asso")
    client.post(_create_url(association_contract), finding_data())
    finding = Finding.objects.filter(diagnostic=diagnostic).latest("pk")
    client.post(_finding_url(finding), finding_data(text="Première correction.", version=1))
    stale = client.post(_finding_url(finding), finding_data(text="Correction sur une copie périmée.", version=1))
    assert_stale(stale)
    finding.refresh_from_db()
    assert finding.text == "Première correction." and finding.version == 2


def test_a_finding_pasted_with_a_vertical_tab_is_stored_on_two_lines_and_exported(
    client_for, association_contract, diagnostic, finding_data
):
    client = client_for("asso")
    client.post(
        _create_url(association_contract), finding_data(text="Ligne 1\x0bLigne 2", causes="Cause\x1b[0m cachée")
    )
    finding = Finding.objects.get(diagnostic=diagnostic, text__startswith="Ligne 1")
    assert (finding.text, finding.causes) == ("Ligne 1\nLigne 2", "Cause[0m cachée")
    export = client.get(reverse("documents:synthesis_docx", kwargs={"contract_id": association_contract.pk}))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
