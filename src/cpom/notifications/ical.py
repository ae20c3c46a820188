"""A person's deadlines as an iCalendar feed (RFC 5545), which a calendar application subscribes to: one all-day
event per deadline, its UID the deadline's stable key, so that a calendar updates an event rather than doubling it.
Pure: no Django."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from icalendar import Calendar, Event

PRODUCT = "-//cpom//Échéances des contrats//FR"
UID_DOMAIN = "echeances.cpom"


@dataclass(frozen=True)
class Entry:
    key: str
    day: date
    label: str
    url: str  # absolute
    description: str = ""


def feed(name: str, entries: list[Entry], stamp: datetime) -> bytes:
    """The feed of ``name``'s deadlines; ``stamp`` (UTC) is when it was made."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"cpom — échéances de {name}")
    calendar.add("x-wr-timezone", "Europe/Paris")
    for entry in sorted(entries, key=lambda e: (e.day, e.key)):
        event = Event()
        event.add("uid", f"{entry.key}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", entry.day)
        event.add("dtend", entry.day + timedelta(days=1))
        event.add("summary", entry.label)
        event.add("url", entry.url)
        event.add("description", f"{entry.description}\n{entry.url}".strip())
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
