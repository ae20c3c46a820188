"""The framing letter and the managing body's reply, generated in Word from the contract's data and read back."""

from io import BytesIO

from django.urls import reverse
from docx import Document

from cpom.followup.models import FramingNote
from cpom.launch import letters
from cpom.launch.models import LetterIssue, LetterKind


def _read(content: bytes) -> tuple[str, list[list[list[str]]]]:
    word = Document(BytesIO(content))
    text = "\n".join(p.text for p in word.paragraphs)
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in word.tables]
    return text, tables


def test_the_framing_letter_holds_the_parties_perimeter_priorities_schedule_committee_and_referents(raci_kit, users):
    contract = raci_kit.contract
    lead = contract.parties.get(is_lead=True).authority
    FramingNote.objects.create(authority=lead, year=2026, themes="Inclusion scolaire\nHabitat inclusif")
    name, content = letters.generate(users["ars"], raci_kit, LetterKind.FRAMING)
    assert name == "lettre-de-cadrage-cpom-pdl-2027-044-01.docx"
    text, tables = _read(content)
    assert "Lettre de cadrage – CPOM-PDL-2027-044-01" in text
    assert "Expéditeur : ARS Pays de la Loire" in text.replace("\xa0", " ")
    assert "Inclusion scolaire" in text and "Habitat inclusif" in text
    assert "Signature visée le 15/12/2026" in text
    assert "Référent de l'ARS Pays de la Loire : Nadia Benali" in text
    parties, perimeter, schedule, committee = tables[:4]
    assert parties[1:] == [
        ["Association Les Chemins de Loire", "Organisme gestionnaire"],
        ["ARS Pays de la Loire", "Autorité cheffe de file"],
        ["Conseil départemental de Loire-Atlantique", "Autorité cosignataire"],
    ]
    finess = sorted(contract.establishments.values_list("finess", flat=True))
    assert [row[0] for row in perimeter[1:]] == finess
    assert schedule[0] == ["Étape", "Qui", "Échéance prévue", "Avancement"]
    assert schedule[-1][:3] == ["9. Signature de l'autorité cheffe de file", "Autorité cheffe de file", "15/12/2026"]
    assert schedule[1][3] == "Fait"
    assert {row[0] for row in committee[1:]} == {"Claire Martin", "Isabelle Roux", "Nadia Benali", "Julien Moreau"}
    issue = LetterIssue.objects.get(kit=raci_kit)
    assert issue.issued_by == users["ars"] and len(issue.sha256) == 64


def test_the_reply_speaks_for_the_managing_body_with_its_project_team(raci_kit, users):
    name, content = letters.generate(users["asso"], raci_kit, LetterKind.REPLY)
    text, tables = _read(content)
    assert name == "lettre-reponse-cpom-pdl-2027-044-01.docx"
    assert "Expéditeur : Association Les Chemins de Loire" in text.replace("\xa0", " ")
    assert "Nos points d'attention et nos inquiétudes" in text
    team = next(t for t in tables if t[0] == ["Membre", "Fonction", "Référent"])
    assert team[1:] == [
        ["Claire Martin", "Directrice générale", "Oui"],
        ["Isabelle Roux", "Directrice administrative et financière", ""],
    ]


def test_the_letter_downloads_from_the_page_and_the_kit_lists_it(client_for, kit, association_contract):
    client = client_for("ars")
    url = reverse("launch:letter", kwargs={"contract_id": association_contract.pk, "kind": "cadrage"})
    response = client.post(url)
    assert response["Content-Disposition"] == 'attachment; filename="lettre-de-cadrage-cpom-pdl-2027-044-01.docx"'
    text, _ = _read(response.content)
    assert "La composition du comité de pilotage reste à arrêter." in text
    page = client.get(reverse("launch:home", kwargs={"contract_id": association_contract.pk})).content.decode()
    assert "Lettre de cadrage de l&#x27;autorité générée le" in page
    assert client.post(url.replace("cadrage", "poeme")).status_code == 404
