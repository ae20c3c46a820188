"""Server-drawn SVG geometry for the trajectory screens: lines per year and bars per year, no JavaScript.

Coordinates are computed in Decimal like the amounts they stand for, and rounded to a tenth of a pixel.
"""

from dataclasses import dataclass
from decimal import Decimal

from cpom.core.numbers import NBSP, grouped

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 96, 24, 24, 36  # room for the amounts on the left and the years below
TICKS = 4
PIXEL = Decimal("0.1")
COLOURS = ["#000091", "#e1000f", "#18753c", "#b34000", "#6e445a", "#0063cb"]


@dataclass(frozen=True)
class Series:
    name: str
    values: list[Decimal]


def compact_euros(value: Decimal) -> str:
    """An axis label: « 1,25 M€ », « 980 k€ », « 0 € »."""
    magnitude = abs(value)
    if magnitude >= 1_000_000:
        text, unit = grouped(value / 1_000_000, 2), "M€"
    elif magnitude >= 1_000:
        text, unit = grouped(value / 1_000, 0), "k€"
    else:
        text, unit = grouped(value, 0), "€"
    return f"{text}{NBSP}{unit}"


class _Scale:
    """Maps amounts to heights between the top and the bottom of the plot."""

    def __init__(self, values: list[Decimal], include_zero: bool):
        low, high = min(values), max(values)
        if include_zero:
            low, high = min(low, Decimal(0)), max(high, Decimal(0))
        if low == high:
            low, high = low - 1, high + 1
        self.low, self.high = low, high
        self.bottom = Decimal(HEIGHT - BOTTOM)
        self.span = Decimal(HEIGHT - BOTTOM - TOP)

    def y(self, value: Decimal) -> Decimal:
        return (self.bottom - (value - self.low) / (self.high - self.low) * self.span).quantize(PIXEL)

    def ticks(self) -> list[tuple[str, Decimal]]:
        step = (self.high - self.low) / TICKS
        return [(compact_euros(self.low + step * i), self.y(self.low + step * i)) for i in range(TICKS + 1)]


def _columns(count: int) -> list[Decimal]:
    """The centre of each year's column across the plot."""
    width = Decimal(WIDTH - LEFT - RIGHT) / count
    return [(LEFT + width * i + width / 2).quantize(PIXEL) for i in range(count)]


def _frame(labels: list[str], scale: _Scale) -> dict:
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": HEIGHT - BOTTOM,
        "ticks": scale.ticks(),
        "tick_x": LEFT - 8,
        "years": list(zip(labels, _columns(len(labels)), strict=True)),
        "year_y": HEIGHT - BOTTOM + 20,
    }


def line_chart(labels: list[str], series: list[Series]) -> dict | None:
    """One line per series across the years, with its points; the page draws the legend."""
    values = [v for s in series for v in s.values]
    if not values:
        return None
    scale = _Scale(values, include_zero=False)
    columns = _columns(len(labels))
    lines = []
    for n, s in enumerate(series):
        points = [(x, scale.y(v), label, v) for x, v, label in zip(columns, s.values, labels, strict=True)]
        lines.append(
            {
                "name": s.name,
                "colour": COLOURS[n % len(COLOURS)],
                "points": points,
                "polyline": " ".join(f"{x},{y}" for x, y, _, _ in points),
            }
        )
    return {**_frame(labels, scale), "lines": lines}


def bar_chart(labels: list[str], values: list[Decimal], name: str) -> dict | None:
    """One bar per year from the zero line, up for a positive amount and down for a negative one."""
    if not values:
        return None
    scale = _Scale(values, include_zero=True)
    columns = _columns(len(labels))
    bar_width = (Decimal(WIDTH - LEFT - RIGHT) / len(labels) * Decimal("0.5")).quantize(PIXEL)
    zero = scale.y(Decimal(0))
    bars = []
    for x, value, label in zip(columns, values, labels, strict=True):
        top = scale.y(value)
        bars.append(
            {
                "x": (x - bar_width / 2).quantize(PIXEL),
                "y": min(top, zero),
                "height": max(abs(zero - top), PIXEL),
                "label": label,
                "value": value,
            }
        )
    return {
        **_frame(labels, scale),
        "bars": bars,
        "bar_width": bar_width,
        "zero": zero,
        "name": name,
        "colour": COLOURS[0],
    }
