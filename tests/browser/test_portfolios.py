"""The ARS's portfolio in a real browser, on the demo: from the menu to the portfolio, a filter applied by its button,
an export downloaded and read back, a body added to the programming, the Word annex downloaded; then the council of
Loire-Atlantique and the ARS edit the line they share at the same time, and the second save is refused."""

from io import BytesIO

from docx import Document
from journeys import log_in, tick
from openpyxl import load_workbook

from cpom.portfolios.models import ProgrammingEntry
from support import STALE


def test_the_ars_reads_its_portfolio_and_programs_a_body(browser, demo_server):
    page = log_in(browser, demo_server, "ars")
    page.get_by_test_id("portfolio-menu").click()
    assert page.locator("h1").inner_text() == "Portefeuille de l'autorité : ARS Pays de la Loire"
    assert page.get_by_test_id("figure-bodies").inner_text() == "12"
    assert page.get_by_test_id("coverage-map").locator("path").count() == 5
    # A filter applies through its button, never on change.
    page.get_by_label("Département", exact=True).select_option("53")
    assert page.get_by_test_id("figure-establishments").inner_text() == "33"  # before the button: unchanged
    page.get_by_role("button", name="Filtrer").click()
    assert "departement=53" in page.url
    assert page.get_by_test_id("figure-bodies").inner_text() == "2"
    assert page.get_by_test_id("figure-establishments").inner_text() == "5"
    assert page.get_by_test_id("coverage-map").locator("path").count() == 1
    with page.expect_download() as download:
        page.get_by_test_id("export-couverture").click()
    rows = list(load_workbook(BytesIO(download.value.path().read_bytes())).worksheets[0].iter_rows(values_only=True))
    assert rows[4][0] == "Mayenne (53)" and rows[-1][0] == "Territoire" and rows[-1][1] == 2

    page.get_by_test_id("programming-link").click()
    page.get_by_test_id("add-entry").click()
    page.get_by_label("Organisme gestionnaire").select_option(label="Association fictive Sarthe Avenir")
    page.get_by_role("button", name="Choisir ses établissements").click()
    page.get_by_label("Année de signature visée").fill("2030")
    tick(page, "IME fictif Le Mans")
    page.get_by_label("Situation de l'organisme gestionnaire").select_option(
        label="Structure en demande de contractualisation"
    )
    page.get_by_role("button", name="Enregistrer").click()
    assert "« Association fictive Sarthe Avenir – 2030 » est ajouté à la programmation." in page.content()
    assert "Association fictive Sarthe Avenir" in page.get_by_test_id("programming-2030").inner_text()
    with page.expect_download() as download:
        page.get_by_test_id("annex-docx").click()
    annex = Document(BytesIO(download.value.path().read_bytes()))
    assert "Signatures visées en 2030" in [p.text for p in annex.paragraphs]
    assert (
        ProgrammingEntry.objects.using(demo_server.db)
        .filter(managing_body__name="Association fictive Sarthe Avenir")
        .count()
        == 2
    )


def test_the_ars_and_the_council_edit_their_shared_line_and_the_later_save_is_refused(browser, demo_server):
    entry = ProgrammingEntry.objects.using(demo_server.db).get(
        managing_body__name="Association fictive Horizons Atlantique"
    )
    ars_page = log_in(browser, demo_server, "ars")
    ars_page.get_by_test_id("portfolio-menu").click()
    ars_page.get_by_test_id("programming-link").click()
    ars_page.get_by_test_id(f"entry-{entry.pk}").get_by_role("link", name="Modifier").click()
    council = log_in(browser, demo_server, "cd44")
    council.get_by_test_id("portfolio-menu").click()
    council.get_by_test_id("programming-link").click()
    council.get_by_test_id(f"entry-{entry.pk}").get_by_role("link", name="Modifier").click()
    council.get_by_label("Commentaire").fill("Le Département confirme la priorité.")
    council.get_by_role("button", name="Enregistrer").click()
    assert "la ligne de la programmation est enregistrée" in council.content()
    ars_page.get_by_label("Commentaire").fill("L'ARS avance la signature.")
    ars_page.get_by_role("button", name="Enregistrer").click()
    assert STALE in ars_page.content().replace("&#x27;", "'").replace("&#39;", "'")
    entry.refresh_from_db()
    assert entry.comment == "Le Département confirme la priorité."
