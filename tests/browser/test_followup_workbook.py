"""The grid's Excel round trip in a real browser: the EHPAD downloads its campaign's grid, fills it in a spreadsheet
(openpyxl here), uploads it, reads the preview of what changes and confirms; the grid then shows it."""

from io import BytesIO
from pathlib import Path

from journeys import log_in
from openpyxl import load_workbook

from cpom.contracts.models import Contract
from cpom.followup import sheet
from cpom.followup.models import Campaign, CampaignStatus, GridEntry

EHPAD = "CPOM-PDL-2024-049-07"


def _open_campaign(browser, demo_server, contract) -> Campaign:
    """The demo's open campaign of the EHPAD's contract, or the one the ARS opens now when the demo has none."""
    campaigns = Campaign.objects.using(demo_server.db).filter(contract=contract, status=CampaignStatus.OPEN)
    if not campaigns.exists():
        page = log_in(browser, demo_server, "ars")
        page.goto(f"{demo_server.url}{contract.get_absolute_url()}")
        page.get_by_role("link", name="Suivi annuel").first.click()
        page.get_by_role("link", name="Ouvrir la campagne de l'année").click()
        page.get_by_role("button", name="Ouvrir la campagne").click()
        page.close()
    return campaigns.get()


def test_the_ehpad_downloads_its_grid_fills_it_and_imports_it_after_a_preview(browser, demo_server, tmp_path):
    contract = Contract.objects.using(demo_server.db).get(reference=EHPAD)
    campaign = _open_campaign(browser, demo_server, contract)
    page = log_in(browser, demo_server, "ehpad")
    page.goto(f"{demo_server.url}{campaign.get_absolute_url()}")
    page.get_by_test_id("grid-workbook").get_by_role("link", name="Importer la grille remplie").click()
    with page.expect_download() as download:
        page.get_by_test_id("grid-download").click()
    assert download.value.suggested_filename == f"suivi-{EHPAD}-{campaign.year}.xlsx"
    book = load_workbook(BytesIO(Path(download.value.path()).read_bytes()))
    ws = book.active
    columns = {c.value: c.column_letter for row in (sheet.GROUP_ROW, sheet.HEADER_ROW) for c in ws[row] if c.value}
    row = sheet.FIRST_LINE_ROW
    key = ws[f"{columns[sheet.KEY]}{row}"].value
    ws[f"{columns[sheet.COMMENT]}{row}"] = "Rempli hors ligne, dans le tableur"
    filled = tmp_path / "grille-remplie.xlsx"
    book.save(filled)

    page.locator("input[type=file]").set_input_files(str(filled))
    page.get_by_role("button", name="Voir ce qui changera").click()
    changes = page.get_by_test_id("grid-changes").inner_text()
    assert "Commentaires" in changes and "Rempli hors ligne, dans le tableur" in changes
    indicator_id, category = key.split("/")
    entry = GridEntry.objects.using(demo_server.db).get(
        campaign=campaign, indicator_id=int(indicator_id), category="" if category == "ensemble" else category
    )
    assert entry.comment != "Rempli hors ligne, dans le tableur", "the preview writes nothing"
    page.get_by_role("button", name="Confirmer l'import").click()
    assert "Grille importée : 1 cellule enregistrée." in page.locator("body").inner_text()
    entry.refresh_from_db()
    assert entry.comment == "Rempli hors ligne, dans le tableur"
    assert "Rempli hors ligne, dans le tableur" in page.get_by_test_id("grid").inner_text()
    page.close()
