"""The synthetic population: deterministic, valid identifiers, complete and plausible data (no database)."""

import re

import polars as pl
import pytest

from cpom.demo.synthetic import (
    ACCOUNTS,
    CATEGORIES,
    ELEMENTS,
    Population,
    generate_elements,
    generate_population,
)
from cpom.registry.identifiers import finess_with_key, luhn_check_digit, validate_finess
from cpom.registry.territories import departments

pytestmark = pytest.mark.pure

YEARS = [2021, 2022, 2023, 2024, 2025]


@pytest.fixture(scope="module")
def population() -> Population:
    return generate_population(300, YEARS, seed=7)


def wide(population: Population) -> pl.DataFrame:
    """One row per establishment-year: activity and staff elements, class totals and a few account groups."""
    elements = population.elements.with_columns(pl.col("finess", "element").cast(pl.Utf8))
    accounts = elements.filter(pl.col("element").str.starts_with("compte:")).with_columns(
        account=pl.col("element").str.strip_prefix("compte:")
    )

    def total(name: str, *prefixes: str) -> pl.Expr:
        selected = pl.any_horizontal([pl.col("account").str.starts_with(p) for p in prefixes])
        return pl.col("value").filter(selected).sum().alias(name)

    totals = accounts.group_by("finess", "year").agg(
        total("class_6", "6"),
        total("class_7", "7"),
        total("staff", "64", "621"),
        total("depreciation", "68"),
        total("head_office", "655"),
        total("balance_sheet", "1", "2", "3", "4", "5"),
        total("result_accounts", "12"),
        total("buildings", "213", "214"),
        total("buildings_depreciation", "2813", "2814"),
    )
    others = elements.filter(~pl.col("element").str.starts_with("compte:")).pivot(
        on="element", index=["finess", "year"], values="value"
    )
    return totals.join(others, on=["finess", "year"]).join(population.establishments, on="finess")


def test_same_arguments_give_identical_output(population):
    again = generate_population(300, YEARS, seed=7)
    assert again.establishments.equals(population.establishments)
    assert again.elements.equals(population.elements)
    other_seed = generate_population(300, YEARS, seed=8)
    assert not other_seed.elements["value"].equals(population.elements["value"])


def test_establishments_have_the_documented_columns(population):
    establishments = population.establishments
    assert establishments.schema == pl.Schema(
        {
            "finess": pl.Utf8,
            "name": pl.Utf8,
            "category": pl.Utf8,
            "sector": pl.Utf8,
            "audience": pl.Utf8,
            "department": pl.Utf8,
            "region": pl.Utf8,
            "authorised_places": pl.Int32,
            "installed_places": pl.Int32,
            "opening_days": pl.Int32,
        }
    )
    assert establishments.height == 300
    assert set(establishments["category"]) <= set(CATEGORIES)
    counts = establishments["category"].value_counts().sort("count", descending=True)
    assert counts["category"][0] == "EHPAD"
    for row in establishments.iter_rows(named=True):
        assert row["sector"] == ("PA" if row["category"] in ("EHPAD", "SSIAD") else "PH")
        children = row["category"] in ("IME", "ITEP", "SESSAD", "CAMSP", "CMPP")
        assert row["audience"] == ("children" if children else "adults")
        assert row["region"] == departments()[row["department"]].region
        assert 1 <= row["installed_places"] <= row["authorised_places"]
        assert row["name"].startswith(row["category"] + " ")
        if row["category"] in ("MAS", "FAM", "FV", "EHPAD", "SSIAD"):
            assert row["opening_days"] == 365
        else:
            assert 200 <= row["opening_days"] <= 253


def test_every_finess_is_valid_unique_and_in_its_department(population):
    establishments = population.establishments
    assert establishments["finess"].n_unique() == establishments.height
    assert establishments["name"].n_unique() == establishments.height
    for finess, department in establishments.select("finess", "department").iter_rows():
        validate_finess(finess)
        assert finess[:2] == departments()[department].finess_prefix
        assert finess[-1] == luhn_check_digit(re.sub("[A-F]", "0", finess[:8]))


def test_corsica_overseas_and_offsets_give_valid_distinct_numbers():
    first = generate_population(40, [2024], departments=["2A", "2B", "974"], categories=["EHPAD", "IME"])
    second = generate_population(40, [2024], departments=["2A", "2B", "974"], finess_offset=40)
    for population in (first, second):
        assert set(population.establishments["department"]) <= {"2A", "2B", "974"}
        for finess in population.establishments["finess"]:
            validate_finess(finess)
    assert set(first.establishments["category"]) <= {"EHPAD", "IME"}
    assert not set(first.establishments["finess"]) & set(second.establishments["finess"])


def test_unknown_category_or_department_is_refused():
    with pytest.raises(ValueError):
        generate_population(5, YEARS, categories=["XYZ"])
    with pytest.raises(ValueError):
        generate_population(5, YEARS, departments=["00"])


def test_every_establishment_year_has_every_element(population):
    elements = population.elements
    assert elements.columns == ["finess", "year", "element", "value"]
    assert [elements.schema[c] for c in elements.columns] == [pl.Categorical, pl.Int16, pl.Categorical, pl.Float64]
    assert 140 <= len(ACCOUNTS) <= 165
    assert elements.height == 300 * len(YEARS) * len(ELEMENTS)
    assert set(elements["element"].cast(pl.Utf8).unique()) == set(ELEMENTS)
    per_year = elements.group_by("finess", "year").agg(pl.col("element").n_unique().alias("n"), pl.len())
    assert per_year.height == 300 * len(YEARS)
    assert (per_year["n"] == len(ELEMENTS)).all() and (per_year["len"] == len(ELEMENTS)).all()
    assert elements["value"].is_finite().all()
    for code in ("compte:60611", "compte:6411", "compte:7311", "compte:2813", "compte:1688", "compte:655"):
        assert code in ELEMENTS


def test_occupancy_is_mostly_high_with_a_few_entry_errors(population):
    data = wide(population).with_columns(
        occupancy=pl.col("journees_realisees") / (pl.col("jours_ouverture") * pl.col("places_installees"))
    )
    assert 0.85 <= data["occupancy"].median() <= 1.0
    assert data["occupancy"].quantile(0.02) >= 0.5

    large = generate_population(2000, YEARS, seed=3, categories=["SSIAD"])
    large_data = large.elements.filter(
        pl.col("element").cast(pl.Utf8).is_in(["journees_realisees", "jours_ouverture", "places_installees"])
    ).pivot(on="element", index=["finess", "year"], values="value")
    occupancy = large_data["journees_realisees"] / (large_data["jours_ouverture"] * large_data["places_installees"])
    implausible = (occupancy > 1.5).sum()
    assert 1 <= implausible <= 0.005 * large_data.height


@pytest.mark.parametrize("category,low,high", [("MAS", 85_000, 110_000), ("SESSAD", 18_000, 25_000)])
def test_cost_per_place_sits_in_the_category_range(category, low, high):
    population = generate_population(300, YEARS, seed=11, categories=["MAS", "SESSAD"])
    data = wide(population).filter(pl.col("category") == category)
    cost_per_place = data["class_6"] / data["authorised_places"]
    assert low <= cost_per_place.median() <= high
    assert cost_per_place.std() > 0.05 * cost_per_place.median()  # establishments differ


def test_accounts_are_balanced_and_plausible(population):
    data = wide(population)
    income_ratio = -data["class_7"] / data["class_6"]
    assert 0.99 <= income_ratio.median() <= 1.02
    assert 0.05 <= (income_ratio < 1).mean() <= 0.7  # some deficits
    staff_ratio = data["staff"] / data["class_6"]
    assert 0.55 <= staff_ratio.median() <= 0.75
    depreciation_ratio = data["depreciation"] / data["class_6"]
    assert 0.03 <= depreciation_ratio.median() <= 0.06
    head_office = data.group_by("finess").agg((pl.col("head_office") == 0).all().alias("none"))
    assert 0.45 <= head_office["none"].mean() <= 0.75
    # The balance sheet closes, with the year's result (income − expenses) in 120 / 129.
    assert data["balance_sheet"].abs().max() < 0.01
    assert ((data["result_accounts"] - (data["class_6"] + data["class_7"])).abs() < 0.01).all()
    wear = -data["buildings_depreciation"] / data["buildings"]
    assert 0.3 <= wear.median() <= 0.7


def test_staff_elements_are_consistent(population):
    data = wide(population)
    split = data.select(
        pl.sum_horizontal(
            "etp_direction_encadrement", "etp_administration_gestion", "etp_services_generaux", "etp_accompagnement"
        )
        - pl.col("etp_payes")
    ).to_series()
    assert split.abs().max() < 0.015
    assert (data["etp_budgetes"] >= data["etp_payes"]).all()
    assert ((data["etp_vacants"] - (data["etp_budgetes"] - data["etp_payes"]).clip(0)).abs() < 0.015).all()
    assert (data["jours_absence"] >= 0).all()
    assert (
        data["effectif_total"] == data["effectif_debut_annee"] + data["entrees_permanents"] - data["sorties_permanents"]
    ).all()
    assert (data["cadres_diplome_niveau_1"] <= data["cadres_total"]).all()
    ehpad = data.filter(pl.col("category") == "EHPAD")
    assert 0.55 <= (ehpad["etp_payes"] / ehpad["places_installees"]).median() <= 0.7


def test_years_differ_but_each_establishment_stays_coherent(population):
    data = wide(population).sort("finess", "year")
    growth = data.group_by("finess").agg(
        (pl.col("class_6").sort_by("year").last() / pl.col("class_6").sort_by("year").first()).alias("growth")
    )
    assert 1.02 <= growth["growth"].median() <= 1.14
    assert data.group_by("finess").agg(pl.col("class_6").n_unique())["class_6"].min() == len(YEARS)


def test_generate_elements_for_the_demos_own_establishments():
    establishments = pl.DataFrame(
        {
            "finess": [finess_with_key("44000501"), finess_with_key("49000801")],
            "name": ["IME Les Grands Chênes", "EHPAD Les Tilleuls"],
            "category": ["IME", "EHPAD"],
            "sector": ["PH", "PA"],
            "audience": ["children", "adults"],
            "department": ["44", "49"],
            "region": ["52", "52"],
            "authorised_places": [60, 86],
            "installed_places": [58, 86],
            "opening_days": [210, 365],
        },
        schema_overrides={"authorised_places": pl.Int32, "installed_places": pl.Int32, "opening_days": pl.Int32},
    )
    elements = generate_elements(establishments, [2023, 2024], seed=1)
    assert elements.height == 2 * 2 * len(ELEMENTS)
    assert set(elements["finess"].cast(pl.Utf8)) == set(establishments["finess"])
    assert elements.equals(generate_elements(establishments, [2023, 2024], seed=1))
    places = elements.filter(pl.col("element") == "places_installees").sort("finess", "year")
    assert places["value"].to_list() == [58.0, 58.0, 86.0, 86.0]

    with pytest.raises(ValueError):
        generate_elements(establishments.with_columns(category=pl.lit("XYZ")), [2024])
