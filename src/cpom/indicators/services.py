"""Recomputing indicators from stored data, storing values and benchmarks, exporting them."""

import csv
import dataclasses
import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

import polars as pl
from django.db import transaction
from django.db.models import Case, Q, When
from django.utils import timezone
from openpyxl import Workbook

from cpom.core.workbooks import append
from cpom.import_slots import imported
from cpom.registry.models import Establishment
from cpom.registry.territories import region_of

from .benchmarks import compute_benchmarks
from .catalogues import spec_of
from .engine import compile_catalogue, compute, consolidate
from .models import Band, Benchmark, DataElement, DataValue, Indicator, IndicatorValue
from .storage import bulk_insert, fetch, float_cast

EXPORT_COLUMNS = ["finess", "annee", "code", "valeur", "unite", "bande"]
PEER_LEVELS = ("department", "region", "nation")


def peer_territories(establishment: Establishment) -> list[tuple[str, str]]:
    """Where an establishment is compared with its peers: its département, its region, France."""
    return [
        ("department", establishment.department),
        ("region", region_of(establishment.department)),
        ("nation", "FR"),
    ]


def peer_benchmarks(establishment: Establishment):
    """The benchmarks of the establishment's category in its territories (the indicator panel's and the API's),
    département first, then region, then France, for each indicator and year."""
    territories = Q(pk__in=[])
    for level, territory in peer_territories(establishment):
        territories |= Q(level=level, territory=territory)
    order = Case(*(When(level=level, then=rank) for rank, level in enumerate(PEER_LEVELS)))
    return (
        Benchmark.objects.filter(territories, category=establishment.category)
        .alias(level_rank=order)
        .order_by("indicator_id", "-year", "level_rank")
    )


@dataclass
class ComputeSummary:
    years: list[int]
    values: int
    computable: int
    flagged: int
    benchmarks: int
    seconds: float


def establishment_frame() -> pl.DataFrame:
    rows = list(Establishment.objects.order_by("id").values_list("id", "finess", "category", "department"))
    return pl.DataFrame(
        {
            "id": [r[0] for r in rows],
            "establishment": [r[1] for r in rows],
            "category": [r[2] for r in rows],
            "department": [r[3] for r in rows],
            "region": [region_of(r[3]) or "" for r in rows],
        },
        schema={
            "id": pl.Int64,
            "establishment": pl.Utf8,
            "category": pl.Utf8,
            "department": pl.Utf8,
            "region": pl.Utf8,
        },
    )


def read_elements(first_year: int, last_year: int, establishments: pl.DataFrame) -> pl.DataFrame:
    """Establishment data, plus reference values per category spread over that category's establishments."""
    value = float_cast("d.value")
    own = fetch(
        f"SELECT e.finess, d.year, d.element, {value} FROM indicators_datavalue d "
        "JOIN registry_establishment e ON e.id = d.establishment_id WHERE d.year BETWEEN %s AND %s",
        [first_year, last_year],
    )
    schema = {"establishment": pl.Utf8, "year": pl.Int32, "element": pl.Utf8, "value": pl.Float64}
    frame = pl.DataFrame(own, schema=schema, orient="row")
    by_category = fetch(
        f"SELECT d.category, d.year, d.element, {value} FROM indicators_datavalue d "
        "WHERE d.category <> '' AND d.year BETWEEN %s AND %s",
        [first_year, last_year],
    )
    if by_category:
        reference = pl.DataFrame(
            by_category,
            schema={"category": pl.Utf8, **{k: v for k, v in schema.items() if k != "establishment"}},
            orient="row",
        )
        spread = establishments.select("establishment", "category").join(reference, on="category").drop("category")
        frame = pl.concat([frame, spread.select(list(schema))])
    return frame


def _years(years: list[int] | None) -> list[int]:
    if years:
        return sorted(years)
    return sorted(DataValue.objects.exclude(establishment=None).values_list("year", flat=True).distinct())


def compute_and_store(
    years: list[int] | None = None, progress: Callable[[str], None] = lambda step: None
) -> ComputeSummary:
    started = time.perf_counter()
    years = _years(years)
    indicators = {str(i.pk): i for i in Indicator.objects.filter(declared=False)}
    if not years or not indicators:
        return ComputeSummary(years, 0, 0, 0, 0, 0.0)
    specs = [_keyed_spec(i, key) for key, i in indicators.items()]
    catalogue = compile_catalogue(specs, set(DataElement.objects.values_list("code", flat=True)))
    lag = max((c.max_lag for c in catalogue), default=0)
    establishments = establishment_frame()
    progress(f"Lecture des données {years[0] - lag}-{years[-1]}")
    elements = read_elements(years[0] - lag, years[-1], establishments)
    progress(f"{elements.height} données lues ; calcul de {len(specs)} indicateurs")
    values = compute(establishments, elements, catalogue).filter(pl.col("year").is_in(years))
    progress(f"{values.height} valeurs calculées ; comparaison aux établissements de la même catégorie")
    benchmarks, values = compute_benchmarks(values, establishments, specs)
    progress("Enregistrement des valeurs et des références")
    _store(values, benchmarks, establishments, indicators, years)
    # The computed values (their flags above all) are what the alerts read: announced as an import is.
    imported(establishments["id"].to_list(), years)
    computable = values.filter(pl.col("value").is_not_null()).height
    flagged = values.filter(pl.col("flag").is_not_null()).height
    return ComputeSummary(years, values.height, computable, flagged, benchmarks.height, time.perf_counter() - started)


def _keyed_spec(indicator: Indicator, key: str):
    # The engine keys indicators by primary key: two catalogues may use the same code.
    return dataclasses.replace(spec_of(indicator), code=key)


@transaction.atomic
def _store(values: pl.DataFrame, benchmarks: pl.DataFrame, establishments: pl.DataFrame, indicators, years) -> None:
    now = timezone.now()
    ids = dict(zip(establishments["establishment"].to_list(), establishments["id"].to_list(), strict=True))
    IndicatorValue.objects.filter(year__in=years, indicator_id__in=[int(k) for k in indicators]).delete()
    Benchmark.objects.filter(year__in=years, indicator_id__in=[int(k) for k in indicators]).delete()
    versions = {key: indicator.formula_version for key, indicator in indicators.items()}
    rows = (
        (
            int(code),
            ids[establishment],
            year,
            value,
            numerator,
            denominator,
            reason or "",
            band or "",
            flag or "",
            versions[code],
            now,
        )
        for establishment, year, code, value, numerator, denominator, reason, band, flag in values.select(
            pl.col("establishment").cast(pl.Utf8),
            "year",
            pl.col("code").cast(pl.Utf8),
            "value",
            "numerator",
            "denominator",
            pl.col("reason").cast(pl.Utf8),
            "band",
            "flag",
        ).iter_rows()
    )
    bulk_insert(
        IndicatorValue._meta.db_table,
        [
            "indicator_id",
            "establishment_id",
            "year",
            "value",
            "numerator",
            "denominator",
            "reason",
            "band",
            "flag",
            "formula_version",
            "computed_at",
        ],
        rows,
    )
    bulk_insert(
        Benchmark._meta.db_table,
        ["indicator_id", "category", "level", "territory", "year", "count", "minimum", "q1", "median", "q3", "maximum"],
        (
            (int(code), category, level, territory, year, count, low, q1, median, q3, high)
            for code, category, year, count, low, q1, median, q3, high, level, territory in benchmarks.select(
                pl.col("code").cast(pl.Utf8),
                pl.col("category").cast(pl.Utf8),
                "year",
                "count",
                "min",
                "q1",
                "median",
                "q3",
                "max",
                "level",
                "territory",
            ).iter_rows()
        ),
    )


def export_rows(year: int) -> list[tuple]:
    """One row per establishment and computed indicator, with its band in its category and region."""
    labels = dict(Band.choices)
    values = (
        IndicatorValue.objects.filter(year=year)
        .select_related("indicator", "establishment")
        .order_by("establishment__finess", "indicator__catalogue_id", "indicator_id")
    )
    return [
        (v.establishment.finess, v.year, v.indicator.code, v.value, v.indicator.unit, labels.get(v.band, ""))
        for v in values
    ]


def _french_number(value: float | None) -> str:
    # Data for spreadsheets, not for reading: the hyphen-minus, the only minus sign a spreadsheet reads as one.
    return "" if value is None else f"{value:.4f}".rstrip("0").rstrip(".").replace(".", ",")


def export(year: int, fmt: str, output: BinaryIO) -> int:
    """Write the year's values to ``output`` (a file or standard output) as CSV or Excel; the number of rows."""
    rows = export_rows(year)
    if fmt == "csv":
        text = io.TextIOWrapper(output, encoding="utf-8", newline="")
        writer = csv.writer(text, delimiter=";")
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows((f, y, c, _french_number(v), u, b) for f, y, c, v, u, b in rows)
        text.flush()
        # The stream belongs to the caller: leave it open.
        text.detach()
    else:
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = f"Indicateurs {year}"
        append(sheet, EXPORT_COLUMNS)
        for row in rows:
            append(sheet, list(row))
        workbook.save(output)
    return len(rows)


@dataclass
class ConsolidatedRow:
    category: str
    indicator: Indicator
    members: int
    value: float | None
    reason: str


def consolidated_for(establishments, year: int) -> list[ConsolidatedRow]:
    """A perimeter's indicators per homogeneous category: Σ numerators ÷ Σ denominators, never a mean of ratios."""
    stored = list(
        IndicatorValue.objects.filter(establishment__in=establishments, year=year).values_list(
            "establishment__finess", "establishment__category", "indicator_id", "value", "numerator", "denominator"
        )
    )
    if not stored:
        return []
    values = pl.DataFrame(
        stored,
        schema={
            "establishment": pl.Utf8,
            "category": pl.Utf8,
            "code": pl.Utf8,
            "value": pl.Float64,
            "numerator": pl.Float64,
            "denominator": pl.Float64,
        },
        orient="row",
    )
    values = values.with_columns(pl.col("code").cast(pl.Utf8), year=pl.lit(year))
    groups = values.select("establishment", group="category").unique()
    indicators = Indicator.objects.in_bulk({int(c) for c in values["code"].unique().to_list()})
    specs = [_keyed_spec(i, str(pk)) for pk, i in indicators.items()]
    result = consolidate(values.drop("category"), groups, specs)
    rows = [
        ConsolidatedRow(r["group"], indicators[int(r["code"])], r["members"], r["value"], r["reason"])
        for r in result.iter_rows(named=True)
    ]
    return sorted(rows, key=lambda r: (r.category, r.indicator.catalogue_id, r.indicator.pk))
