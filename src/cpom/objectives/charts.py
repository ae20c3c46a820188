"""The stakes × feasibility matrix (enjeux × accessibilité) drawn on the server as SVG geometry."""

from collections import defaultdict
from dataclasses import dataclass

CELL = 110
LEFT, TOP, BOTTOM = 70, 20, 60
SIZE = 4  # both scales run from 1 to 4
QUADRANTS = [
    # label, column and row of the quadrant's top-left cell (0-based, row 0 at the top)
    ("Chantier structurant : enjeu fort, difficile", 0, 0),
    ("Priorité : enjeu fort, accessible", 2, 0),
    ("À reconsidérer : enjeu faible, difficile", 0, 2),
    ("Gain rapide : enjeu faible, accessible", 2, 2),
]


@dataclass
class Dot:
    number: str
    title: str
    status: str
    x: int
    y: int


def _cell_origin(column: int, row: int) -> tuple[int, int]:
    return LEFT + column * CELL, TOP + row * CELL


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
        left, top = _cell_origin(feasibility - 1, SIZE - stakes)
        for n, objective in enumerate(members):
            column, row = n % 3, n // 3
            dots.append(
                Dot(
                    objective.number,
                    objective.title,
                    objective.get_status_display(),
                    left + 22 + column * 33,
                    top + 40 + row * 30,
                )
            )
    right, bottom = LEFT + SIZE * CELL, TOP + SIZE * CELL
    middle_x, middle_y = LEFT + SIZE * CELL // 2, TOP + SIZE * CELL // 2
    return {
        "dots": dots,
        "unrated": unrated,
        "width": right + 10,
        "height": bottom + BOTTOM,
        "left": LEFT,
        "top": TOP,
        "right": right,
        "bottom": bottom,
        "middle_x": middle_x,
        "middle_y": middle_y,
        "lines": [LEFT + i * CELL for i in range(SIZE + 1)],
        "rows": [TOP + i * CELL for i in range(SIZE + 1)],
        "x_ticks": [(n, LEFT + (n - 1) * CELL + CELL // 2) for n in range(1, SIZE + 1)],
        "y_ticks": [(n, TOP + (SIZE - n) * CELL + CELL // 2 + 4) for n in range(1, SIZE + 1)],
        "quadrants": [(label, *(_add(_cell_origin(c, r), (6, 16)))) for label, c, r in QUADRANTS],
        "x_label_y": bottom + 44,
        "x_tick_y": bottom + 20,
        "y_tick_x": LEFT - 14,
    }


def _add(point: tuple[int, int], offset: tuple[int, int]) -> tuple[int, int]:
    return point[0] + offset[0], point[1] + offset[1]
