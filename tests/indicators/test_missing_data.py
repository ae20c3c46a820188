"""Whatever data an establishment-year lacks, the engine computes what it can and says why it cannot compute the rest.

The usual state between the activity report and the accounts is a year with activity and staff data and no account
balance yet; a year may also lack its people counts, its staff, its history for the indicators that look back
(``n_moins``), or its peers. The property test removes random families of data from a complete synthetic population
and checks, for every value, that it is the value computed from the complete data or non calculable with a true reason.
"""

import re

import polars as pl
import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpom.demo.synthetic import ACTIVITY_ELEMENTS, PEOPLE_ELEMENTS, STAFF_ELEMENTS, generate_population
from cpom.indicators.benchmarks import compute_benchmarks
from cpom.indicators.catalogues import NATIONAL_FILES, read_element_codes, read_specs
from cpom.indicators.engine import UNDEFINED, IndicatorSpec, compile_catalogue, compute
from cpom.indicators.formula import FormulaError
from cpom.indicators.models import IndicatorValue

SPECS = read_specs(*NATIONAL_FILES)
CATALOGUE = compile_catalogue(SPECS, read_element_codes())
SCHEMA = {"establishment": pl.Utf8, "year": pl.Int32, "element": pl.Utf8, "value": pl.Float64}

ACTIVITY_AND_STAFF_2026 = {
    "journees_realisees": 9000,
    "jours_ouverture": 200,
    "places_installees": 50,
    "places_autorisees": 60,
    "personnes_accompagnees": 80,
    "etp_payes": 40,
    "etp_accompagnement": 27,
    "jours_absence": 1460,
}


def _long(data: dict[tuple[str, int], dict]) -> pl.DataFrame:
    rows = [(e, y, k, float(v)) for (e, y), values in data.items() for k, v in values.items()]
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def _compute(data: dict[tuple[str, int], dict], category: str = "IME") -> dict[str, dict]:
    establishments = pl.DataFrame({"establishment": sorted({e for e, _ in data}), "category": category})
    values = compute(establishments, _long(data), CATALOGUE).with_columns(pl.col("code", "reason").cast(pl.Utf8))
    return {row["code"]: row for row in values.iter_rows(named=True)}


@pytest.mark.pure
def test_a_year_with_activity_and_staff_but_no_accounts_computes_what_it_can():
    values = _compute({("A", 2026): ACTIVITY_AND_STAFF_2026})
    assert values["i-25"]["value"] == pytest.approx(9000 / (200 * 50) * 100)
    assert values["i-25"]["reason"] == ""
    for code in ("i-31", "i-41", "i-43", "i-46", "tdb-caf", "tdb-frng-jours"):
        assert values[code]["value"] is None, code
        assert values[code]["reason"] == "aucun solde de compte pour 2026", code
    assert values["i-42"]["reason"] == "aucune donnée pour 2022 (4 ans plus tôt) ; aucun solde de compte pour 2026"
    assert values["i-47"]["reason"] == "donnée manquante : cout_moyen_national ; aucun solde de compte pour 2026"
    assert values["i-37"]["reason"] == "données manquantes : effectif_total, jours_formation"


@pytest.mark.pure
def test_a_look_back_names_the_earlier_year_whose_data_is_missing():
    complete = {"compte:6011": 1000000, "compte:7311": -1000000, "places_autorisees": 40}
    values = _compute({("A", 2025): complete, ("A", 2021): {"compte:6011": 900000, "journees_realisees": 8000}})
    assert values["i-42"]["value"] is None
    assert values["i-42"]["reason"] == "donnée manquante pour 2021 : places_autorisees"
    values = _compute({("A", 2025): complete, ("A", 2021): {"places_autorisees": 40}})
    assert values["i-42"]["reason"] == "aucun solde de compte pour 2021"
    values = _compute({("A", 2025): complete, ("A", 2024): {"journees_realisees": 8000}}, category="MAS")
    assert values["tdb-evolution-activite"]["reason"] == "donnée manquante : journees_realisees"
    values = _compute({("A", 2025): {"journees_realisees": 8000}}, category="MAS")
    assert values["tdb-evolution-activite"]["reason"] == "aucune donnée pour 2024 (1 an plus tôt)"


@pytest.mark.pure
def test_no_data_at_all_gives_no_value_and_no_error():
    empty = pl.DataFrame([], schema=SCHEMA)
    values = compute(pl.DataFrame({"establishment": ["A"], "category": ["IME"]}), empty, CATALOGUE)
    assert values.height == 0 and values.columns == [
        "establishment",
        "year",
        "code",
        "value",
        "numerator",
        "denominator",
        "reason",
    ]


@pytest.mark.pure
def test_a_formula_reading_too_many_inputs_is_refused_when_the_catalogue_loads():
    elements = {f"donnee_{n}" for n in range(41)}
    with pytest.raises(FormulaError, match="indicateur trop-long : plus de 40 données dans la formule"):
        compile_catalogue([IndicatorSpec("trop-long", " + ".join(sorted(elements)))], elements)


@pytest.mark.pure
def test_a_reason_naming_many_missing_inputs_fits_the_stored_column():
    elements = [f"donnee_propre_a_l_autorite_numero_{n}" for n in range(30)]
    catalogue = compile_catalogue([IndicatorSpec("long", " + ".join(elements))], set(elements))
    values = compute(
        pl.DataFrame({"establishment": ["A"], "category": ["IME"]}), _long({("A", 2025): {elements[-1]: 1}}), catalogue
    )
    reason = values["reason"].cast(pl.Utf8)[0]
    assert reason.startswith("données manquantes : donnee_propre_a_l_autorite_numero_0, ")
    assert len(reason) == IndicatorValue._meta.get_field("reason").max_length and reason.endswith("…")


# --- The property: random holes in a complete population -------------------------------------------------------------

YEARS = [2021, 2022, 2023, 2024, 2025]
POPULATION = generate_population(10, YEARS, seed=11, categories=["IME", "ESAT", "MAS", "SESSAD", "EHPAD"])
ESTABLISHMENTS = POPULATION.establishments.select(
    pl.col("finess").alias("establishment"), "category", "department", "region"
)
FAMILIES = {
    "activité": ACTIVITY_ELEMENTS,
    "personnes": PEOPLE_ELEMENTS,
    "personnel": STAFF_ELEMENTS,
    "coût moyen": ("cout_moyen_national",),
}
FAMILY_OF = {element: family for family, elements in FAMILIES.items() for element in elements}
FULL_ELEMENTS = pl.concat(
    [
        POPULATION.elements.select(
            pl.col("finess").cast(pl.Utf8).alias("establishment"),
            pl.col("year").cast(pl.Int32),
            pl.col("element").cast(pl.Utf8),
            "value",
        ),
        ESTABLISHMENTS.join(pl.DataFrame({"year": YEARS}, schema={"year": pl.Int32}), how="cross").select(
            "establishment", "year", element=pl.lit("cout_moyen_national"), value=pl.lit(45000.0)
        ),
    ]
).with_columns(family=pl.col("element").replace_strict(FAMILY_OF, default="comptes"))
KEYS = ESTABLISHMENTS["establishment"].to_list()
SINGLE_ELEMENTS = sorted(FAMILY_OF)


def _indexed(values: pl.DataFrame) -> dict[tuple, dict]:
    values = values.with_columns(pl.col("establishment", "code", "reason").cast(pl.Utf8))
    return {(r["establishment"], r["year"], r["code"]): r for r in values.iter_rows(named=True)}


FULL = _indexed(compute(ESTABLISHMENTS, FULL_ELEMENTS.drop("family"), CATALOGUE))


@st.composite
def holes(draw):
    """Which establishments and years exist, which families each establishment-year lacks, which elements nobody has."""
    kept = sorted(draw(st.sets(st.sampled_from(KEYS), min_size=1)))
    years = sorted(draw(st.sets(st.sampled_from(YEARS), min_size=1)))
    lacking = [
        (e, y, family)
        for e in kept
        for y in years
        for family in sorted(draw(st.sets(st.sampled_from([*FAMILIES, "comptes"]))))
    ]
    dropped = sorted(draw(st.sets(st.sampled_from(SINGLE_ELEMENTS), max_size=6)))
    return kept, years, lacking, dropped


def _subset(kept, years, lacking, dropped) -> pl.DataFrame:
    removed = pl.DataFrame(
        lacking, schema={"establishment": pl.Utf8, "year": pl.Int32, "family": pl.Utf8}, orient="row"
    )
    return FULL_ELEMENTS.filter(
        pl.col("establishment").is_in(kept) & pl.col("year").is_in(years) & ~pl.col("element").is_in(dropped)
    ).join(removed, on=["establishment", "year", "family"], how="anti")


def _check_reason_is_true(reason: str, establishment: str, year: int, held: dict[tuple[str, int], set[str]]) -> None:
    """Each part of a reason names data that really is missing for that establishment and the year it names."""
    for part in reason.split(" ; "):
        if match := re.fullmatch(r"données? manquantes? (?:pour (\d{4}) )?: (.+)", part):
            when = int(match[1]) if match[1] else year
            missing = set(match[2].split(", "))
            assert not missing & held.get((establishment, when), set()), (reason, establishment, year)
        elif match := re.fullmatch(r"aucun solde de compte pour (\d{4})", part):
            present = held.get((establishment, int(match[1])), set())
            assert not any(e.startswith("compte:") for e in present), (reason, establishment, year)
        elif match := re.fullmatch(r"aucune donnée pour (\d{4}) \((\d+) ans? plus tôt\)", part):
            assert int(match[1]) == year - int(match[2]) and (establishment, int(match[1])) not in held, (reason, year)
        else:
            assert part in (
                "dénominateur nul",
                "dénominateur négatif ou nul : l'indicateur ne s'applique pas",
                UNDEFINED,
            ), part


@pytest.mark.pure
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(holes())
def test_missing_data_never_breaks_the_engine_and_never_changes_a_value(case):
    kept, years, lacking, dropped = case
    elements = _subset(kept, years, lacking, dropped)
    establishments = ESTABLISHMENTS.filter(pl.col("establishment").is_in(kept))
    values = compute(establishments, elements.drop("family"), CATALOGUE)
    benchmarks, banded = compute_benchmarks(values, establishments, SPECS)

    held: dict[tuple[str, int], set[str]] = {}
    for establishment, year, element in elements.select("establishment", "year", "element").iter_rows():
        held.setdefault((establishment, year), set()).add(element)
    rows = _indexed(values)
    assert {(e, y) for e, y, _ in rows} == set(held)  # every establishment-year with data, and only those
    for (establishment, year, code), row in rows.items():
        full = FULL[(establishment, year, code)]
        if row["value"] is not None:
            # Computed from the data: exactly what the complete data give, never a stand-in for a hole.
            assert row["reason"] == "" and row["value"] == pytest.approx(full["value"], rel=1e-9, abs=1e-9)
        else:
            assert row["reason"], (establishment, year, code)
            _check_reason_is_true(row["reason"], establishment, year, held)
            if full["value"] is not None:
                assert not row["reason"].startswith(("dénominateur", UNDEFINED)), row["reason"]
    unbanded = banded.filter(pl.col("value").is_null() & pl.col("band").is_not_null())
    assert unbanded.height == 0 and benchmarks["count"].min() in (None, *range(1, len(kept) + 1))


# --- The reproduction through the command and the pages --------------------------------------------------------------

IME = "440005015"
YEAR = 2031  # a year of its own: no balance of the demo in the five years the engine reads for it


@pytest.fixture
def activity_and_staff_only(db, tmp_path):
    path = tmp_path / "rapport-activite-2031.csv"
    lines = [f"{IME};{YEAR};{element};{value}" for element, value in ACTIVITY_AND_STAFF_2026.items()]
    path.write_text("finess;annee;element;valeur\n" + "\n".join(lines) + "\n", encoding="utf-8")
    call_command("indicateurs", "importer-donnees", str(path))


def test_compute_command_on_a_year_without_accounts_stores_values_and_reasons(activity_and_staff_only, capsys):
    call_command("indicateurs", "calculer", "--annee", str(YEAR))
    stored = {
        v.indicator.code: v
        for v in IndicatorValue.objects.filter(establishment__finess=IME, year=YEAR).select_related("indicator")
    }
    computed = sum(v.value is not None for v in stored.values())
    assert (
        f"{len(stored)} valeurs pour {YEAR} : {computed} calculées, {len(stored) - computed} non calculables"
        in capsys.readouterr().out
    )
    assert stored["i-25"].value == pytest.approx(90.0) and stored["i-25"].reason == ""
    assert stored["i-41"].value is None and stored["i-41"].reason == f"aucun solde de compte pour {YEAR}"
    assert (
        stored["i-42"].reason == f"aucune donnée pour {YEAR - 4} (4 ans plus tôt) ; aucun solde de compte pour {YEAR}"
    )


def test_the_pages_of_a_year_without_accounts_say_why(activity_and_staff_only, client_for):
    call_command("indicateurs", "calculer", "--annee", str(YEAR))
    client = client_for("asso")
    page = client.get(reverse("indicators:establishment", kwargs={"finess": IME}) + f"?annee={YEAR}").content.decode()
    assert f"non calculable : aucun solde de compte pour {YEAR}" in page
    result = IndicatorValue.objects.get(establishment__finess=IME, year=YEAR, indicator__code="i-41")
    detail = client.get(
        reverse("indicators:detail", kwargs={"finess": IME, "indicator_id": result.indicator_id, "year": YEAR})
    )
    body = detail.content.decode()
    assert f"Non calculable en {YEAR} : aucun solde de compte pour {YEAR}" in body
    assert "aucun compte" in body  # the data used: no balance for the class 6 and class 7 totals
