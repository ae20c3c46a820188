"""The follow-up's pages as each party uses them on the world's EHPAD contract."""

from datetime import date

import pytest
from django.urls import reverse

from cpom.followup import services
from cpom.followup.grid import grid_for
from cpom.followup.models import Campaign, CampaignStatus, GridEntry
from support import assert_stale, element, elements, page_text, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(ehpad_contract, users):
    return services.open_campaign(ehpad_contract, users["ars"], {"year": 2025}, today=date(2025, 5, 5))


def _url(campaign, name="followup:campaign", **kwargs):
    return reverse(name, kwargs={"contract_id": campaign.contract_id, "campaign_id": campaign.pk, **kwargs})


def test_the_stage_lists_the_campaigns_and_the_lead_opens_one(client_for, ehpad_contract):
    client = client_for("ars")
    listing = client.get(reverse("followup:list", kwargs={"contract_id": ehpad_contract.pk}))
    assert "Aucune campagne de suivi n'a encore été ouverte." in page_text(listing)
    assert "Suivi annuel" in [text_of(a) for a in elements(listing, "//nav//a")]
    response = client.post(
        reverse("followup:open", kwargs={"contract_id": ehpad_contract.pk}), {"year": 2026}, follow=True
    )
    campaign = Campaign.objects.get(contract=ehpad_contract, year=2026)
    assert f"La campagne 2026 est ouverte : bilan attendu le {campaign.report_deadline:%d/%m/%Y}." in page_text(
        response
    )
    assert text_of(element(response, "//*[@data-testid='status']")) == "Ouverte"


def test_the_managing_body_cannot_open_a_campaign(client_for, ehpad_contract):
    client = client_for("ehpad")
    response = client.post(reverse("followup:open", kwargs={"contract_id": ehpad_contract.pk}), {"year": 2026})
    assert response.status_code == 403
    assert "Seule l'autorité cheffe de file ouvre une campagne de suivi." in page_text(response)
    assert not Campaign.objects.filter(contract=ehpad_contract).exists()


def test_the_grid_shows_each_line_with_its_due_year_level_and_target(client_for, campaign):
    page = client_for("cd49").get(_url(campaign))
    [line] = elements(page, "//tr[@data-testid='line']")
    cells = [text_of(c) for c in line.xpath("th|td")]
    assert "Qualité de vie au travail" in cells[0]
    assert "Réduire l'absentéisme" in cells[1]
    # Due N+2 (2026): the third due column is ticked; the reviewed year 2024 is N: in progress.
    assert cells[2:7] == ["", "", "×", "", ""]
    assert cells[7:10] == ["", "", "EC"]
    assert "Taux d'absentéisme" in cells[10]
    assert "Niveau proposé : en cours" in cells[10]
    assert cells[12] == "7"
    # The council is an authority party: it confirms levels, it does not fill the managing body's lines.
    assert "Confirmer le niveau" in page_text(page)
    assert "Enregistrer la ligne" not in page_text(page)


def test_the_managing_body_fills_a_line_and_sees_the_proposal_follow(client_for, campaign):
    entry = GridEntry.objects.get(campaign=campaign)
    client = client_for("ehpad")
    response = client.post(
        _url(campaign, "followup:entry", entry_id=entry.pk),
        {"version": entry.version, "declared_value": "6,5", "comment": "Plan de prévention efficace."},
        follow=True,
    )
    assert "La ligne est enregistrée ; le niveau proposé est recalculé." in page_text(response)
    assert text_of(element(response, "//*[@data-testid='value-2024']")) == "6,5\u00a0%"
    assert "Plan de prévention efficace." in page_text(response)
    assert "déjà atteinte" in text_of(element(response, "//*[@data-testid='proposal']"))


def test_a_bad_declared_value_is_said_and_nothing_changes(client_for, campaign):
    entry = GridEntry.objects.get(campaign=campaign)
    response = client_for("ehpad").post(
        _url(campaign, "followup:entry", entry_id=entry.pk),
        {"version": entry.version, "declared_value": "environ 7"},
        follow=True,
    )
    assert "Taux d'absentéisme" in page_text(response) and "valeur déclarée" in page_text(response)
    assert GridEntry.objects.get(pk=entry.pk).declared_value == ""


def test_a_stale_line_is_refused_with_409(client_for, campaign):
    entry = GridEntry.objects.get(campaign=campaign)
    client = client_for("ehpad")
    client.post(_url(campaign, "followup:entry", entry_id=entry.pk), {"version": entry.version, "comment": "Un."})
    assert_stale(
        client.post(_url(campaign, "followup:entry", entry_id=entry.pk), {"version": entry.version, "comment": "Deux."})
    )
    assert GridEntry.objects.get(pk=entry.pk).comment == "Un."


def test_an_override_without_its_comment_is_refused_on_the_page(client_for, campaign):
    entry = GridEntry.objects.get(campaign=campaign)
    response = client_for("ars").post(
        _url(campaign, "followup:confirm", entry_id=entry.pk), {"version": entry.version, "level": "R"}, follow=True
    )
    assert "indiquez le motif de l'écart dans le commentaire" in page_text(response)
    assert GridEntry.objects.get(pk=entry.pk).confirmed_level == ""


def test_read_only_members_and_outsiders(client_for, campaign, users):
    from cpom.access import Role

    membership = users["ehpad"].membership
    membership.role = Role.READ
    membership.save(update_fields=["role"])
    entry = GridEntry.objects.get(campaign=campaign)
    response = client_for("ehpad").post(
        _url(campaign, "followup:entry", entry_id=entry.pk), {"version": entry.version, "comment": "Lecture."}
    )
    assert response.status_code == 403
    assert GridEntry.objects.get(pk=entry.pk).comment == ""
    assert client_for("cd44").get(_url(campaign)).status_code == 404
    assert client_for("asso").get(_url(campaign)).status_code == 404


def test_submit_conclude_and_sign_on_the_pages(client_for, campaign):
    client = client_for("ehpad")
    client.post(_url(campaign, "followup:submit"), {"version": campaign.version})
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SUBMITTED
    ars = client_for("ars")
    ars.post(_url(campaign, "followup:conclusions"), {"version": campaign.version, "conclusions": "En bonne voie."})
    campaign.refresh_from_db()
    ars.post(_url(campaign, "followup:send"), {"version": campaign.version})
    campaign.refresh_from_db()
    for username, name in (("ehpad", "Paul Lefèvre"), ("cd49", "Sophie Garnier"), ("ars", "Nadia Benali")):
        client = client_for(username)
        page = client.get(_url(campaign))
        assert campaign.content_sha256 in page_text(page)
        campaign.refresh_from_db()
        client.post(
            _url(campaign, "followup:sign"),
            {
                "version": campaign.version,
                "signatory_name": name,
                "signatory_title": "Pour l'organisation",
                "signed_hash": campaign.content_sha256,
            },
        )
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    page = client_for("ehpad").get(_url(campaign))
    assert text_of(element(page, "//*[@data-testid='status']")) == "Close (conclusions signées)"
    assert text_of(element(page, "//*[@data-testid='hash']")) == campaign.content_sha256
    assert "En bonne voie." in page_text(page)
    assert len(grid_for(campaign).lines) == 1
