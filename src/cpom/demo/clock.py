"""The demo's fixed clock: a story step is played at its own date, through the real services.

The services, ``auto_now`` fields and the journal (:func:`cpom.audit.services.record`) all read the time through
``django.utils.timezone.now``; while a step is played, it answers the step's moment (10 h in Paris by default), so
that the history and the journal carry the story's dates and two plays of a story give the same ones.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.utils import timezone

PARIS = ZoneInfo("Europe/Paris")


def moment(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), PARIS)


@contextmanager
def fixed_clock(at: datetime) -> Iterator[datetime]:
    """Within the block, ``timezone.now()`` (hence ``localdate()``) answers ``at``."""
    original = timezone.now
    timezone.now = lambda: at
    try:
        yield at
    finally:
        timezone.now = original
