"""Issue 13's parts were built apart and meet through the registries: on the demo, each shows what the others record.

The managing body's portfolio lists the decisions of the EHPAD's sealed relevé, the contract's history holds the
review and the launch kit, and « Mes échéances » tells each side the reviews' and the launch kit's deadlines.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from cpom.contracts.models import Contract
from support import page_text, rows_of

pytestmark = [pytest.mark.usefixtures("demo_database"), pytest.mark.django_db]


def _contract(prefix: str) -> Contract:
    return Contract.objects.get(managing_body__name__startswith=prefix)


def test_the_ehpad_portfolio_lists_the_decisions_its_relevé_gave_it(client):
    user = get_user_model().objects.get(username="ehpad")
    client.force_login(user)
    url = reverse("roadmap:portfolio", kwargs={"managing_body_id": user.membership.managing_body_id})
    rows = rows_of(client.get(url, {"horizon": "tout"}), "//table[@data-testid='portfolio-decisions']/tbody")
    text = " ".join(" ".join(row) for row in rows)
    # Decision n° 3 as the EHPAD's accepted adjustment reworded it before both signed.
    assert "Transmettre le plan de prévention des chutes actualisé, après l'avis du conseil de la vie sociale" in text
    assert "Préparer l'avenant n° 2" in text
    # The ARS's own decision (the SSIAD's target) is not the EHPAD's to carry.
    assert "Ajuster la cible 2027" not in text


def test_the_ehpad_history_holds_its_review_and_the_association_its_launch(client):
    client.force_login(get_user_model().objects.get(username="lea"))
    ehpad = page_text(client.get(reverse("timeline:history", kwargs={"contract_id": _contract("EHPAD").pk})))
    assert "Dialogues de gestion" in ehpad  # the filter offers the reviews' kind
    assert "12/10/2026" in ehpad or "12 octobre 2026" in ehpad
    association = page_text(
        client.get(reverse("timeline:history", kwargs={"contract_id": _contract("Association").pk}), {"type": "launch"})
    )
    assert "Aucun événement" not in association and "lancement" in association.lower()


def test_mes_echeances_tells_the_ehpad_its_decisions(client):
    client.force_login(get_user_model().objects.get(username="ehpad"))
    text = page_text(client.get(reverse("notifications:mine")))
    assert "plan de prévention des chutes" in text


def test_the_ars_portfolio_gives_each_contract_the_rate_its_grid_gives(client):
    from cpom.followup.grid import grid_for
    from cpom.followup.models import Campaign
    from cpom.portfolios.tables import Rate

    ars = get_user_model().objects.get(username="ars")
    client.force_login(ars)
    ehpad = _contract("EHPAD")
    campaign = Campaign.objects.filter(contract=ehpad).exclude(status="planned").order_by("-year").first()
    expected = grid_for(campaign).achievement_rate
    assert expected is not None  # the demo's 2026 grid judges objectives
    response = client.get(reverse("portfolios:portfolio", kwargs={"authority_id": ars.membership.authority_id}))
    rows = {row[0]: row for row in rows_of(response, "//table[@data-testid='table-contrats']/tbody")}
    line = rows[ehpad.reference]
    assert line[4] == str(campaign.year)
    assert line[5] == str(Rate(expected))
