"""Text already stored with a control character can never break a Word or PDF export: the writers clean it."""

from django.urls import reverse

from cpom.diagnostic.models import Finding
from cpom.diagnostic.services import synthesis
from cpom.documents.synthesis import synthesis_docx, synthesis_pdf


def test_a_finding_with_a_vertical_tab_is_exported_on_two_lines(diagnostic, findings, read_docx, read_pdf):
    Finding.objects.filter(pk=findings["strength"].pk).update(text="Ligne 1\x0bLigne 2")
    word = read_docx(synthesis_docx(synthesis(diagnostic)))
    assert any(line.startswith("Ligne 1\nLigne 2\n") for _, line in word.lines)
    assert "\x0b" not in word.text
    pages = "\n".join(read_pdf(synthesis_pdf(synthesis(diagnostic))))
    assert "Ligne 1\nLigne 2" in pages


def test_an_objective_title_with_an_escape_character_is_exported(
    client_for, association_contract, operational, read_docx, read_pdf
):
    type(operational).objects.filter(pk=operational.pk).update(title="Mettre en œuvre\x1b l'unité")
    client = client_for("asso")
    url = reverse(
        "documents:sheet",
        kwargs={"contract_id": association_contract.pk, "objective_id": operational.pk, "extension": "docx"},
    )
    word = read_docx(client.get(url).content)
    assert "Mettre en œuvre l'unité" in word.text
    pdf = client.get(url.replace(".docx", ".pdf"))
    assert pdf.status_code == 200
    assert any("Mettre en œuvre l'unité" in page for page in read_pdf(pdf.content))
    annex = client.get(reverse("documents:annex", kwargs={"contract_id": association_contract.pk, "extension": "docx"}))
    assert "Mettre en œuvre l'unité" in read_docx(annex.content).text
