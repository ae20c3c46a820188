"""The demo's yearly follow-up of the EHPAD's contract (cpom.demo.followup_story), on the loaded demo: its grids are
the engine's values, nothing typed for catalogue indicators, and its campaigns tell the story."""

from datetime import date

import pytest

from cpom.followup import levels
from cpom.followup.grid import grid_for
from cpom.followup.models import CONSOLIDATED, CampaignStatus
from cpom.indicators.services import consolidated_for

pytestmark = pytest.mark.usefixtures("demo_database")


@pytest.fixture
def campaigns(ehpad_contract):
    return list(ehpad_contract.campaigns.order_by("year"))


def test_two_campaigns_closed_and_signed_the_third_open_with_its_deadline(campaigns):
    assert [(c.year, c.reviewed_year, c.status) for c in campaigns] == [
        (2024, 2023, CampaignStatus.CLOSED),
        (2025, 2024, CampaignStatus.CLOSED),
        (2026, 2025, CampaignStatus.OPEN),
    ]
    assert campaigns[2].report_deadline == date(2026, 6, 4)
    # The 2026 campaign reads the contract as amended (avenant n° 1), the earlier ones as signed.
    assert [c.contract_version for c in campaigns] == [0, 0, 1]
    for closed in campaigns[:2]:
        assert [s.party_key for s in closed.signatures.order_by("recorded_at")] == closed.signature_order
        assert all(s.signed_hash == closed.content_sha256 for s in closed.signatures.all())


def test_every_line_shows_the_engine_value_of_its_category_and_the_level_of_the_rule(campaigns):
    walked = 0
    for campaign in campaigns:
        grid = grid_for(campaign)
        for line in grid.lines:
            if not line.computed:
                continue  # a contract's own indicator: the managing body declares it
            assert not line.entry.declared_value, "the demo types nothing for a catalogue indicator"
            perimeter = list(line.indicator.objective.establishments.all()) or list(
                campaign.contract.establishments.all()
            )
            for value in line.values:
                stored = {
                    r.category: r.value
                    for r in consolidated_for(perimeter, value.year)
                    if r.indicator == line.indicator.catalogue_indicator
                }
                if line.category != CONSOLIDATED and line.category in stored:
                    assert value.engine_value == pytest.approx(stored[line.category], rel=1e-12)
                walked += 1
            assert line.entry.proposed_level == line.assessment.level or campaign.status == CampaignStatus.CLOSED
            assert line.level in (levels.REALISED, levels.NOT_REALISED, levels.IN_PROGRESS)
    assert walked


def test_in_2025_the_authority_departs_from_the_proposals_with_its_reasons(campaigns):
    departed = [line for line in grid_for(campaigns[1]).lines if line.confirmed_level != line.entry.confirmed_proposal]
    assert departed, "one objective met and one not met, each with the authority's reason"
    for line in departed:
        assert line.entry.override_comment
    assert {line.confirmed_level for line in departed} <= {levels.REALISED, levels.NOT_REALISED}
