"""Who a person was on a given day: pure, no Django.

A contact's role is held for a period (``start``, ``end`` included, open when None); on a day, the role is that of the
period holding the day, the most recently started one when several do (a person promoted keeps both rows).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Period:
    role: str
    start: date
    end: date | None = None

    def holds(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def role_on(periods: Iterable[Period], day: date) -> str:
    """The role held on ``day`` among ``periods``, "" when none holds it."""
    holding = [period for period in periods if period.holds(day)]
    return max(holding, key=lambda period: period.start).role if holding else ""


def person_label(name: str, role: str) -> str:
    """« Claire Martin, directrice générale »: the name, then the role held that day when one is known."""
    name = name.strip()
    if not role:
        return name
    return f"{name}, {role[:1].lower()}{role[1:]}" if name else role
