"""« Mes échéances »: the person's upcoming deadlines, their preferences (saved whole or refused with the field
named), the calendar's secret address (a new one refuses the old), and the feed a calendar application reads."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from cpom import deadline_sources
from cpom.audit.models import AuditEntry
from cpom.notifications import services
from cpom.notifications.models import KindChoice, Preference
from support import elements, page_text, rows_of, text_of

MINE = "/echeances/"


def _form_data(preference, overrides=None):
    data = {"version": preference.version}
    for code, choice in services.defaults().items():
        if choice.enabled:
            data[f"on_{code}"] = "on"
        data[f"days_{code}"] = str(choice.days_before)
    for key, value in (overrides or {}).items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def _ics(response) -> Calendar:
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def _label(code: str) -> str:
    """A kind's name as the person reads it: the stage that owns the kind registered it (the fake source's own name
    gives way to the real one)."""
    return deadline_sources.kind(code).label


def _step_told(day: date) -> str:
    return f"Le {(day - timedelta(days=deadline_sources.kind('schedule_step').days_before)).strftime('%d/%m/%Y')}"


def _events(calendar):
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def soon(association_contract, fake_source):
    """Two deadlines of the association's contract in the coming weeks, whatever today is."""
    today = timezone.localdate()
    fake_source(
        deadline_sources.Due(
            association_contract.pk,
            today + timedelta(days=10),
            "review",
            f"{association_contract.reference} — Dialogue de gestion de l'année 3",
            association_contract.get_absolute_url(),
            f"review:{association_contract.pk}:x",
        ),
        deadline_sources.Due(
            association_contract.pk,
            today + timedelta(days=20),
            "schedule_step",
            f"{association_contract.reference} — Étape 5 : première réunion de négociation",
            association_contract.get_absolute_url(),
            f"schedule_step:{association_contract.pk}:5",
        ),
    )
    return today


def test_the_page_lists_the_upcoming_deadlines_and_when_the_person_is_told(client_for, soon, association_contract):
    page = client_for("asso").get(MINE)
    rows = rows_of(page, "//table[@data-testid='deadlines']/tbody")
    labels = [row[2].split(" — ")[1] for row in rows]
    # By day: the dialogue in 10 days, the step in 20 (the contract's own target signature may come between).
    assert labels.index("Dialogue de gestion de l'année 3") < labels.index("Étape 5 : première réunion de négociation")
    assert all(row[2].startswith(association_contract.reference) for row in rows)
    by_label = {row[2].split(" — ")[1]: row for row in rows}
    dialogue, step = by_label["Dialogue de gestion de l'année 3"], by_label["Étape 5 : première réunion de négociation"]
    assert dialogue[0] == (soon + timedelta(days=10)).strftime("%d/%m/%Y")
    assert dialogue[1] == _label("review")
    assert dialogue[3] == "Dès le prochain envoi"  # 10 days ahead, told 30 days before by default
    assert step[3] == _step_told(soon + timedelta(days=20))  # 20 days ahead, told a week before by default
    # The header links to the page from every page.
    assert elements(page, "//a[@data-testid='my-deadlines' and @href='/echeances/']")


def test_the_page_shows_nothing_of_contracts_the_person_may_not_see(client_for, soon, association_contract):
    for username in ("ehpad", "cd49"):
        body = page_text(client_for(username).get(MINE))
        assert association_contract.reference not in body, username


def test_a_kind_turned_off_leaves_the_list_and_days_before_move_the_day_told(client_for, users, soon):
    client = client_for("asso")
    preference = services.preference_for(users["asso"])
    response = client.post(
        reverse("notifications:preferences"),
        _form_data(preference, {"on_review": None, "days_schedule_step": "25"}),
        follow=True,
    )
    assert "Vos préférences sont enregistrées" in page_text(response)
    rows = rows_of(response, "//table[@data-testid='deadlines']/tbody")
    labels = [row[2] for row in rows]
    assert not any("Dialogue de gestion de l'année 3" in label for label in labels)
    step = next(row for row in rows if "Étape 5" in row[2])
    assert step[3] == "Dès le prochain envoi"
    assert text_of(elements(response, "//p[@data-testid='left-out']")[0]) == (
        "Une échéance d'un type que vous ne suivez pas n'est pas listée."
    )
    assert KindChoice.objects.get(preference=preference, kind="review").enabled is False
    assert KindChoice.objects.get(preference=preference, kind="schedule_step").days_before == 25
    entry = AuditEntry.objects.filter(object_type="notifications.preference", object_id=str(preference.pk)).last()
    assert entry.action == "Préférences d'échéances modifiées"
    assert entry.after[_label("review")] == "non"
    assert entry.after[_label("schedule_step")] == "25 jours avant"


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ("douze", "jours avant : « douze » n'est pas un nombre entier"),
        ("400", "jours avant : la valeur ne peut pas dépasser 365"),
        ("-1", "jours avant : la valeur ne peut pas être inférieure à 0"),
        ("", "jours avant : indiquez un nombre de jours."),
    ],
)
def test_bad_input_is_refused_with_the_field_named_and_nothing_changes(client_for, users, soon, days, message):
    preference = services.preference_for(users["asso"])
    response = client_for("asso").post(
        reverse("notifications:preferences"), _form_data(preference, {"days_schedule_step": days, "on_review": None})
    )
    assert f"{_label('schedule_step')} — {message}" in page_text(response)
    assert not KindChoice.objects.filter(preference=preference).exists()
    preference.refresh_from_db()
    assert preference.version == 1


def test_a_save_based_on_an_older_page_is_refused(client_for, users, soon):
    preference = services.preference_for(users["asso"])
    client = client_for("asso")
    client.post(reverse("notifications:preferences"), _form_data(preference))
    response = client.post(reverse("notifications:preferences"), _form_data(preference, {"on_review": None}))
    assert response.status_code == 409
    assert "Quelqu'un d'autre a enregistré une modification" in page_text(response)
    assert KindChoice.objects.get(preference=preference, kind="review").enabled is True


def test_the_feed_holds_every_deadline_of_the_persons_contracts_and_nothing_of_others(
    client, users, association_contract, ehpad_contract, soon
):
    ehpad_deadlines = services.deadlines_of(users["ehpad"], soon - timedelta(days=90))
    assert ehpad_deadlines, "the EHPAD's contract in force has its renewal and end deadlines"
    for username, own, other in (
        ("ehpad", ehpad_contract, association_contract),
        ("asso", association_contract, ehpad_contract),
    ):
        token = services.preference_for(users[username]).feed_token
        calendar = _ics(client.get(reverse("notifications:feed", kwargs={"token": token})))
        events = _events(calendar)
        expected = services.deadlines_of(users[username], soon - timedelta(days=90))
        assert set(events) == {f"{due.key}@echeances.cpom" for due in expected}
        for due in expected:
            event = events[f"{due.key}@echeances.cpom"]
            assert event["DTSTART"].dt == due.day and event["DTEND"].dt == due.day + timedelta(days=1)
            assert str(event["SUMMARY"]) == due.label
            assert str(event["URL"]).endswith(due.url)
        text = client.get(reverse("notifications:feed", kwargs={"token": token})).content.decode()
        assert own.reference in text and other.reference not in text, username
    ehpad_events = _events(
        _ics(
            client.get(
                reverse("notifications:feed", kwargs={"token": services.preference_for(users["ehpad"]).feed_token})
            )
        )
    )
    assert {due.label for due in ehpad_deadlines} <= {str(e["SUMMARY"]) for e in ehpad_events.values()}


def test_a_new_address_refuses_the_old_one(client, client_for, users, soon):
    preference = services.preference_for(users["asso"])
    old = reverse("notifications:feed", kwargs={"token": preference.feed_token})
    assert _events(_ics(client.get(old)))  # the calendar reads the deadlines at the old address, until it changes
    viewer = client_for("asso")
    response = viewer.post(reverse("notifications:regenerate"), {"version": preference.version}, follow=True)
    assert "Votre calendrier a une nouvelle adresse" in page_text(response)
    preference.refresh_from_db()
    new = reverse("notifications:feed", kwargs={"token": preference.feed_token})
    assert new != old
    shown = elements(response, "//input[@data-testid='feed-url']")[0].get("value")
    assert shown == f"http://testserver{new}"
    viewer.logout()
    assert client.get(old).status_code == 404
    assert "Dialogue de gestion de l'année 3" in client.get(new).content.decode()
    entry = AuditEntry.objects.filter(object_type="notifications.preference").last()
    assert "l'ancienne ne répond plus" in entry.action and preference.feed_token not in str(entry.after)


def test_a_wrong_token_or_an_inactive_person_gets_nothing(client, users, soon):
    token = services.preference_for(users["asso"]).feed_token
    for wrong in (
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        "x" * 43,
        token.upper() if token != token.upper() else token.lower(),
    ):
        response = client.get(reverse("notifications:feed", kwargs={"token": wrong}))
        assert response.status_code == 404 and b"BEGIN:VCALENDAR" not in response.content
    users["asso"].is_active = False
    users["asso"].save()
    assert client.get(reverse("notifications:feed", kwargs={"token": token})).status_code == 404


def test_the_pages_need_a_signed_in_person_and_the_feed_is_read_only(client, users, soon):
    for url in (MINE,):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    for url in (reverse("notifications:preferences"), reverse("notifications:regenerate")):
        response = client.post(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    preference = services.preference_for(users["asso"])
    feed = reverse("notifications:feed", kwargs={"token": preference.feed_token})
    assert client.post(feed).status_code == 405
    preference.refresh_from_db()
    assert Preference.objects.get(pk=preference.pk).feed_token == preference.feed_token


def test_the_platform_team_is_told_only_what_names_it(client_for, soon):
    body = page_text(client_for("admin").get(MINE))
    assert "ne reçoit que les échéances qui la nomment" in body
    assert "Dialogue de gestion de l'année 3" not in body


def test_a_signed_contracts_deadlines_reach_every_party_and_only_them(users, ehpad_contract):
    # The EHPAD's contract in force (2024-2028): on 01/06/2027 its renewal is to prepare by 30/06/2027.
    day = date(2027, 6, 1)
    for username in ("ehpad", "ars", "cd49"):
        items, _ = services.upcoming(users[username], day)
        labels = [item.due.label for item in items]
        assert (
            f"{ehpad_contract.reference} — Préparation du renouvellement (18 mois avant la fin, idéalement)" in labels
        )
        assert all(label.startswith(ehpad_contract.reference) or username == "ars" for label in labels)
    for username in ("asso", "cd44"):
        items, _ = services.upcoming(users[username], day)
        assert not [item for item in items if item.due.contract_id == ehpad_contract.pk], username
