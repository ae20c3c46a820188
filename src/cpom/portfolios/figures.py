"""The figures of an authority's portfolio, computed from plain rows; pure, no Django.

Coverage is what the PdL authority kept (seed 000 L775-781): managing bodies signed out of all, establishments and
places under contract, the average perimeter, split by département, and the establishments of a signatory managing
body left outside its contract's perimeter (« ont par conséquent vocation à être intégrés dans le périmètre »).

Words. The *universe* is the establishments the caller passes (those of the authority's territory it funds, the
filters applied). An establishment is *under contract* when a covering contract of the authority (signed, in force or
in renewal) holds it in its perimeter; a managing body is *signatory* when it holds such a contract. The average
perimeter is the establishments (and installed places) under contract of the slice divided by the covering contracts
that hold at least one of them.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

TOTAL = ""  # the department code of the whole territory's line


class Site(NamedTuple):
    """One establishment of the universe (a tuple: a territory has thousands, made on every page)."""

    pk: int
    finess: str
    name: str
    category: str
    department: str
    installed_places: int
    managing_body_id: int
    managing_body_name: str


@dataclass
class CoverageLine:
    department: str  # TOTAL for the territory
    bodies: set = field(default_factory=set)
    signed_bodies: set = field(default_factory=set)
    establishments: int = 0
    covered_establishments: int = 0
    places: int = 0
    covered_places: int = 0
    contracts: set = field(default_factory=set)

    @property
    def body_count(self) -> int:
        return len(self.bodies)

    @property
    def signed_body_count(self) -> int:
        return len(self.signed_bodies)

    @property
    def contract_count(self) -> int:
        return len(self.contracts)

    @property
    def body_rate(self) -> Decimal | None:
        return rate(self.signed_body_count, self.body_count)

    @property
    def establishment_rate(self) -> Decimal | None:
        return rate(self.covered_establishments, self.establishments)

    @property
    def place_rate(self) -> Decimal | None:
        return rate(self.covered_places, self.places)

    @property
    def average_perimeter(self) -> Decimal | None:
        return ratio(self.covered_establishments, self.contract_count)

    @property
    def average_places(self) -> Decimal | None:
        return ratio(self.covered_places, self.contract_count)


@dataclass
class Coverage:
    lines: list[CoverageLine]  # one per département, in the order given
    total: CoverageLine
    outside: list[Site]  # establishments of a signatory body outside every covering perimeter


def rate(part: int, whole: int) -> Decimal | None:
    """``part`` out of ``whole`` in percent, to a hundredth (« 26,61 % » as the PdL note says); None out of none."""
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def ratio(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def coverage(sites: list[Site], covering: dict[int, set[int]], signed_bodies: set[int], departments: list[str]):
    """``covering`` maps an establishment to the covering contracts holding it; ``signed_bodies`` are the managing
    bodies holding a covering contract (even one whose perimeter lies outside the universe)."""
    lines = {code: CoverageLine(code) for code in departments}
    total = CoverageLine(TOTAL)
    outside = []
    none: set[int] = set()
    for site in sites:
        contracts = covering.get(site.pk, none)
        signed = site.managing_body_id in signed_bodies
        line = lines.get(site.department)
        for target in (total, line) if line is not None else (total,):
            target.bodies.add(site.managing_body_id)
            if signed:
                target.signed_bodies.add(site.managing_body_id)
            target.establishments += 1
            target.places += site.installed_places
            if contracts:
                target.covered_establishments += 1
                target.covered_places += site.installed_places
                target.contracts |= contracts
        if signed and not contracts:
            outside.append(site)
    outside.sort(key=lambda site: (site.managing_body_name, site.department, site.name, site.finess))
    return Coverage([lines[code] for code in departments], total, outside)


@dataclass(frozen=True)
class ContractRow:
    """What the pipeline reads of one contract."""

    pk: int
    state: str
    year: int


def pipeline(rows: list[ContractRow], states: list[str]) -> tuple[list[int], list[tuple[str, list[int], int]]]:
    """The contracts by state (the lifecycle's order) and by year: the years, then per state with contracts its
    count per year and its total."""
    counts = Counter((row.state, row.year) for row in rows)
    years = sorted({row.year for row in rows})
    table = []
    for state in states:
        per_year = [counts[(state, year)] for year in years]
        if any(per_year):
            table.append((state, per_year, sum(per_year)))
    return years, table
