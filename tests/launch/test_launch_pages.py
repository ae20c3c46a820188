"""The launch kit's pages as the parties use them: the tab in the contract's frame, the kit, its forms and their
French refusals, the RACI form, the Gantt chart and its table."""

from datetime import date, timedelta

import lxml.html
import pytest
from django.urls import reverse
from django.utils import timezone

from cpom.launch import services
from cpom.launch.models import RaciCell
from launch.conftest import contact_choice
from support import walk_to


def _page(response):
    return lxml.html.fromstring(response.content.decode())


def _testid(page, testid: str):
    return page.xpath(f"//*[@data-testid='{testid}']")[0]


def _text(response) -> str:
    return " ".join(_page(response).text_content().split())


def _home(contract):
    return reverse("launch:home", kwargs={"contract_id": contract.pk})


def test_the_lancement_tab_is_in_the_frame_before_signature_and_leaves_it_after(
    client_for, association_contract, ehpad_contract
):
    page = _page(client_for("ars").get(association_contract.get_absolute_url()))
    tabs = [a.text_content().strip() for a in page.xpath("//*[@data-testid='contract-navigation']//a")]
    assert tabs[:2] == ["Contrat", "Lancement"]
    page = _page(client_for("ehpad").get(ehpad_contract.get_absolute_url()))
    assert "Lancement" not in [
        a.text_content().strip() for a in page.xpath("//*[@data-testid='contract-navigation']//a")
    ]


def test_without_a_kit_a_party_creates_it_and_a_reader_is_told_why_not(client_for, association_contract):
    client = client_for("asso")
    assert "Créer le kit de lancement" in _text(client.get(_home(association_contract)))
    response = client.post(reverse("launch:create", kwargs={"contract_id": association_contract.pk}), follow=True)
    text = _text(response)
    assert "Le kit de lancement est créé" in text
    assert "Check-list de la réunion de lancement" in text and "Périmètre du CPOM" in text


def test_an_outsider_finds_no_kit(client_for, kit, association_contract):
    for username in ("ehpad", "cd49"):
        response = client_for(username).get(_home(association_contract))
        assert response.status_code == 404 and association_contract.reference not in response.content.decode()


def test_the_kit_shows_the_schedule_the_gantt_and_its_table_with_the_late_steps(
    client_for, raci_kit, association_contract
):
    response = client_for("ars").get(_home(association_contract))
    page = _page(response)
    late_rows = [row.get("data-testid") for row in page.xpath("//*[@data-testid='schedule']//tr[@data-late]")]
    late_bars = [g.get("data-step") for g in page.xpath("//*[@data-testid='gantt']//g[@data-late]")]
    assert late_rows == [f"step-{code}" for code in late_bars]
    assert "step-objectives_meeting" in late_rows
    summary = _testid(page, "schedule-summary").text_content()
    assert "15/12/2026" in summary and "en retard" in summary
    assert page.xpath("//*[@data-testid='gantt']//svg/title")[0].text_content().startswith("Rétroplanning du contrat")
    row = _testid(page, "step-referral").text_content()
    assert "03/11/2025" in row and "Constaté par le suivi du contrat" in row and "Fait" in row
    # The committee, the referents and the matrix.
    committee = _testid(page, "committee").text_content()
    assert "Claire Martin" in committee and "Référent" in committee
    assert "R – " not in _testid(page, "raci").text_content()


def test_adding_a_member_through_the_form_and_a_bad_choice_said_in_french(client_for, kit, association_contract):
    client = client_for("ars")
    url = reverse("launch:add_member", kwargs={"contract_id": association_contract.pk})
    response = client.post(
        url, {"version": kit.version, "choice": contact_choice("Claire", "Martin"), "is_referent": "on"}, follow=True
    )
    assert "Claire Martin rejoint le comité de pilotage." in _text(response)
    response = client.post(url, {"version": kit.version + 1, "choice": "contact:999999"}, follow=True)
    assert "Personne : choisissez un contact en fonction ou un utilisateur de l'une des parties." in _text(response)
    assert kit.members.count() == 1


def test_a_stale_committee_page_is_refused_with_409(client_for, kit, association_contract):
    response = client_for("ars").post(
        reverse("launch:add_member", kwargs={"contract_id": association_contract.pk}),
        {"version": kit.version + 5, "choice": contact_choice("Claire", "Martin")},
    )
    assert response.status_code == 409 and "Quelqu'un d'autre a enregistré" in _text(response)
    assert not kit.members.exists()


def test_the_raci_form_saves_a_changed_cell_and_refuses_a_matrix_without_an_a(
    client_for, raci_kit, association_contract
):
    client = client_for("asso")
    url = reverse("launch:raci", kwargs={"contract_id": association_contract.pk})
    page = _page(client.get(url))
    posted = {"version": str(raci_kit.version)}
    for select in page.xpath("//*[@data-testid='raci-form']//select"):
        chosen = select.xpath("option[@selected]")
        posted[select.get("name")] = chosen[0].get("value") if chosen else ""
    roux = raci_kit.members.get(name="Isabelle Roux").pk
    martin = raci_kit.members.get(name="Claire Martin").pk
    refused = {**posted, f"raci-diagnostic-{martin}": "R"}
    response = client.post(url, refused)
    assert response.status_code == 400
    errors = _testid(_page(response), "raci-errors").text_content()
    assert "4. Renseignement par l'organisme gestionnaire" in errors and "exactement une personne « A »" in errors
    assert RaciCell.objects.get(kit=raci_kit, member_id=martin, activity="diagnostic").role == "A"
    response = client.post(url, {**posted, f"raci-board-{roux}": "C", f"raci-board-{martin}": "A"}, follow=True)
    # Board: Martin was A and Roux R; Roux consulted leaves no R.
    assert "il faut au moins une personne « R »" in _text(response)
    response = client.post(url, {**posted, f"raci-final_document-{roux}": "C"}, follow=True)
    assert "La matrice RACI est enregistrée." in _text(response)
    assert RaciCell.objects.get(kit=raci_kit, member_id=roux, activity="final_document").role == "C"


def test_ticking_a_point_on_the_page(client_for, kit, association_contract):
    item = kit.checklist.get(code="calendar")
    response = client_for("cd44").post(
        reverse("launch:tick", kwargs={"contract_id": association_contract.pk, "item_id": item.pk}),
        {"version": item.version, "ticked": "on", "comment": "Quatre COPIL"},
        follow=True,
    )
    row = _testid(_page(response), "item-calendar").text_content()
    assert "Oui, le" in row and "Julien Moreau (Conseil départemental de Loire-Atlantique)" in row
    assert "Quatre COPIL" in row


def test_marking_a_step_done_on_the_page_and_a_future_date_refused(client_for, kit, association_contract):
    client = client_for("asso")
    url = reverse("launch:step_done", kwargs={"contract_id": association_contract.pk, "step": "objective_sheets"})
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(url, {"done_on": tomorrow.isoformat()}, follow=True)
    assert "Date de réalisation : une étape ne peut pas être déclarée réalisée à une date future." in _text(response)
    response = client.post(url, {"done_on": "pas une date"}, follow=True)
    assert "Date de réalisation : indiquez une date valide" in _text(response)
    response = client.post(url, {"done_on": "2026-09-30"}, follow=True)
    row = _testid(_page(response), "step-objective_sheets").text_content()
    assert "30/09/2026" in row and "Déclaré par Claire Martin" in row and "Fait en retard" in row


def test_a_signed_contract_s_kit_is_read_only_and_says_why(client_for, kit, association_contract, users):
    services.mark_step_done(users["asso"], kit, "objective_sheets", date(2026, 9, 30))
    walk_to(association_contract, "signed")
    response = client_for("ars").get(_home(association_contract))
    text = _text(response)
    assert "Le contrat est signé : son kit de lancement est l'histoire de son lancement" in text
    assert not _page(response).xpath("//form[contains(@action, 'check-list')]")
    tick = reverse("launch:tick", kwargs={"contract_id": association_contract.pk, "item_id": kit.checklist.first().pk})
    response = client_for("ars").post(tick, {"version": 1, "ticked": "on"}, follow=True)
    assert "ne se modifie plus" in _text(response)


@pytest.mark.parametrize("username", ["ars", "asso"])
def test_both_parties_read_the_same_kit(client_for, staffed_kit, association_contract, username):
    text = _text(client_for(username).get(_home(association_contract)))
    assert "Nadia Benali" in text and "Isabelle Roux" in text


def test_the_kit_page_asks_as_many_queries_with_more_members_ticks_and_steps(client_for, raci_kit, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("ars")
    url = _home(raci_kit.contract)
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    services.add_member(users["ars"], raci_kit, raci_kit.version, f"user:{users['cd44'].pk}")
    services.add_member(users["ars"], raci_kit, raci_kit.version, f"user:{users['asso'].pk}")
    for item in raci_kit.checklist.all()[:3]:
        services.tick(users["asso"], item, item.version, True, "Vu")
    services.mark_step_done(users["asso"], raci_kit, "objective_sheets", date(2026, 9, 30))
    services.mark_step_done(users["ars"], raci_kit, "objectives_meeting", date(2026, 10, 2))
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before), "\n".join(q["sql"] for q in after.captured_queries)
