"""The alerts read from the follow-up: an indicator not met on the campaign's grid, data missing two weeks before the
report's deadline, and a milestone the campaign records as done."""

from datetime import UTC, date, datetime

import pytest

from cpom.alerts import services
from cpom.alerts.models import Alert, Kind
from cpom.followup import services as follow_up
from cpom.followup.models import Campaign, CampaignStatus
from cpom.objectives.models import Milestone


@pytest.fixture
def campaign(ehpad_contract, users):
    """The EHPAD's campaign of 2026 reviewing 2025, open, its report due on 10 December."""
    opened = Campaign.objects.create(
        contract=ehpad_contract,
        year=2026,
        reviewed_year=2025,
        status=CampaignStatus.OPEN,
        opened_on=date(2026, 11, 10),
        opened_by=users["ars"],
        report_deadline=date(2026, 12, 10),
    )
    follow_up.recompute(opened)
    return opened


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 3, tzinfo=UTC)


def _open(contract, kind):
    return list(Alert.objects.open().filter(contract=contract, kind=kind))


def test_missing_data_is_raised_two_weeks_before_the_deadline_until_the_grid_is_submitted(ehpad_contract, campaign):
    services.compute_for(ehpad_contract, _at(date(2026, 11, 25)))
    assert _open(ehpad_contract, Kind.MISSING_DATA) == []
    services.compute_for(ehpad_contract, _at(date(2026, 11, 26)))
    [missing] = _open(ehpad_contract, Kind.MISSING_DATA)
    assert missing.message == (
        "Donnée manquante pour 2025 (Établissement d'hébergement pour personnes âgées dépendantes (EHPAD)) : "
        "Taux d'absentéisme ; le bilan est attendu le 10/12/2026."
    )
    assert missing.cause_url() == f"/contrats/{ehpad_contract.pk}/suivi/{campaign.pk}/"
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.SUBMITTED)
    services.compute_for(ehpad_contract, _at(date(2026, 12, 2)))
    assert _open(ehpad_contract, Kind.MISSING_DATA) == []


def test_the_settings_say_how_long_before_the_deadline(ehpad_contract, campaign, settings):
    settings.CPOM_ALERTS_BY_AUTHORITY = {"ARS-52": {"missing_data_days": 30}}
    services.compute_for(ehpad_contract, _at(date(2026, 11, 10)))
    assert len(_open(ehpad_contract, Kind.MISSING_DATA)) == 1


def test_an_indicator_confirmed_not_met_is_raised_and_resolved_when_the_level_changes(ehpad_contract, campaign, users):
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.SUBMITTED)
    entry = campaign.entries.get()
    follow_up.confirm_level(campaign, users["ars"], entry.pk, "NR", "Absentéisme toujours élevé.", entry.version)
    services.compute_for(ehpad_contract, _at(date(2026, 12, 2)))
    [not_met] = _open(ehpad_contract, Kind.INDICATOR)
    assert not_met.message == (
        "Indicateur non atteint (Établissement d'hébergement pour personnes âgées dépendantes (EHPAD)) : "
        "Taux d'absentéisme."
    )
    assert not_met.year == 2025
    entry.refresh_from_db()
    follow_up.confirm_level(campaign, users["ars"], entry.pk, "EC", "", entry.version)
    services.compute_for(ehpad_contract, _at(date(2026, 12, 3)))
    assert _open(ehpad_contract, Kind.INDICATOR) == []


def test_a_milestone_the_campaign_records_as_done_is_no_longer_overdue(ehpad_contract, campaign, users):
    services.compute_for(ehpad_contract, _at(date(2026, 12, 2)))
    [late] = _open(ehpad_contract, Kind.MILESTONE)
    milestone = Milestone.objects.get(objective__contract=ehpad_contract)
    follow_up.save_milestone(campaign, users["ehpad"], milestone.pk, date(2026, 9, 1), "Adopté en CA.", None)
    services.compute_for(ehpad_contract, _at(date(2026, 12, 3)))
    assert _open(ehpad_contract, Kind.MILESTONE) == []
    late.refresh_from_db()
    assert late.resolved_at == _at(date(2026, 12, 3))


def test_an_import_recomputes_the_open_campaigns_proposals_before_the_alerts(
    ehpad_contract, campaign, django_capture_on_commit_callbacks
):
    from decimal import Decimal

    from cpom.indicators import importers

    entry = campaign.entries.get()
    # A proposal made before the data changed: the import's recomputation replaces it with the rule's.
    entry.proposed_explanation = "proposition d'avant l'import"
    entry.save(update_fields=["proposed_explanation"])
    finess = ehpad_contract.establishments.order_by("finess").first().finess
    with django_capture_on_commit_callbacks(execute=True):
        importers.store([importers.Row(2, finess, 2025, "journees_realisees", Decimal("1"))], "a.csv", "CSV long")
    entry.refresh_from_db()
    assert entry.proposed_explanation == "cible 7\u00a0% en N+2 (2026) : valeur 2025 manquante"
    assert Alert.objects.filter(contract=ehpad_contract, kind=Kind.UNDER_ACTIVITY).exists()
