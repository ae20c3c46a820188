"""Small charts drawn as PNG for the documents (Word and PDF embed the same picture): an indicator's values over the
years, the regional quartile band of its category behind them and its target as a dashed line.

Pillow draws them (it is already reportlab's own dependency: no chart library is installed), with the Bitstream Vera
font reportlab ships, so that the picture is the same on every machine. The picture is drawn at twice the size it is
printed, for a sharp print, in a palette of a few colours (no anti-aliasing: a report holds one chart per line and
a full-colour picture would cost a tenth of a second each to write and again to embed). Plain computation, no Django.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import reportlab
from PIL import Image, ImageDraw, ImageFont

from cpom.core.numbers import grouped

FONT = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
WIDTH, HEIGHT = 1400, 520
LEFT, RIGHT, TOP, BOTTOM = 170, 50, 70, 70
TICKS = 4
NAVY, RED, GREY, BAND, MEDIAN, WHITE = "#000091", "#B3261E", "#595959", "#DCE4F5", "#7F8FC4", "#FFFFFF"


@dataclass(frozen=True)
class Quartiles:
    q1: float
    median: float
    q3: float


@dataclass(frozen=True)
class IndicatorChart:
    """What the chart shows: one value per year (None where there is none), the band per year, the target."""

    years: list[int]
    values: list[float | None]
    bands: dict[int, Quartiles] = field(default_factory=dict)
    target: float | None = None

    @property
    def drawable(self) -> bool:
        """Something to draw: at least one value (a band or a target alone says nothing of the establishment)."""
        return any(v is not None for v in self.values)


def _label(value: float, span: float) -> str:
    places = 0 if span >= 20 else 1 if span >= 2 else 2
    return grouped(Decimal(repr(value)), places)


def _dashed(draw: ImageDraw.ImageDraw, start: tuple[float, float], end: float, colour: str, width: int) -> None:
    """A horizontal dashed line from ``start`` to x = ``end`` (Pillow draws no dashes)."""
    x, y = start
    while x < end:
        draw.line([(x, y), (min(x + 22, end), y)], fill=colour, width=width)
        x += 36


def indicator_png(chart: IndicatorChart) -> bytes:
    font = ImageFont.truetype(str(FONT), 26)
    small = ImageFont.truetype(str(FONT), 22)
    # A palette image: a dozen colours, so the file is small and quick to write, and to embed in a PDF.
    picture = Image.new("P", (WIDTH, HEIGHT), WHITE)
    draw = ImageDraw.Draw(picture)
    known = [v for v in chart.values if v is not None]
    reach = known + [q for b in chart.bands.values() for q in (b.q1, b.q3)]
    reach += [chart.target] if chart.target is not None else []
    low, high = (min(reach), max(reach)) if reach else (0.0, 1.0)
    if low == high:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.1
    low, high = low - pad, high + pad
    span = high - low

    def y(value: float) -> float:
        return TOP + (high - value) / span * (HEIGHT - TOP - BOTTOM)

    step = (WIDTH - LEFT - RIGHT) / max(len(chart.years), 1)
    xs = {year: LEFT + step * (n + 0.5) for n, year in enumerate(chart.years)}

    for tick in range(TICKS + 1):
        value = low + span * tick / TICKS
        draw.line([(LEFT, y(value)), (WIDTH - RIGHT, y(value))], fill="#E5E5E5", width=2)
        draw.text((LEFT - 14, y(value)), _label(value, span), fill=GREY, font=small, anchor="rm")
    for year, x in xs.items():
        draw.text((x, HEIGHT - BOTTOM + 18), str(year), fill=GREY, font=font, anchor="mt")

    banded = [year for year in chart.years if year in chart.bands]
    # The ribbon joins two following years only: a year without quartiles breaks it rather than being guessed.
    for first, second in zip(banded, banded[1:], strict=False):
        if second != first + 1:
            continue
        a, b = chart.bands[first], chart.bands[second]
        corners = [(xs[first], y(a.q3)), (xs[second], y(b.q3)), (xs[second], y(b.q1)), (xs[first], y(a.q1))]
        draw.polygon(corners, fill=BAND)
        draw.line([(xs[first], y(a.median)), (xs[second], y(b.median))], fill=MEDIAN, width=3)
    for year in banded:  # a lone year's band, or the ends of the ribbon: a bar of the year's column
        band = chart.bands[year]
        draw.rectangle([xs[year] - 14, y(band.q3), xs[year] + 14, y(band.q1)], fill=BAND)
        draw.line([(xs[year] - 14, y(band.median)), (xs[year] + 14, y(band.median))], fill=MEDIAN, width=3)

    if chart.target is not None:
        _dashed(draw, (LEFT, y(chart.target)), WIDTH - RIGHT, RED, 4)
        draw.text((WIDTH - RIGHT, y(chart.target) - 8), "cible", fill=RED, font=small, anchor="rb")

    points = [
        (xs[year], y(value), value) for year, value in zip(chart.years, chart.values, strict=True) if value is not None
    ]
    for (x1, y1, _), (x2, y2, _) in zip(points, points[1:], strict=False):
        draw.line([(x1, y1), (x2, y2)], fill=NAVY, width=6)
    for x, y_, value in points:
        draw.ellipse([x - 10, y_ - 10, x + 10, y_ + 10], fill=NAVY)
        draw.text((x, y_ - 18), _label(value, span), fill=NAVY, font=font, anchor="mb")

    _legend(draw, small, bool(banded), chart.target is not None)
    buffer = BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def _legend(draw: ImageDraw.ImageDraw, font, band: bool, target: bool) -> None:
    x = LEFT
    draw.line([(x, 28), (x + 40, 28)], fill=NAVY, width=6)
    draw.text((x + 52, 28), "valeur de l'année", fill=GREY, font=font, anchor="lm")
    x += 300
    if band:
        draw.rectangle([x, 16, x + 40, 40], fill=BAND)
        draw.text(
            (x + 52, 28), "la catégorie dans la région : 1er à 3e quartile, médiane", fill=GREY, font=font, anchor="lm"
        )
        x += 740
    if target:
        _dashed(draw, (x, 28), x + 40, RED, 4)
        draw.text((x + 52, 28), "cible", fill=GREY, font=font, anchor="lm")
