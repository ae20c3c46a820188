"""Five years of plausible data for the demo's establishments, and synthetic peers to compare them with.

The figures are synthetic (cpom.demo.synthetic): realistic orders of magnitude per
category, never real establishments. Peers belong to managing bodies clearly named as
comparison bodies, so nobody mistakes them for real organisations.
"""

import polars as pl
from django.db import transaction

from cpom.demo.synthetic import generate_elements, generate_population
from cpom.indicators import catalogues, services
from cpom.indicators.models import DEMO_BATCH_KIND, DataValue, ImportBatch
from cpom.indicators.storage import bulk_insert
from cpom.registry.identifiers import luhn_check_digit
from cpom.registry.models import Establishment, LegalStatus, ManagingBody
from cpom.registry.territories import region_of

YEARS = [2021, 2022, 2023, 2024, 2025]
PEERS_PER_CATEGORY = 40
PEER_DEPARTMENTS = ["44", "49", "53", "72", "85", "35", "56", "29", "22", "37"]
PEER_CATEGORIES = ["IME", "SESSAD", "ESAT", "FAM", "MAS", "FV", "SAVS", "EHPAD", "SSIAD"]
PEER_BODIES = 6
BATCH_NAME = "Démonstration : données synthétiques 2021-2025"


def _peer_bodies() -> list[ManagingBody]:
    bodies = []
    for number in range(1, PEER_BODIES + 1):
        first_eight = f"9990000{number}"
        body, _ = ManagingBody.objects.update_or_create(
            siren=first_eight + luhn_check_digit(first_eight),
            defaults={
                "name": f"Organisme de comparaison n° {number} (données synthétiques)",
                "legal_status": LegalStatus.ASSOCIATION,
            },
        )
        bodies.append(body)
    return bodies


def _peers(per_category: int) -> list[Establishment]:
    # One draw per category, so that every demo category has enough peers in the region for quartiles.
    peers = pl.concat(
        [
            generate_population(
                per_category,
                YEARS,
                seed=2026 + index,
                departments=PEER_DEPARTMENTS,
                categories=[category],
                finess_offset=700000 + 1000 * index,
            ).establishments
            for index, category in enumerate(PEER_CATEGORIES)
        ]
    )
    bodies = _peer_bodies()
    finess = peers["finess"].to_list()
    existing = set(Establishment.objects.filter(finess__in=finess).values_list("finess", flat=True))
    new = [
        Establishment(
            finess=row["finess"],
            name=f"{row['name']} (comparaison)",
            category=row["category"],
            sector=row["sector"],
            audience=row["audience"],
            authorised_places=row["authorised_places"],
            installed_places=row["installed_places"],
            opening_days=row["opening_days"],
            department=row["department"],
            managing_body=bodies[index % len(bodies)],
        )
        for index, row in enumerate(peers.iter_rows(named=True))
        if row["finess"] not in existing
    ]
    Establishment.objects.bulk_create(new, batch_size=500)
    return list(Establishment.objects.filter(finess__in=finess))


def _frame(establishments: list[Establishment]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "finess": [e.finess for e in establishments],
            "name": [e.name for e in establishments],
            "category": [e.category for e in establishments],
            "sector": [e.sector for e in establishments],
            "audience": [e.audience for e in establishments],
            "department": [e.department for e in establishments],
            "region": [region_of(e.department) or "" for e in establishments],
            "authorised_places": [e.authorised_places for e in establishments],
            "installed_places": [e.installed_places for e in establishments],
            "opening_days": [e.opening_days for e in establishments],
        },
        schema_overrides={"authorised_places": pl.Int32, "installed_places": pl.Int32, "opening_days": pl.Int32},
    )


def _national_mean_costs(elements: pl.DataFrame, establishments: pl.DataFrame) -> pl.DataFrame:
    """A stand-in for the published national mean cost per place: the peers' median, per category and year."""
    costs = (
        elements.filter(pl.col("element").cast(pl.Utf8).str.starts_with("compte:6"))
        .group_by(["finess", "year"])
        .agg(expenses=pl.col("value").sum())
        .join(establishments.select("finess", "category", "authorised_places"), on="finess")
        .with_columns(per_place=pl.col("expenses") / pl.col("authorised_places"))
    )
    return costs.group_by(["category", "year"]).agg(value=pl.col("per_place").median().round(2))


@transaction.atomic
def load_demo_indicators(
    demo_establishments: list[Establishment], peers_per_category: int = PEERS_PER_CATEGORY
) -> None:
    """Five years of synthetic figures for ``demo_establishments`` and their peers, computed by the engine; the
    tests' world asks for fewer peers than the demo."""
    catalogues.load_national()
    establishments = demo_establishments + _peers(peers_per_category)
    frame = _frame(establishments)
    elements = generate_elements(frame, YEARS, seed=44).with_columns(
        pl.col("finess").cast(pl.Utf8), pl.col("element").cast(pl.Utf8)
    )
    ids = {e.finess: e.pk for e in establishments}
    DataValue.objects.filter(establishment_id__in=ids.values(), year__in=YEARS).delete()
    DataValue.objects.filter(category__in=PEER_CATEGORIES, element="cout_moyen_national", year__in=YEARS).delete()
    ImportBatch.objects.filter(file_name=BATCH_NAME).delete()
    batch = ImportBatch.objects.create(file_name=BATCH_NAME, kind=DEMO_BATCH_KIND, rows=elements.height)
    bulk_insert(
        DataValue._meta.db_table,
        ["establishment_id", "year", "element", "value", "category", "batch_id"],
        ((ids[f], y, element, round(v, 2), "", batch.pk) for f, y, element, v in elements.iter_rows()),
    )
    references = _national_mean_costs(elements, frame)
    bulk_insert(
        DataValue._meta.db_table,
        ["establishment_id", "year", "element", "value", "category", "batch_id"],
        (
            (None, y, "cout_moyen_national", v, c, batch.pk)
            for c, y, v in references.select("category", "year", "value").iter_rows()
        ),
    )
    services.compute_and_store(YEARS)
