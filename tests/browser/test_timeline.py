"""The history that survives turnover, and the managing body's Monday page, in a real browser on the demo.

Léa, new at the ARS, reads the EHPAD contract's history on her first day: she filters it on signatures, sees who
signed for which party, and downloads it as a PDF. The association opens its portfolio from the menu: what it must
send and by when, its late actions, each table in Excel."""

from io import BytesIO

from journeys import log_in
from openpyxl import load_workbook
from pypdf import PdfReader

EHPAD = "CPOM-PDL-2024-049-07"
SIGNATORIES = [
    ("Paul Lefèvre", "EHPAD public Les Tilleuls"),
    ("Sophie Garnier", "Conseil départemental de Maine-et-Loire"),
    ("Nadia Benali", "ARS Pays de la Loire"),
]


def test_the_newcomer_reads_who_signed_the_ehpad_contract_and_prints_it(browser, reading_server):
    page = log_in(browser, reading_server, "lea")
    assert "ARS Pays de la Loire" in page.get_by_test_id("current-user").inner_text()
    page.get_by_role("link", name=EHPAD).click()
    page.get_by_role("link", name="Historique", exact=True).click()
    assert page.locator("h1").inner_text() == f"Historique du contrat {EHPAD}"
    assert page.get_by_test_id("event-transition").count() >= 6
    page.get_by_label("Type d'événement").select_option(label="Signatures")
    page.get_by_role("button", name="Filtrer").click()
    rows = page.get_by_test_id("history").locator("tbody tr")
    assert page.get_by_test_id("event-transition").count() == 0
    signed = [
        row.locator("td").all_inner_texts()
        for row in rows.all()
        if "Contrat initial signé le" in row.locator("td").nth(2).inner_text()
    ]
    assert [(cells[3].split(",")[0], cells[4]) for cells in signed] == SIGNATORIES
    assert signed[0][3] == "Paul Lefèvre, Directeur de l'EHPAD public Les Tilleuls"
    with page.expect_download() as download:
        page.get_by_test_id("history-pdf").click()
    assert download.value.suggested_filename == f"historique-{EHPAD}.pdf"
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(download.value.path()).pages)
    assert "type « Signatures »" in text
    for name, organisation in SIGNATORIES:
        assert name in text and organisation in text
    page.close()


def test_the_association_sees_what_to_send_and_its_late_actions(browser, reading_server):
    page = log_in(browser, reading_server, "asso")
    page.get_by_test_id("my-portfolio").click()
    assert page.locator("h1").inner_text() == "Portefeuille de l'Association Les Chemins de Loire"
    contracts = page.get_by_test_id("portfolio-contracts").locator("tbody tr")
    assert contracts.count() == 1 and "CPOM-PDL-2027-044-01" in contracts.first.inner_text()
    # Its contract's signature is aimed at 15 December 2026: to send ahead of it, late once the day has passed.
    to_send = page.get_by_test_id("portfolio-to-send")
    late = page.get_by_test_id("portfolio-late")
    listed = (to_send.inner_text() if to_send.count() else "") + (late.inner_text() if late.count() else "")
    assert "15/12/2026" in listed and "Signature visée" in listed
    assert page.get_by_role("heading", name="Actions en retard").is_visible()
    page.get_by_label("À transmettre dans les").select_option(label="Toutes les échéances à venir")
    page.get_by_role("button", name="Filtrer").click()
    assert "horizon=tout" in page.url
    with page.expect_download() as download:
        page.get_by_test_id("export-contrats").click()
    assert download.value.suggested_filename == "portefeuille-association-les-chemins-de-loire-contrats.xlsx"
    with open(download.value.path(), "rb") as file:
        sheet = load_workbook(BytesIO(file.read())).active
    assert sheet["A3"].value == "CPOM-PDL-2027-044-01"
    assert sheet["D3"].value == "En négociation"
    page.close()
