"""Quartiles, bands and flags against a plain NumPy computation on a small population."""

import numpy as np
import polars as pl
import pytest

from cpom.indicators.benchmarks import FAR_OUT, OUT_OF_BOUNDS, compute_benchmarks
from cpom.indicators.engine import IndicatorSpec, compile_catalogue, compute

pytestmark = pytest.mark.pure

SPECS = [IndicatorSpec("occ", "journees_realisees", "jours_ouverture * places_installees", 100, plausible_max=150)]


def _population(occupancies: dict[str, list[float]]):
    """Establishments named by region and index, each with the occupancy given (as a percentage)."""
    rows, establishments = [], []
    for region, values in occupancies.items():
        for index, occupancy in enumerate(values):
            key = f"{region}-{index}"
            department = {"52": "44", "53": "35"}[region]
            establishments.append((key, "MAS", department, region))
            rows += [
                (key, 2025, "journees_realisees", float(occupancy)),
                (key, 2025, "jours_ouverture", 100.0),
                (key, 2025, "places_installees", 1.0),
            ]
    frame = pl.DataFrame(establishments, schema=["establishment", "category", "department", "region"], orient="row")
    elements = pl.DataFrame(rows, schema=["establishment", "year", "element", "value"], orient="row")
    values = compute(
        frame, elements, compile_catalogue(SPECS, {"journees_realisees", "jours_ouverture", "places_installees"})
    )
    return compute_benchmarks(values, frame, SPECS)


def test_quartiles_bands_and_flags():
    rng = np.random.default_rng(7)
    region_52 = list(rng.normal(92, 3, 40)) + [160.0, 40.0]  # an impossible value, and one far below the others
    region_53 = [91.0, 95.0, 97.0]  # too few peers for a band
    benchmarks, values = _population({"52": region_52, "53": region_53})
    plausible = [v for v in region_52 if v <= 150]
    row = benchmarks.filter((pl.col("level") == "region") & (pl.col("territory") == "52")).row(0, named=True)
    assert row["count"] == len(plausible)
    expected = np.percentile(plausible, [0, 25, 50, 75, 100])
    assert [row["min"], row["q1"], row["median"], row["q3"], row["max"]] == pytest.approx(list(expected))
    nation = benchmarks.filter(pl.col("level") == "nation").row(0, named=True)
    assert nation["count"] == len(plausible) + 3 and nation["territory"] == "FR"

    by_key = {
        r["establishment"]: r for r in values.with_columns(pl.col("establishment").cast(pl.Utf8)).iter_rows(named=True)
    }
    for index, occupancy in enumerate(region_52[:40]):
        band = by_key[f"52-{index}"]["band"]
        assert band == (
            "below_q1"
            if occupancy < row["q1"]
            else "q1_median"
            if occupancy <= row["median"]
            else "median_q3"
            if occupancy <= row["q3"]
            else "above_q3"
        )
    assert by_key["52-40"]["flag"] == OUT_OF_BOUNDS and by_key["52-40"]["band"] is None
    assert by_key["52-41"]["flag"] == FAR_OUT
    assert {by_key[f"53-{i}"]["band"] for i in range(3)} == {"no_comparison"}
