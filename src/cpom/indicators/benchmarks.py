"""Benchmarks against comparable establishments: quartiles per indicator, category, territory and year.

Pure computation over the engine's output. An establishment's band places it among the
establishments of its category in its region; implausible values are flagged so that
someone checks them, and are left out of the quartiles they would distort.

Done in NumPy on integer codes, for national scale: values are sorted once, then stably
regrouped per territory (16-bit radix sorts), and the quartiles of each group are read
by index arithmetic (linear interpolation, as ``numpy.percentile``).
"""

from dataclasses import dataclass

import numpy as np
import polars as pl

from .engine import IndicatorSpec

MIN_PEERS = 5
# Tukey's "far out" fences: beyond 3 interquartile ranges a value is almost surely an entry error.
FENCE_IQR = 3.0
NATION = "FR"

OUT_OF_BOUNDS = "valeur hors des bornes plausibles de l'indicateur"
FAR_OUT = "valeur très éloignée des autres établissements de la catégorie (au-delà de 3 écarts interquartiles)"
BAND_CODES = ["no_comparison", "below_q1", "q1_median", "median_q3", "above_q3"]
FLAGS = ["", OUT_OF_BOUNDS, FAR_OUT]


@dataclass
class _Groups:
    """Quartiles of the groups of one territory level, keyed by a combined integer key."""

    keys: np.ndarray
    count: np.ndarray
    minimum: np.ndarray
    q1: np.ndarray
    median: np.ndarray
    q3: np.ndarray
    maximum: np.ndarray

    def of_rows(self, rows: np.ndarray, n: int) -> np.ndarray:
        """Group index of each of the ``n`` rows (``rows`` in group order), −1 for rows left out."""
        group = np.full(n, -1, dtype=np.int32)
        group[rows] = np.repeat(np.arange(len(self.keys), dtype=np.int32), self.count)
        return group


def _quantile(sorted_values: np.ndarray, start: np.ndarray, count: np.ndarray, q: float) -> np.ndarray:
    position = start + q * (count - 1)
    low = np.floor(position).astype(np.int64)
    high = np.minimum(low + 1, start + count - 1)
    fraction = position - low
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * fraction


def _groups(keys: np.ndarray, values: np.ndarray) -> _Groups:
    """``keys`` and ``values`` already sorted by key, then value."""
    if len(keys) == 0:
        empty = np.zeros(0)
        return _Groups(np.zeros(0, dtype=keys.dtype), np.zeros(0, dtype=np.int64), empty, empty, empty, empty, empty)
    starts = np.concatenate([[0], np.flatnonzero(keys[1:] != keys[:-1]) + 1])
    count = np.diff(np.concatenate([starts, [len(keys)]]))
    return _Groups(
        keys[starts],
        count,
        values[starts],
        _quantile(values, starts, count, 0.25),
        _quantile(values, starts, count, 0.5),
        _quantile(values, starts, count, 0.75),
        values[starts + count - 1],
    )


def _codes(labels: list[str]) -> tuple[np.ndarray, list[str]]:
    names = sorted(set(labels))
    position = {label: i for i, label in enumerate(names)}
    return np.array([position[label] for label in labels], dtype=np.int32), names


def compute_benchmarks(values: pl.DataFrame, establishments: pl.DataFrame, specs: list[IndicatorSpec]):
    """Returns (benchmarks, values) where values gain ``band`` and ``flag``.

    ``values`` is the engine's output; ``establishments`` has the engine's row order and columns
    establishment, category, department, region.
    """
    codes = values["code"].cat.get_categories().to_list()
    years = values["year"].to_numpy()
    first_year = int(years.min()) if len(years) else 0
    n_years = int(years.max()) - first_year + 1 if len(years) else 1
    establishment = values["establishment"].to_physical().to_numpy()
    category, category_names = _codes(establishments["category"].cast(pl.Utf8).fill_null("").to_list())
    department, department_names = _codes(establishments["department"].cast(pl.Utf8).fill_null("").to_list())
    region, region_names = _codes(establishments["region"].cast(pl.Utf8).fill_null("").to_list())
    code = values["code"].to_physical().to_numpy().astype(np.int32)
    value = values["value"].to_numpy(allow_copy=True).astype(np.float64, copy=False)

    by_code = {s.code: s for s in specs}
    low = np.array([v if (v := getattr(by_code.get(c), "plausible_min", None)) is not None else -np.inf for c in codes])
    high = np.array([v if (v := getattr(by_code.get(c), "plausible_max", None)) is not None else np.inf for c in codes])
    with np.errstate(invalid="ignore"):
        out_of_bounds = (value < low[code]) | (value > high[code])

    # Group key (indicator, category, year), small enough for 16-bit radix sorts when it fits; 32-bit
    # arithmetic in place, because every 8-million-row temporary costs time on a machine slow to give pages.
    base = category[establishment]
    code *= len(category_names)
    base += code
    base *= n_years
    base += years
    base -= first_year
    usable = np.flatnonzero(~np.isnan(value) & ~out_of_bounds)

    n_base = int(base.max()) + 1 if len(base) else 1
    small = np.uint16 if n_base <= 1 << 16 else np.int64  # 16-bit keys get NumPy's radix sort
    order = usable[np.argsort(value[usable])]  # ties may come in any order
    order = order[np.argsort(base[order].astype(small), kind="stable")]
    levels = {
        "nation": (np.zeros(len(category), dtype=np.int32), [NATION]),
        "region": (region, region_names),
        "department": (department, department_names),
    }
    groups, row_group = {}, {}
    for level, (territory, names) in levels.items():
        row_territory = territory[establishment]
        # Rows sorted by (base, value), stably regrouped by territory: sorted by (territory, base, value).
        rows = order[np.argsort(row_territory[order].astype(np.uint16), kind="stable")] if len(names) > 1 else order
        key = row_territory.astype(np.int64) * n_base + base
        groups[level] = _groups(key[rows], value[rows])
        if level != "department":  # bands and fences only look at the region and the nation
            row_group[level] = groups[level].of_rows(rows, len(value))

    # Index −1 (a row without a group) reads the sentinel appended to each array: no peers, no quartile.
    nation, found = groups["nation"], row_group["nation"]
    count, q1, q3 = (
        np.append(a, sentinel) for a, sentinel in ((nation.count, 0), (nation.q1, np.nan), (nation.q3, np.nan))
    )
    iqr = q3 - q1
    with np.errstate(invalid="ignore"):
        far_out = (count[found] >= MIN_PEERS) & (
            (value < (q1 - FENCE_IQR * iqr)[found]) | (value > (q3 + FENCE_IQR * iqr)[found])
        )
    flag = np.where(out_of_bounds, 1, np.where(far_out, 2, 0)).astype(np.uint32)

    regional, found = groups["region"], row_group["region"]
    count, q1, median, q3 = (
        np.append(a, sentinel)
        for a, sentinel in (
            (regional.count, 0),
            (regional.q1, np.nan),
            (regional.median, np.nan),
            (regional.q3, np.nan),
        )
    )
    with np.errstate(invalid="ignore"):
        # 1 below Q1, 2 up to the median, 3 up to Q3, 4 above; 0 with fewer than MIN_PEERS peers.
        band = (value >= q1[found]).astype(np.uint32)
        band += value > median[found]
        band += value > q3[found]
        band += 1
        band[count[found] < MIN_PEERS] = 0
    # Values left out of the quartiles (implausible) get no band: their flag says why.
    no_band = np.isnan(value) | out_of_bounds
    result = values.with_columns(
        band=pl.when(pl.Series(no_band)).then(None).otherwise(pl.Series(band).cast(pl.Enum(BAND_CODES)).cast(pl.Utf8)),
        flag=pl.Series(flag).cast(pl.Enum(FLAGS)).cast(pl.Utf8).replace("", None),
    )
    return _table(groups, levels, codes, category_names, n_years, first_year, n_base), result


def _table(groups, levels, codes, category_names, n_years, first_year, n_base) -> pl.DataFrame:
    frames = []
    for level, g in groups.items():
        names = levels[level][1]
        territory, base = g.keys // n_base, g.keys % n_base
        year, rest = base % n_years + first_year, base // n_years
        category, code = rest % len(category_names), rest // len(category_names)
        frames.append(
            pl.DataFrame(
                {
                    "code": np.array(codes, dtype=object)[code],
                    "category": np.array(category_names, dtype=object)[category],
                    "year": year.astype(np.int32),
                    "count": g.count.astype(np.int64),
                    "min": g.minimum,
                    "q1": g.q1,
                    "median": g.median,
                    "q3": g.q3,
                    "max": g.maximum,
                    "level": level,
                    "territory": np.array(names, dtype=object)[territory],
                },
                schema_overrides={"code": pl.Utf8, "category": pl.Utf8, "territory": pl.Utf8, "level": pl.Utf8},
            )
        )
    return pl.concat(frames)
