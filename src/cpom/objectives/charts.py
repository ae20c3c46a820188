"""The stakes × feasibility matrix (enjeux × accessibilité) drawn on the server as SVG geometry."""

from collections import defaultdict
from dataclasses import dataclass

CELL = 110
MARGIN = 60
SIZE = 4  # both scales run from 1 to 4


@dataclass
class Dot:
    number: str
    title: str
    status: str
    x: float
    y: float


def priority_matrix(objectives) -> dict:
    """One dot per rated objective; objectives sharing a cell are spread along a row so every number stays readable."""
    cells = defaultdict(list)
    unrated = []
    for objective in objectives:
        if objective.stakes and objective.feasibility:
            cells[(objective.feasibility, objective.stakes)].append(objective)
        else:
            unrated.append(objective)
    dots = []
    for (feasibility, stakes), members in sorted(cells.items()):
        left = MARGIN + (feasibility - 1) * CELL
        top = MARGIN + (SIZE - stakes) * CELL
        for n, objective in enumerate(members):
            column, row = n % 3, n // 3
            dots.append(Dot(objective.number, objective.title, objective.get_status_display(),
                            left + 22 + column * 33, top + 24 + row * 30))
    side = MARGIN + SIZE * CELL
    return {
        "dots": dots, "unrated": unrated, "width": side + 20, "height": side + 50, "cell": CELL, "margin": MARGIN,
        "ticks": [(n, MARGIN + (n - 1) * CELL + CELL / 2, MARGIN + (SIZE - n) * CELL + CELL / 2) for n in range(1, SIZE + 1)],
        "grid": [MARGIN + i * CELL for i in range(SIZE + 1)], "end": side, "half": MARGIN + SIZE * CELL / 2,
    }
