"""« Mes échéances » in a real browser, on the demo: the EHPAD's director opens the page from the header, turns the
evaluations off and asks to be told of the renewal earlier, sees the list follow, copies the calendar's address,
and the feed a calendar application downloads from it parses and holds the EHPAD's deadlines."""

import urllib.request
from datetime import date, timedelta

from icalendar import Calendar
from journeys import log_in

from cpom.contracts.models import Contract

EHPAD = "CPOM-PDL-2024-049-07"
ASSOCIATION = "CPOM-PDL-2027-044-01"
RENEWAL = f"{EHPAD} — Préparation du renouvellement (18 mois avant la fin, idéalement)"


def _rows(page):
    return [
        [cell.inner_text().strip() for cell in row.locator("td").all()]
        for row in page.get_by_test_id("deadlines").locator("tbody tr").all()
    ]


def _told(day: date, days_before: int, today: date) -> str:
    told_on = day - timedelta(days=days_before)
    return "Dès le prochain envoi" if told_on <= today else f"Le {told_on:%d/%m/%Y}"


def test_the_ehpad_chooses_its_deadlines_and_subscribes_its_calendar(browser, demo_server):
    contract = Contract.objects.using(demo_server.db).get(reference=EHPAD)
    renewal_day = date(contract.end_date.year - 1, 6, 30)
    page = log_in(browser, demo_server, "ehpad")
    page.get_by_test_id("my-deadlines").click()
    assert page.locator("h1").inner_text() == "Mes échéances"
    today = date.today()
    rows = {row[2]: row for row in _rows(page)}
    evaluation = next(label for label in rows if "Évaluation de la qualité de l'EHPAD Les Tilleuls" in label)
    assert rows[evaluation][0] == "10/02/2027" and rows[evaluation][1].startswith("Évaluation de la qualité")
    assert rows[RENEWAL][3] == _told(renewal_day, 60, today)
    assert not any(ASSOCIATION in label for label in rows)

    # The evaluations off, the renewal told 240 days before.
    page.locator("label[for='id_on_evaluation']").click()
    assert not page.locator("#id_on_evaluation").is_checked()
    page.locator("#id_days_renewal").fill("240")
    page.get_by_role("button", name="Enregistrer mes préférences").click()
    assert "Vos préférences sont enregistrées" in page.get_by_role("status").inner_text()
    rows = {row[2]: row for row in _rows(page)}
    assert not any("Évaluation de la qualité" in label for label in rows)
    assert rows[RENEWAL][3] == _told(renewal_day, 240, today)
    assert "type que vous ne suivez pas" in page.get_by_test_id("left-out").inner_text()
    assert page.locator("#id_days_renewal").input_value() == "240"

    # A bad number is refused with the field named, and nothing changes.
    page.locator("#id_days_renewal").fill("mille")
    page.get_by_role("button", name="Enregistrer mes préférences").click()
    assert "jours avant : « mille » n'est pas un nombre entier" in page.get_by_role("alert").inner_text()
    page.get_by_test_id("my-deadlines").click()
    assert page.locator("#id_days_renewal").input_value() == "240"

    # The calendar's address, copied from the page, read as a calendar application does (signed in nowhere).
    field = page.get_by_test_id("feed-url")
    field.click()
    field.select_text()
    address = field.input_value()
    assert address.startswith(f"{demo_server.url}/echeances/") and address.endswith(".ics")
    with urllib.request.urlopen(address, timeout=10) as answer:
        assert answer.headers["Content-Type"] == "text/calendar; charset=utf-8"
        calendar = Calendar.from_ical(answer.read())
    events = {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}
    assert RENEWAL in events and f"{EHPAD} — Fin du contrat" in events
    assert events[f"{EHPAD} — Fin du contrat"]["DTSTART"].dt == contract.end_date
    assert str(events[RENEWAL]["URL"]) == f"{demo_server.url}{contract.get_absolute_url()}"
    assert all(summary.startswith(EHPAD) for summary in events), list(events)
    # The evaluations turned off are not in the calendar either.
    assert not any("Évaluation de la qualité" in summary for summary in events)
