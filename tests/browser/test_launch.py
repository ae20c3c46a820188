"""The launch kit in a real browser, on the demo: the ARS opens the association's kit from the contract's
« Lancement » tab, sees the Gantt chart with the two steps the demo leaves late, ticks a point of the launch
meeting's check-list, changes a cell of the RACI matrix, marks a step done and downloads the framing letter."""

from docx import Document
from journeys import log_in

from cpom.contracts.models import Contract
from cpom.demo.launch_story import LATE_STEPS
from cpom.launch.models import ChecklistItem, RaciCell, StepRecord

ASSOCIATION = "CPOM-PDL-2027-044-01"


def test_the_ars_keeps_the_association_s_launch_kit(browser, demo_server):
    db = demo_server.db
    contract = Contract.objects.using(db).get(reference=ASSOCIATION)
    page = log_in(browser, demo_server, "ars")
    page.goto(f"{demo_server.url}{contract.get_absolute_url()}")
    page.get_by_test_id("contract-navigation").get_by_role("link", name="Lancement").click()
    assert page.locator("h1").inner_text() == f"Kit de lancement du contrat {ASSOCIATION}"

    # The Gantt chart and its table: the demo's two late steps are drawn late, and said so in the table.
    chart = page.get_by_test_id("gantt")
    assert chart.locator("svg title").first.text_content().startswith("Rétroplanning du contrat")
    late_bars = chart.locator("g[data-late]")
    late_codes = [late_bars.nth(n).get_attribute("data-step") for n in range(late_bars.count())]
    assert set(LATE_STEPS) <= set(late_codes)
    for code in LATE_STEPS:
        row = page.get_by_test_id(f"step-{code}")
        assert row.get_attribute("data-late") == "true" and "En retard" in row.text_content()
    assert "en retard" in page.get_by_test_id("schedule-summary").inner_text()
    assert page.get_by_test_id("gantt-today").count() == 1

    # A point of the check-list, ticked with a comment.
    item = page.get_by_test_id("item-negotiable")
    item.locator("label.fr-label", has_text="Point abordé").click()
    item.get_by_label("Commentaire").fill("Frais de siège : négociés avec le département en mars.")
    item.get_by_role("button", name="Enregistrer").click()
    assert "est coché" in page.get_by_role("status").inner_text()
    assert "Oui, le" in page.get_by_test_id("item-negotiable").inner_text()
    ticked = ChecklistItem.objects.using(db).get(kit__contract=contract, code="negotiable")
    assert ticked.ticked_by.username == "ars" and ticked.comment.startswith("Frais de siège")

    # A cell of the RACI matrix: the association's financial director consulted on the final document.
    page.get_by_role("link", name="Modifier la matrice RACI").click()
    page.get_by_label(
        "8. Transmission du document finalisé par l'autorité pour signature à l'organisme gestionnaire : rôle de "
        "Isabelle Roux"
    ).select_option("C")
    page.get_by_role("button", name="Enregistrer la matrice").click()
    assert "La matrice RACI est enregistrée." in page.get_by_role("status").inner_text()
    cell = RaciCell.objects.using(db).get(
        kit__contract=contract, activity="final_document", member__name="Isabelle Roux"
    )
    assert cell.role == "C"

    # The meeting that validates the objectives, held on 29 September: no longer late.
    row = page.get_by_test_id("step-objectives_meeting")
    row.get_by_label("Réalisée le").fill("2026-09-29")
    row.get_by_role("button", name="Marquer réalisée").click()
    assert "L'étape est déclarée réalisée" in page.get_by_role("status").inner_text()
    row = page.get_by_test_id("step-objectives_meeting")
    assert row.get_attribute("data-late") is None and "29/09/2026" in row.inner_text()
    assert "Déclaré par Nadia Benali" in row.inner_text()
    assert page.get_by_test_id("gantt").locator('g[data-step="objectives_meeting"][data-late]').count() == 0
    assert StepRecord.objects.using(db).get(kit__contract=contract, step="objectives_meeting").done_on.isoformat() == (
        "2026-09-29"
    )

    # The framing letter, in Word, from the contract's data.
    with page.expect_download() as download:
        page.get_by_test_id("framing-letter").click()
    assert download.value.suggested_filename == "lettre-de-cadrage-cpom-pdl-2027-044-01.docx"
    word = Document(str(download.value.path()))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "Lettre de cadrage – CPOM-PDL-2027-044-01" in text and "Nadia Benali" in text
    assert any("Marc Lebrun" in cell.text for table in word.tables for row in table.rows for cell in row.cells)
    page.reload()
    assert "Lettre de cadrage de l'autorité générée le" in page.get_by_test_id("letters").inner_text()
