"""When an action or a milestone of a contract is late: pure, no Django.

A milestone of a fiche's calendar is late once its date has passed and no campaign recorded it done. An action is due
by the end of the calendar year of its échéance (« N+2 » of a contract starting in 2024: 31 December 2026, as the
objectives count it); it is late once that day has passed, unless the follow-up grid has judged it realised (« R »)
or every milestone of its calendar is done.
"""

from datetime import date


def due_year_end(start: date, due_year: int | None) -> date | None:
    """The last day of the calendar year of échéance ``due_year`` (0 for N) of a contract starting on ``start``."""
    return None if due_year is None else date(start.year + due_year, 12, 31)


def milestone_is_late(due: date | None, done_on: date | None, today: date) -> bool:
    return due is not None and done_on is None and due < today


def action_is_late(due: date | None, today: date, realised: bool, milestones_done: list[bool]) -> bool:
    if due is None or due >= today or realised:
        return False
    return not (milestones_done and all(milestones_done))


def days_late(due: date, today: date) -> int:
    return max((today - due).days, 0)
