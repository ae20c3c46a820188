"""The backward schedule as a Gantt chart, drawn on the server as SVG geometry (the template writes the elements).

One row per step: the planned bar (from its planned start to its planned end) and below it what happened (from the
end of the step before, as it happened, to the step's done date; to today for a step still open). A step late today
is drawn red; the day's line and the target signature date cross every row. No script: the template's table beside
the chart says the same in words. Plain computation, no Django.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .schedule import CURRENT, DONE, DONE_LATE, LATE, Progress

WIDTH = 980
LABEL_WIDTH = 330
RIGHT = 100
TOP = 46
ROW = 34
BAR = 12
BOTTOM = 30
LABEL_CHARACTERS = 46
MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")
# DSFR colours: planned (blue france 925), done (green), late (red marianne), in progress (blue france).
COLOURS = {DONE: "#18753C", DONE_LATE: "#B34000", LATE: "#CE0500", CURRENT: "#000091"}
PLANNED_COLOUR = "#CACAFB"


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    colour: str


@dataclass(frozen=True)
class Row:
    code: str
    label: str  # shortened to fit the label column
    title: str  # the whole label and the status, for the tooltip
    y: float
    label_y: float
    planned: Bar
    actual: Bar | None
    late: bool


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Gantt:
    width: int
    height: int
    rows: list[Row]
    ticks: list[Tick]
    today_x: float | None
    target_x: float
    left: int
    top: int
    bottom: float


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARACTERS else text[: LABEL_CHARACTERS - 1].rstrip() + "…"


def _months(first: date, last: date) -> list[date]:
    day = date(first.year, first.month, 1)
    if day < first:
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    months = []
    while day <= last:
        months.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


def _actual(row: Progress, previous_end: date | None, today: date, x) -> Bar | None:
    """What happened: a step done, from the previous step's done date (its planned start when that is unknown) to its
    own; a step open and late, its overdue days (from its planned end to today); a step in progress, up to today."""
    if row.done_on is not None:
        start = min(previous_end or row.planned.start, row.done_on)
        end = row.done_on
    elif row.status == LATE:
        start, end = row.planned.end, today
    elif row.status == CURRENT:
        start, end = max(previous_end or row.planned.start, row.planned.start), today
    else:
        return None
    return Bar(x(start), max(x(end) - x(start), 2.0), COLOURS[row.status])


def gantt(progress: Sequence[Progress], today: date) -> Gantt:
    """The chart of ``progress`` (in the schedule's order) on ``today``."""
    if not progress:
        raise ValueError("A Gantt chart needs at least one step.")
    target = progress[-1].planned.end
    days = [row.planned.start for row in progress] + [target, today]
    days += [row.done_on for row in progress if row.done_on is not None]
    first, last = min(days) - timedelta(days=7), max(days) + timedelta(days=7)
    span = (last - first).days
    plot = WIDTH - LABEL_WIDTH - RIGHT

    def x(day: date) -> float:
        return round(LABEL_WIDTH + (day - first).days / span * plot, 1)

    rows = []
    previous_end: date | None = None
    for index, row in enumerate(progress):
        y = TOP + index * ROW
        planned = Bar(x(row.planned.start), max(x(row.planned.end) - x(row.planned.start), 1.0), PLANNED_COLOUR)
        actual = _actual(row, previous_end, today, x)
        previous_end = row.done_on
        rows.append(
            Row(
                row.planned.step.code,
                _short(row.planned.step.title),
                f"{row.planned.step.title} : {row.status_label}",
                y,
                y + BAR + 1,
                planned,
                actual,
                row.is_late,
            )
        )
    bottom = TOP + len(progress) * ROW
    months = _months(first, last)
    # A label every ``every`` months, so that two labels never overlap (about 70 pixels each).
    every = max(1, -(-70 * len(months) // plot)) if months else 1
    ticks = [
        Tick(x(month), f"{MONTHS[month.month - 1]} {month.year % 100:02d}")
        for n, month in enumerate(months)
        if n % every == 0
    ]
    return Gantt(
        WIDTH,
        int(bottom + BOTTOM),
        rows,
        ticks,
        x(today) if first <= today <= last else None,
        x(target),
        LABEL_WIDTH,
        TOP,
        bottom,
    )
