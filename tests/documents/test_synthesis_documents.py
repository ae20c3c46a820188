"""The synthesis of the shared diagnostic, in Word and PDF, opened and read back."""

import dataclasses

import pytest
from django.utils import timezone

from cpom.diagnostic.models import Finding, FindingLevel, Nature, TemplateSection
from cpom.diagnostic.services import synthesis
from cpom.documents.synthesis import synthesis_docx, synthesis_pdf

TODAY = timezone.localdate().strftime("%d/%m/%Y")


def axis_heading(diagnostic, code):
    section = TemplateSection.objects.get(template=diagnostic.template, code=code)
    return f"{code} – {section.title}"


@pytest.fixture
def word(diagnostic, findings, perspectives, read_docx):
    return read_docx(synthesis_docx(synthesis(diagnostic)))


@pytest.fixture
def pages(diagnostic, findings, perspectives, read_pdf):
    return read_pdf(synthesis_pdf(synthesis(diagnostic)))


def test_word_heads_with_the_contract_and_the_edition_date(word, association_contract):
    contract = association_contract
    assert word.lines[0] == ("Title", "Synthèse du diagnostic partagé")
    assert f"Contrat : {contract.reference} – {contract.title}" in word.text
    assert f"Organisme gestionnaire : {contract.managing_body.name}" in word.text
    lead = contract.parties.get(is_lead=True).authority.name
    assert f"{lead} (cheffe de file)" in word.text
    period = f"Période du contrat : du {contract.start_date:%d/%m/%Y} au {contract.end_date:%d/%m/%Y} ({contract.duration_years} ans)"
    assert period in word.text
    assert f"Édité le : {TODAY}" in word.text
    assert word.footer == f"{contract.reference} – Synthèse du diagnostic partagé – page {{PAGE}}"
    assert word.under("Problématiques saillantes") == [
        "Vieillissement des personnes accueillies & manque de places en foyer."
    ]


def test_word_puts_each_finding_under_its_axis_and_heading(word, diagnostic, establishment):
    axis_11 = axis_heading(diagnostic, "1.1")
    assert word.heading_level(axis_11) == 2
    assert word.heading_level("Points forts") == 3
    strength = (
        "Projets personnalisés actualisés chaque année\nPoint fort · thème « 1.1.2 – Organisation des prestations adaptées "
        "au public accueilli et accompagné » · Organisme gestionnaire · priorité moyenne"
    )
    assert word.under(axis_11, "Points forts") == [strength]
    weakness, details = word.under(axis_11, "Points faibles")[0].split("\n")
    assert weakness == "Taux d'occupation < 80 % & liste d'attente non tenue"
    assert details == (
        f"Difficulté · thème « 1.1.1 – Adéquation de la population accueillie au projet d'établissement et à "
        f"l'arrêté d'autorisation de… » · {establishment.name} · priorité haute · causes : Orientations MDPH tardives"
        " · conséquences : Perte de recettes d'hébergement"
    )
    assert word.under(axis_11, "Spécificités") == ["Aucun constat."]
    assert word.under(axis_11, "Perspectives") == ["Non renseigné"]

    axis_12 = axis_heading(diagnostic, "1.2")
    assert word.under(axis_12, "Points faibles")[0].startswith(
        "Conseil de la vie sociale réuni une fois par an\nProblématique"
    )
    assert word.under(axis_12, "Perspectives") == ["Élaborer une cartographie des risques et la mettre en œuvre."]
    axis_13 = axis_heading(diagnostic, "1.3")
    assert word.under(axis_13, "Spécificités")[0].startswith(
        "Unité pour personnes handicapées vieillissantes\nSpécificité · thème « 1.3.1 – Réalisation d'une activité en "
        "cohérence avec les ressources disponibles » · Territoire"
    )


def test_word_lists_the_check_list_themes_not_covered(word, diagnostic):
    missing = [line.label for line in synthesis(diagnostic).missing]
    assert missing
    listed = [line.split("\n")[0] for line in word.under("Thèmes de la check-list non couverts")[1:]]
    assert listed == missing


def test_a_covered_check_list_gets_no_such_section(diagnostic, read_docx):
    covered = dataclasses.replace(synthesis(diagnostic), checklist=[])
    word = read_docx(synthesis_docx(covered))
    assert "Thèmes de la check-list non couverts" not in word.text
    assert word.under(axis_heading(diagnostic, "1.4"), "Points forts") == ["Aucun constat."]


def test_pdf_keeps_the_order_of_the_headings_and_the_french_characters(pages, diagnostic, association_contract):
    text = "\n".join(pages)
    footer, title = pages[0].split("\n")[:2]
    assert footer == f"{association_contract.reference} – Synthèse du diagnostic partagé – page 1"
    assert title == "Synthèse du diagnostic partagé"
    assert pages[-1].startswith(
        f"{association_contract.reference} – Synthèse du diagnostic partagé – page {len(pages)}"
    )
    assert f"Édité le : {TODAY}" in text
    # Escaped for reportlab, printed as written.
    assert "Vieillissement des personnes accueillies & manque de places en foyer." in text
    axis_11 = text.index(axis_heading(diagnostic, "1.1")[:40])
    strengths = text.index("Points forts", axis_11)
    weaknesses = text.index("Points faibles", strengths)
    specificities = text.index("Spécificités", weaknesses)
    assert strengths < text.index("Projets personnalisés actualisés chaque année") < weaknesses
    assert weaknesses < text.index("Taux d'occupation < 80 % & liste d'attente non tenue") < specificities
    assert "causes : Orientations MDPH tardives" in text
    perspectives_12 = text.index("Perspectives", text.index(axis_heading(diagnostic, "1.2")[:40]))
    assert text.index("Élaborer une cartographie des risques et la mettre en œuvre.") > perspectives_12
    assert "– Projets personnalisés" in text  # each finding is a dashed list item
    assert "Thèmes de la check-list non couverts" in text


def test_an_anap_sheet_s_finding_names_its_theme_not_its_code(diagnostic, read_docx, read_pdf):
    section = TemplateSection.objects.get(template=diagnostic.template, code="anap-1")
    Finding.objects.create(
        diagnostic=diagnostic,
        section=section,
        text="Sorties vers le secteur adulte non préparées",
        nature=Nature.DIFFICULTY,
        level=FindingLevel.MANAGING_BODY,
        organisation_label="Association",
    )
    word = read_docx(synthesis_docx(synthesis(diagnostic)))
    assert "Difficulté · thème « Les parcours des personnes accompagnées » · Organisme gestionnaire" in word.text
    pdf = " ".join(read_pdf(synthesis_pdf(synthesis(diagnostic)))).replace("\n", " ")
    assert "thème « Les parcours des personnes accompagnées »" in pdf
    assert "anap-1" not in word.text and "anap-1" not in pdf


def test_a_co_signatory_awaiting_acceptance_is_not_listed_as_a_party(diagnostic, read_docx, users):
    from cpom.contracts.parties import set_parties

    contract = diagnostic.contract
    lead = contract.parties.get(is_lead=True).authority
    set_parties(contract, users["ars"], lead, [users["cd44"].membership.authority, users["cd49"].membership.authority])
    word = read_docx(synthesis_docx(synthesis(diagnostic)))
    listed = next(text for _, text in word.lines if text.startswith("Autorités parties au contrat"))
    assert "Conseil départemental de Loire-Atlantique" in listed and "Maine-et-Loire" not in listed
