"""The diagnostic's home (frame, levels, check-list), its synthesis and exports, and the read-only in-force contract."""

import re
from io import BytesIO

import pytest
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from cpom.diagnostic import services
from cpom.diagnostic.models import AxisPerspective, Finding, SectionEntry
from support import assert_stale, elements, page_text


def _home(contract):
    return reverse("diagnostic:home", kwargs={"contract_id": contract.pk})


def _missing(body: str) -> str:
    match = re.search(r'data-testid="checklist-missing">(.*?)</div>', body, re.S)
    return match.group(1) if match else ""


def test_the_home_shows_the_frame_as_a_tree_with_levels(client_for, association_contract, diagnostic, text_of):
    url = _home(association_contract)
    body = text_of(client_for("asso").get(url))
    titre1 = re.search(r'data-testid="sections-titre1">(.*?)</table>', body, re.S).group(1)
    codes = re.findall(r'data-section="([^"]+)"', titre1)
    assert codes[:7] == ["1.1", "1.1.1", "1.1.2", "1.1.3", "1.1.4", "1.1.5", "1.2"] and codes[-1] == "1.4.3"
    anap = re.search(r'data-testid="sections-anap">(.*?)</table>', body, re.S).group(1)
    assert len(re.findall(r"data-section=", anap)) == 8
    assert "Éléments non prévus dans la trame (précurseurs d'objectifs innovants)" in body
    assert '<option value="" selected>Organisme gestionnaire (consolidé)</option>' in body
    for establishment in association_contract.establishments.all():
        assert f'value="{establishment.finess}"' in body
    assert reverse("documents:synthesis_docx", kwargs={"contract_id": association_contract.pk}) in body


def test_the_home_marks_what_is_written_at_each_level(
    client_for, users, association_contract, diagnostic, frame, text_of
):
    fam = association_contract.establishments.get(category="FAM")
    section = frame.sections.get(code="1.4.1")
    SectionEntry.objects.filter(diagnostic=diagnostic, section=section).delete()
    services.save_analysis(diagnostic, section, fam, users["asso"], "Partenariat avec le CHU.", 1)
    url = reverse("diagnostic:home", kwargs={"contract_id": association_contract.pk})
    consolidated, establishments, selected, findings = _section_row(
        text_of(client_for("ars").get(url, {"finess": fam.finess})), "1.4.1"
    )
    assert (consolidated, establishments, selected) == ("à rédiger", "1 sur 7", "rédigée")


def _section_row(body, code) -> list[str]:
    row = re.search(rf'<tr data-section="{re.escape(code)}">(.*?)</tr>', body, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in cells[1:]]


def test_the_checklist_moves_a_theme_to_covered_once_a_section_treating_it_is_written(
    client_for, association_contract, diagnostic, frame, section_url, text_of
):
    # « Novatrices » is treated by the free section only: start from that section empty, whatever the demo holds.
    free = frame.sections.get(code="libre")
    SectionEntry.objects.filter(diagnostic=diagnostic, section=free).update(text="")
    Finding.objects.filter(diagnostic=diagnostic, section=free).delete()
    client = client_for("asso")
    url = _home(association_contract)
    assert "Novatrices" in _missing(text_of(client.get(url)))
    assert "Thèmes non encore couverts : " in _missing(text_of(client.get(url)))
    entry = SectionEntry.objects.filter(diagnostic=diagnostic, section=free, establishment=None).first()
    client.post(
        section_url(association_contract, "libre"),
        {
            "action": "analysis",
            "text": "Projet de chaufferie bois mutualisée entre trois établissements.",
            "version": entry.version if entry else 1,
        },
    )
    response = client.get(url)
    assert "Novatrices" not in _missing(text_of(response))
    covered = '//tr[@data-covered="oui"]/*[1][self::td]/*[1][self::strong][normalize-space()="Novatrices"]'
    assert elements(response, covered)


def test_the_synthesis_sorts_findings_by_axis_and_keeps_the_parties_texts(
    client_for, users, association_contract, diagnostic, frame, text_of
):
    asso = users["asso"]
    base = {
        "level": "managing_body",
        "establishment": None,
        "evidence": "",
        "causes": "",
        "consequences": "",
        "lever_exists": True,
        "priority": 1,
    }
    services.save_finding(
        diagnostic,
        asso,
        {
            **base,
            "section": frame.sections.get(code="1.3.5"),
            "nature": "strength",
            "text": "Une capacité d'autofinancement solide.",
        },
    )
    services.save_finding(
        diagnostic,
        asso,
        {
            **base,
            "section": frame.sections.get(code="anap-4"),
            "nature": "difficulty",
            "text": "Un turnover élevé des aides-soignants.",
        },
    )
    url = reverse("diagnostic:synthesis", kwargs={"contract_id": association_contract.pk})
    ars = client_for("ars")
    body = text_of(ars.get(url))
    axis = re.search(r'data-testid="axis-1.3">(.*?)</section>', body, re.S).group(1)
    strengths = re.search(r'data-testid="strengths">(.*?)</ul>', axis, re.S).group(1)
    weaknesses = re.search(r'data-testid="weaknesses">(.*?)</ul>', axis, re.S).group(1)
    assert "Une capacité d'autofinancement solide." in strengths
    assert "Un turnover élevé des aides-soignants." in weaknesses

    diagnostic.refresh_from_db()
    response = ars.post(
        url,
        {
            "salient_issues": "La tension sur les ressources humaines.",
            "perspectives_1_3": "Un plan d'attractivité des métiers.",
            "perspectives_1_1": "",
            "perspectives_1_2": "",
            "perspectives_1_4": "",
            "version": diagnostic.version,
        },
        follow=True,
    )
    body = text_of(response)
    assert "La synthèse est enregistrée." in body
    assert "La tension sur les ressources humaines." in re.search(
        r'data-testid="salient-issues">(.*?)</div>', body, re.S
    ).group(1)
    assert AxisPerspective.objects.get(diagnostic=diagnostic, axis="1.3").text == "Un plan d'attractivité des métiers."

    stale = client_for("asso").post(url, {"salient_issues": "Écrasé ?", "version": diagnostic.version})
    assert_stale(stale)
    diagnostic.refresh_from_db()
    assert diagnostic.salient_issues == "La tension sur les ressources humaines."


def test_the_exports_are_real_documents_named_after_the_contract(client_for, association_contract, diagnostic):
    client = client_for("cd44")
    finding = diagnostic.findings.order_by("pk").first()
    docx_response = client.get(reverse("documents:synthesis_docx", kwargs={"contract_id": association_contract.pk}))
    assert docx_response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert (
        docx_response["Content-Disposition"] == 'attachment; filename="synthese-diagnostic-CPOM-PDL-2027-044-01.docx"'
    )
    word_text = "\n".join(p.text for p in Document(BytesIO(docx_response.content)).paragraphs)
    assert "Synthèse du diagnostic partagé" in word_text and finding.text in word_text
    pdf_response = client.get(reverse("documents:synthesis_pdf", kwargs={"contract_id": association_contract.pk}))
    assert pdf_response["Content-Type"] == "application/pdf"
    assert pdf_response["Content-Disposition"] == 'attachment; filename="synthese-diagnostic-CPOM-PDL-2027-044-01.pdf"'
    pdf_text = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf_response.content)).pages)
    assert "Synthèse du diagnostic partagé" in pdf_text and "Points forts" in pdf_text
    assert (
        client_for("ehpad")
        .get(reverse("documents:synthesis_pdf", kwargs={"contract_id": association_contract.pk}))
        .status_code
        == 404
    )


def test_the_in_force_contract_diagnostic_is_read_only(
    client_for, users, ehpad_contract, ehpad_diagnostic, frame, section_url, text_of
):
    client = client_for("ehpad")
    url = section_url(ehpad_contract, "1.1.1")
    page = text_of(client.get(url))
    assert "Le diagnostic est en lecture seule : le contrat est à l'état « En vigueur »." in page
    assert not re.search(r'data-testid="(analysis|remark|attachment)-form"', page)
    entries, findings = SectionEntry.objects.count(), Finding.objects.count()
    refused = client.post(url, {"action": "analysis", "text": "Trop tard.", "version": 1})
    assert refused.status_code == 403
    assert "Le diagnostic ne se modifie plus : le contrat est à l'état « En vigueur »." in page_text(refused)
    assert client_for("ars").post(url, {"action": "remark", "text": "Trop tard."}).status_code == 403
    client = client_for("ehpad")
    create = reverse("diagnostic:finding_create", kwargs={"contract_id": ehpad_contract.pk})
    assert (
        client.post(
            create,
            {
                "section": frame.sections.get(code="1.1.1").pk,
                "text": "Trop tard.",
                "nature": "strength",
                "level": "managing_body",
                "priority": "2",
            },
        ).status_code
        == 403
    )
    synthesis = reverse("diagnostic:synthesis", kwargs={"contract_id": ehpad_contract.pk})
    assert 'data-testid="synthesis-form"' not in text_of(client.get(synthesis))
    assert (
        client.post(synthesis, {"salient_issues": "Trop tard.", "version": ehpad_diagnostic.version}).status_code == 403
    )
    assert (SectionEntry.objects.count(), Finding.objects.count()) == (entries, findings)
    with pytest.raises(services.DiagnosticRefused, match="ne se modifie plus"):
        services.save_analysis(
            ehpad_diagnostic, frame.sections.get(code="1.1.1"), None, users["ehpad"], "Trop tard.", 1
        )


def test_outsiders_get_a_404_and_the_platform_reads_without_writing(
    client_for, association_contract, diagnostic, section_url, text_of
):
    url = _home(association_contract)
    assert client_for("cd49").get(url).status_code == 404
    admin = client_for("admin")
    assert admin.get(url).status_code == 200
    assert 'data-testid="analysis-form"' not in text_of(admin.get(section_url(association_contract, "1.1.1")))


def test_without_a_frame_the_page_says_how_to_load_it(client_for, association_contract, monkeypatch):
    from cpom.diagnostic.models import Diagnostic

    # The demo's signed contract keeps its frame in the database: the lookup is what finds none here.
    Diagnostic.objects.filter(contract=association_contract).delete()
    monkeypatch.setattr(services, "template_for", lambda contract: None)
    url = _home(association_contract)
    response = client_for("asso").get(url)
    assert response.status_code == 503
    assert "lancez « cpom diagnostic charger-trame »" in response.content.decode()
