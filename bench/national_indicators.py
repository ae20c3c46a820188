"""Indicator engine at national and regional scale.

    .venv/bin/python bench/national_indicators.py [--establishments 45000] [--region 1000]

1. National: a synthetic population (45,000 establishments × 5 years, activity, staff and about
   150 account balances each) is generated and saved; a fresh process then loads it, runs the whole
   catalogue and all benchmarks, and reports its wall time and peak memory (input data included).
   The engine runs three times, each in a fresh process; the median wall time is reported.
2. Region: 1,000 establishments × 5 years stored in a database (a temporary SQLite file, or
   DATABASE_URL), then recomputed end to end: read elements, compute, benchmark, store values.

Each figure is printed as ``bench: NAME VALUE UNIT``.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

YEARS = [2021, 2022, 2023, 2024, 2025]


def _peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024  # Linux gives KiB


def national_engine(folder: Path) -> None:
    """Runs in its own process so that its peak memory is the engine's, not the generator's."""
    import polars as pl

    from cpom.indicators.benchmarks import compute_benchmarks
    from cpom.indicators.catalogues import NATIONAL_FILES, read_element_codes, read_specs
    from cpom.indicators.engine import compile_catalogue, compute

    establishments = pl.read_parquet(folder / "establishments.parquet")
    elements = pl.read_parquet(folder / "elements.parquet")
    specs = read_specs(*NATIONAL_FILES)
    started = time.perf_counter()
    catalogue = compile_catalogue(specs, read_element_codes())
    values = compute(establishments, elements, catalogue)
    benchmarks, values = compute_benchmarks(values, establishments, specs)
    wall = time.perf_counter() - started
    computable = values["value"].is_not_null().sum()
    print(
        f"national : {elements.height} données, {len(specs)} indicateurs, {values.height} valeurs "
        f"({computable} calculées), {benchmarks.height} références",
        flush=True,
    )
    print(f"run: {wall:.2f} {_peak_rss_gib():.3f}", flush=True)


def national_runs(folder: str, runs: int = 3) -> None:
    """Median of fresh processes: page faults make single runs on a shared machine vary by ±15 %."""
    walls, peaks = [], []
    for _ in range(runs):
        output = subprocess.run(
            [sys.executable, __file__, "--engine-only", folder], check=True, capture_output=True, text=True
        ).stdout
        for line in output.splitlines():
            if line.startswith("run: "):
                wall, peak = map(float, line[5:].split())
                walls.append(wall)
                peaks.append(peak)
            else:
                print(line, flush=True)
    print(f"runs: {', '.join(f'{w:.2f}' for w in walls)} s")
    print(f"bench: national_engine_wall {statistics.median(walls):.2f} s")
    print(f"bench: national_engine_peak_rss {max(peaks):.2f} GiB")


def generate_national(folder: Path, count: int) -> None:
    from cpom.demo.synthetic import generate_population

    started = time.perf_counter()
    population = generate_population(count, YEARS, seed=1)
    population.establishments.rename({"finess": "establishment"}).write_parquet(folder / "establishments.parquet")
    population.elements.rename({"finess": "establishment"}).write_parquet(folder / "elements.parquet")
    print(
        f"génération : {population.elements.height} lignes en {time.perf_counter() - started:.1f} s (non chronométré)",
        flush=True,
    )


def region_end_to_end(count: int) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    from cpom.demo.synthetic import generate_population
    from cpom.indicators import catalogues, services
    from cpom.indicators.models import DataValue
    from cpom.indicators.storage import bulk_insert
    from cpom.registry.models import Establishment, LegalStatus, ManagingBody

    call_command("migrate", verbosity=0)
    catalogues.load_national()
    population = generate_population(count, YEARS, seed=2, departments=["44", "49", "53", "72", "85"])
    body, _ = ManagingBody.objects.get_or_create(
        siren="999000107", defaults={"name": "Banc d'essai", "legal_status": LegalStatus.ASSOCIATION}
    )
    Establishment.objects.bulk_create(
        [
            Establishment(
                finess=r["finess"],
                name=r["name"],
                category=r["category"],
                sector=r["sector"],
                audience=r["audience"],
                authorised_places=r["authorised_places"],
                installed_places=r["installed_places"],
                opening_days=r["opening_days"],
                department=r["department"],
                managing_body=body,
            )
            for r in population.establishments.iter_rows(named=True)
        ],
        batch_size=1000,
    )
    ids = dict(Establishment.objects.values_list("finess", "id"))
    bulk_insert(
        DataValue._meta.db_table,
        ["establishment_id", "year", "element", "value", "category"],
        (
            (ids[f], y, e, v, "")
            for f, y, e, v in population.elements.with_columns(
                population.elements["finess"].cast(str), population.elements["element"].cast(str)
            ).iter_rows()
        ),
    )
    started = time.perf_counter()
    summary = services.compute_and_store(YEARS)
    wall = time.perf_counter() - started
    print(
        f"région : {population.elements.height} données, {summary.values} valeurs stockées, "
        f"{summary.benchmarks} références ({'PostgreSQL' if 'DATABASE_URL' in os.environ else 'SQLite'})",
        flush=True,
    )
    print(f"bench: region_end_to_end_wall {wall:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--establishments", type=int, default=45000)
    parser.add_argument("--region", type=int, default=1000)
    parser.add_argument("--engine-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpom.config.settings")
    if args.engine_only:
        import django

        django.setup()
        national_engine(args.engine_only)
        return
    with tempfile.TemporaryDirectory() as folder:
        import django

        os.environ.setdefault("CPOM_VAR_DIR", folder)
        django.setup()
        generate_national(Path(folder), args.establishments)
        national_runs(folder)
        region_end_to_end(args.region)


if __name__ == "__main__":
    main()
