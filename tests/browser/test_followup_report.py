"""The signed annual report downloads in a real browser (Playwright driving Debian's Chromium, see conftest): on a
closed campaign of the demo EHPAD's contract, the council's user opens the campaign page and downloads the report
in PDF and in Word; each file is, byte for byte, the one stored when the campaign was sealed."""

from pathlib import Path

from journeys import log_in, prepare

from cpom.followup.models import SealedDocument

# A closed campaign of the EHPAD's contract: the demo's own when it has one, else the 2025 campaign opened, submitted,
# concluded and signed by the three parties through the services, as the pages do.
PREPARE = """
import django
django.setup()
from datetime import date
from django.contrib.auth import get_user_model
from cpom.contracts.models import Contract
from cpom.demo.loader import EHPAD_REFERENCE
from cpom.followup import services
from cpom.followup.models import CampaignStatus

users = {u.username: u for u in get_user_model().objects.select_related("membership")}
contract = Contract.objects.get(reference=EHPAD_REFERENCE)
campaign = contract.campaigns.filter(status=CampaignStatus.CLOSED).order_by("year").first()
if campaign is None:
    campaign = services.open_campaign(contract, users["ars"], {"year": 2025}, today=date(2025, 5, 5))
    services.submit(campaign, users["ehpad"], campaign.version)
    campaign.refresh_from_db()
    campaign = services.save_conclusions(campaign, users["ars"], "Objectifs tenus pour l'essentiel.", campaign.version)
    campaign = services.send_conclusions(campaign, users["ars"], campaign.version)
    for username in ("ehpad", "cd49", "ars"):
        campaign.refresh_from_db()
        data = {"signatory_name": username, "signatory_title": "Direction", "signed_hash": campaign.content_sha256}
        services.sign_conclusions(campaign, users[username], data, campaign.version, today=date(2025, 7, 1))
print(campaign.pk)
"""


def test_the_signed_report_downloads_as_it_was_sealed(browser, demo_server, tmp_path):
    campaign_id = int(prepare(demo_server, tmp_path, PREPARE).split()[-1])
    documents = list(
        SealedDocument.objects.using(demo_server.db).select_related("campaign").filter(campaign_id=campaign_id)
    )
    stored = {d.kind: bytes(d.content) for d in documents}
    contract_id = documents[0].campaign.contract_id
    page = log_in(browser, demo_server, "cd49")
    page.goto(f"{demo_server.url}/contrats/{contract_id}/suivi/{campaign_id}/")
    assert "Le rapport signé, tel qu'il a été scellé à la clôture" in page.locator("main").inner_text()
    for extension in ("pdf", "docx"):
        with page.expect_download() as download:
            page.get_by_test_id(f"report-{extension}").click()
        name = download.value.suggested_filename
        assert "-rapport-annuel-" in name and name.endswith(f".{extension}")
        assert Path(download.value.path()).read_bytes() == stored[f"rapport-{extension}"]
    page.close()
