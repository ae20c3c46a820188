"""A campaign's life on the world's EHPAD contract: opened by the lead, filled and submitted by the managing body,
its conclusions signed in order by every party, then closed and sealed (the database keeps it so)."""

from datetime import date

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.test import override_settings

from cpom.audit.models import AuditEntry
from cpom.followup import levels, services, snapshot
from cpom.followup.grid import grid_for
from cpom.followup.models import Campaign, CampaignStatus, GridEntry, SealedDocument

pytestmark = pytest.mark.django_db

OPENED = date(2025, 5, 5)


@pytest.fixture
def campaign(ehpad_contract, users):
    return services.open_campaign(ehpad_contract, users["ars"], {"year": 2025}, today=OPENED)


def _sign(campaign, user, name="Paul Lefèvre", on=date(2025, 10, 1)):
    campaign.refresh_from_db()
    return services.sign_conclusions(
        campaign, user, {"signatory_name": name, "signatory_title": "Directeur"}, campaign.version, today=on
    )


def test_the_lead_opens_the_campaign_with_its_calendar_from_the_settings(campaign, ehpad_contract):
    assert (campaign.status, campaign.reviewed_year) == (CampaignStatus.OPEN, 2024)
    assert campaign.report_deadline == date(2025, 6, 5)
    assert (campaign.review_start, campaign.review_end) == (date(2025, 5, 1), date(2025, 10, 31))
    assert campaign.contract_version == 0
    # Every line of the grid has its entry, holding the rule's proposal.
    grid = grid_for(campaign)
    assert grid.lines and all(line.entry and line.entry.proposed_level == line.assessment.level for line in grid.lines)
    assert AuditEntry.objects.filter(object_id=str(ehpad_contract.pk), action__contains="2025 : ouverte").exists()


@override_settings(CPOM_FOLLOW_UP_BY_AUTHORITY={"ARS-52": {"report_deadline_months": 2, "reviewed_year_lag": 2}})
def test_the_lead_authority_sets_its_own_calendar(ehpad_contract, users):
    campaign = services.open_campaign(ehpad_contract, users["ars"], {"year": 2026}, today=date(2026, 5, 4))
    assert (campaign.report_deadline, campaign.reviewed_year) == (date(2026, 7, 4), 2024)


def test_only_the_lead_opens_and_once_a_year(campaign, ehpad_contract, users):
    for username in ("ehpad", "cd49"):
        with pytest.raises(services.FollowUpRefused) as refused:
            services.open_campaign(ehpad_contract, users[username], {"year": 2026}, today=OPENED)
        assert "cheffe de file" in str(refused.value)
    with pytest.raises(services.FollowUpRefused) as refused:
        services.open_campaign(ehpad_contract, users["ars"], {"year": 2025}, today=OPENED)
    assert "déjà ouverte" in str(refused.value)
    assert Campaign.objects.filter(contract=ehpad_contract).count() == 1


def test_a_contract_not_in_force_has_no_campaign(association_contract, users):
    with pytest.raises(services.FollowUpRefused) as refused:
        services.open_campaign(association_contract, users["ars"], {"year": 2027}, today=OPENED)
    assert "seul un contrat en vigueur se suit" in str(refused.value)


def test_submitted_then_concluded_and_signed_in_order_the_campaign_closes_sealed(campaign, users):
    entry = grid_for(campaign).lines[0].entry
    services.save_entry(
        campaign, users["ehpad"], entry.pk, {"declared_value": "8", "comment": "En baisse."}, entry.version
    )
    campaign.refresh_from_db()
    services.submit(campaign, users["ehpad"], campaign.version)
    campaign.refresh_from_db()
    # Submitted: the managing body no longer fills the grid.
    with pytest.raises(services.FollowUpRefused):
        services.save_entry(campaign, users["ehpad"], entry.pk, {"comment": "Trop tard."}, entry.version + 1)
    services.save_conclusions(campaign, users["ehpad"], "Objectif en bonne voie.", campaign.version)
    campaign.refresh_from_db()
    with pytest.raises(services.FollowUpRefused):
        services.send_conclusions(campaign, users["ehpad"], campaign.version)
    services.send_conclusions(campaign, users["ars"], campaign.version)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SIGNING
    assert campaign.signature_order[0] == "managing_body" and campaign.signature_order[-1].startswith("authority:")
    assert campaign.content_sha256 == snapshot.content_hash(__import__("json").loads(campaign.snapshot))
    # The ARS signs last: before the others it is refused.
    with pytest.raises(services.FollowUpRefused) as refused:
        _sign(campaign, users["ars"], "Nadia Benali")
    assert "dans l'ordre" in str(refused.value)
    _sign(campaign, users["ehpad"])
    _sign(campaign, users["cd49"], "Sophie Garnier")
    _sign(campaign, users["ars"], "Nadia Benali")
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED and campaign.closed_at
    assert campaign.signatures.count() == 3
    assert all(s.signed_hash == campaign.content_sha256 for s in campaign.signatures.all())


def test_a_registered_writer_seals_its_document_with_its_hash(campaign, users, monkeypatch):
    import hashlib

    monkeypatch.setattr(snapshot, "_WRITERS", {})
    snapshot.register_sealed_document(
        "essai", "Document d'essai", lambda data: (f"essai-{data['campaign']['year']}.txt", b"grille signee")
    )
    campaign.refresh_from_db()
    services.submit(campaign, users["ehpad"], campaign.version)
    campaign.refresh_from_db()
    services.save_conclusions(campaign, users["ars"], "Conclusions.", campaign.version)
    campaign.refresh_from_db()
    services.send_conclusions(campaign, users["ars"], campaign.version)
    for username in ("ehpad", "cd49", "ars"):
        _sign(campaign, users[username])
    [document] = SealedDocument.objects.filter(campaign=campaign)
    assert (document.file_name, bytes(document.content)) == ("essai-2025.txt", b"grille signee")
    assert document.sha256 == hashlib.sha256(b"grille signee").hexdigest()


def test_the_database_keeps_a_campaign_in_signature_as_signed(campaign, users):
    campaign.refresh_from_db()
    services.submit(campaign, users["ehpad"], campaign.version)
    campaign.refresh_from_db()
    services.save_conclusions(campaign, users["ars"], "Conclusions.", campaign.version)
    campaign.refresh_from_db()
    services.send_conclusions(campaign, users["ars"], campaign.version)
    entry = GridEntry.objects.filter(campaign=campaign).first()
    with pytest.raises(DatabaseError), transaction.atomic():
        GridEntry.objects.filter(pk=entry.pk).update(comment="changé")
    with pytest.raises(DatabaseError), transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(snapshot="{}")
    with pytest.raises(DatabaseError), transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).delete()
    for username in ("ehpad", "cd49", "ars"):
        _sign(campaign, users[username])
    with pytest.raises(DatabaseError), transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(conclusions="changé")
    with pytest.raises(DatabaseError), transaction.atomic():
        campaign.signatures.all().delete()
    assert Campaign.objects.get(pk=campaign.pk).conclusions == "Conclusions."


@override_settings(CPOM_FOLLOW_UP_BY_AUTHORITY={"ARS-52": {"automatic_opening": "04-15"}})
def test_the_command_opens_the_due_campaigns_on_the_authority_day(ehpad_contract, capsys):
    call_command("suivi", "ouvrir-campagnes", "--date", "14/04/2026")
    assert "Aucune campagne à ouvrir." in capsys.readouterr().out
    call_command("suivi", "ouvrir-campagnes", "--date", "15/04/2026")
    assert "CPOM-PDL-2024-049-07 : campagne 2026 ouverte, bilan attendu le 15/05/2026." in capsys.readouterr().out
    call_command("suivi", "ouvrir-campagnes", "--date", "16/04/2026")
    assert "Aucune campagne à ouvrir." in capsys.readouterr().out
    assert Campaign.objects.get(contract=ehpad_contract, year=2026).status == CampaignStatus.OPEN


def test_the_proposal_of_the_declared_line_follows_the_rule(campaign, users):
    line = grid_for(campaign).lines[0]
    services.save_entry(campaign, users["ehpad"], line.entry.pk, {"declared_value": "8,4"}, line.entry.version)
    after = grid_for(campaign).line(line.indicator.pk, line.category)
    # 2024 is year N of the contract, before the line is due (N+2): in progress, whatever its value.
    assert after.value_of(2024).text == "8,4"
    assert after.assessment.level == levels.IN_PROGRESS
