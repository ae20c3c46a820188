"""The follow-up read API: campaigns per contract and a campaign's grid lines, under the contracts' visibility."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from cpom.followup import services
from cpom.followup.grid import grid_for
from cpom.followup.models import Campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(ehpad_contract, users):
    return services.open_campaign(ehpad_contract, users["ars"], {"year": 2025}, today=date(2025, 5, 5))


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_party_reads_the_campaigns_and_the_grid_lines(campaign, users):
    client = _client(users["cd49"])
    [listed] = client.get(f"/api/v1/contracts/{campaign.contract_id}/campaigns/").json()["results"]
    assert (listed["year"], listed["reviewed_year"], listed["status"]) == (2025, 2024, "open")
    assert listed["report_deadline"] == "2025-06-05"
    grid = client.get(f"/api/v1/campaigns/{campaign.pk}/grid/").json()
    [line] = grid["lines"]
    shown = grid_for(campaign).lines[0]
    assert line["indicator"] == "Taux d'absentéisme" and line["level"] == shown.level == "EC"
    assert line["target"] == "7" and line["due_label"] == "N+2 (2026)"
    assert [v["year"] for v in line["values"]] == [2023, 2024]


def test_outsiders_see_no_campaign_and_nobody_writes(campaign, users):
    outsider = _client(users["cd44"])
    assert outsider.get(f"/api/v1/campaigns/{campaign.pk}/grid/").status_code == 404
    assert outsider.get("/api/v1/campaigns/").json()["results"] == []
    party = _client(users["ars"])
    assert party.delete(f"/api/v1/campaigns/{campaign.pk}/").status_code == 405
    assert party.patch(f"/api/v1/campaigns/{campaign.pk}/", {"conclusions": "x"}).status_code == 405
    assert Campaign.objects.get(pk=campaign.pk).conclusions == ""
