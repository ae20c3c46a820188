"""Server-drawn SVG geometry for the indicator page: quartile bands and a trend line, no JavaScript."""

from dataclasses import dataclass

from cpom.registry.territories import territory_label

WIDTH = 560
MARGIN = 20


@dataclass
class BoxRow:
    label: str
    count: int
    x_min: float
    x_q1: float
    x_median: float
    x_q3: float
    x_max: float
    q1: float
    median: float
    q3: float
    y: int

    @property
    def box_width(self) -> float:
        return max(self.x_q3 - self.x_q1, 1.0)


def _scale(low: float, high: float):
    span = (high - low) or 1.0
    return lambda v: MARGIN + (v - low) / span * (WIDTH - 2 * MARGIN)


def quartile_chart(benchmarks: list, value: float | None) -> dict | None:
    """Box plots of the peers (one per territory level) with the establishment's value as a line."""
    if not benchmarks:
        return None
    low = min([b.minimum for b in benchmarks] + ([value] if value is not None else []))
    high = max([b.maximum for b in benchmarks] + ([value] if value is not None else []))
    x = _scale(low, high)
    rows = [
        BoxRow(
            label, b.count, x(b.minimum), x(b.q1), x(b.median), x(b.q3), x(b.maximum), b.q1, b.median, b.q3, 30 + 46 * i
        )
        for i, (label, b) in enumerate((territory_label(b.level, b.territory), b) for b in benchmarks)
    ]
    height = 30 + 46 * len(rows)
    return {
        "rows": rows,
        "width": WIDTH,
        "height": height,
        "x_value": x(value) if value is not None else None,
        "low": low,
        "high": high,
    }


def trend_chart(points: list[tuple[int, float | None]]) -> dict | None:
    known = [(year, value) for year, value in points if value is not None]
    if len(known) < 2:
        return None
    low, high = min(v for _, v in known), max(v for _, v in known)
    span = (high - low) or 1.0
    first, last = points[0][0], points[-1][0]
    step = (WIDTH - 2 * MARGIN) / max(last - first, 1)
    coordinates = [
        (MARGIN + (year - first) * step, 110 - (value - low) / span * 80, year, value) for year, value in known
    ]
    return {
        "width": WIDTH,
        "height": 140,
        "points": coordinates,
        "polyline": " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy, _, _ in coordinates),
    }
