"""Deterministic synthetic population of social and medico-social establishments.

Generates plausible (not real) establishments with their yearly activity, staff and accounting data,
in long format, for two uses:

- the benchmark, which needs a national population (45,000 establishments × 5 years × ~180 elements,
  about 40 million rows, generated in a few seconds);
- the demo, which needs a few hundred peers to compare its own named establishments with.

Everything is vectorised with numpy: there is no Python loop per row or per establishment, only per
element or account. The same arguments always give identical output.

Model, in short (amounts in euros, per establishment and year):

- an establishment-level cost per authorised place, drawn in its category's range, sets the class 6 total;
  costs grow by 1 to 3 % a year (the middle year sits on the drawn level);
- class 6 is split into staff (64x + 621x), depreciation and provisions (68x), head-office fees (655,
  zero for ~60 % of establishments), loan interest (6611, from the borrowings) and the other expenses,
  each group spread over its accounts with establishment-level weights and a little yearly noise;
- class 7 total = class 6 total × (1 + N(0.5 %, 2 %)), mostly tariff income (731x);
- the balance sheet (classes 1 to 5) is derived from the depreciation (gross fixed assets = annual
  depreciation × useful life), a debt share, a subsidy share, working-capital ratios and a cash position in
  days of expenses; the equity accounts close it, so the balances of classes 1 to 5 sum to zero and the
  year's result sits in 120 (surplus) or 129 (deficit). Accounts 11 and 12 themselves stay at zero (the
  carry-forward is in 110 / 119, the result in 120 / 129);
- about 0.1 % of establishment-years carry a data-entry error on ``journees_realisees`` (occupancy above
  150 %) so that plausibility checks have something to find.

Account values are balances debit − credit: expenses and assets are positive; income, equity, debts,
provisions and accumulated depreciation are negative.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from cpom.registry.identifiers import luhn_check_digit
from cpom.registry.territories import departments as registry_departments

__all__ = [
    "ACCOUNTS",
    "ACTIVITY_ELEMENTS",
    "CATEGORIES",
    "ELEMENTS",
    "Population",
    "STAFF_ELEMENTS",
    "generate_elements",
    "generate_population",
]


@dataclass(frozen=True)
class Population:
    establishments: pl.DataFrame  # one row per establishment
    elements: pl.DataFrame  # long format: one row per (establishment, year, element)


# --------------------------------------------------------------------------------------------------
# Category profiles
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Profile:
    frequency: float  # relative weight in the national population
    places: float  # median authorised places
    opening_days: tuple[int, int]  # inclusive range
    cost_per_place: tuple[float, float]  # class 6 total per authorised place and year (€)
    etp_per_place: tuple[float, float]
    staff_share: tuple[float, float]  # (64x + 621x) / class 6
    people_per_place: tuple[float, float]  # personnes accompagnées / installed place
    turnover: float  # definitive exits per installed place and year
    stay_days: float  # median length of stay of the leavers (days)
    hospital_rate: float  # hospitalisation days / days realised
    residential: bool  # has accommodation (food, laundry, deposits…)
    home_based: bool  # service without buildings of its own (rents its premises)
    transport: bool  # transports its users daily
    medical: bool  # significant medical supplies
    tariff: tuple[float, float, float, float]  # weights of 7311 dotation, 7312 prix de journée, 7313 forfaits, 7318


_PROFILES: dict[str, _Profile] = {
    "IME": _Profile(
        1200,
        60,
        (200, 215),
        (45e3, 60e3),
        (0.60, 0.80),
        (0.60, 0.75),
        (1.0, 1.2),
        0.18,
        1800,
        0.003,
        False,
        False,
        True,
        False,
        (0.85, 0.10, 0.0, 0.05),
    ),
    "ITEP": _Profile(
        450,
        45,
        (200, 215),
        (55e3, 70e3),
        (0.70, 0.90),
        (0.60, 0.75),
        (1.0, 1.2),
        0.30,
        1100,
        0.003,
        False,
        False,
        True,
        False,
        (0.85, 0.10, 0.0, 0.05),
    ),
    "SESSAD": _Profile(
        1150,
        35,
        (205, 215),
        (18e3, 25e3),
        (0.30, 0.45),
        (0.60, 0.75),
        (1.2, 1.6),
        0.30,
        900,
        0.002,
        False,
        True,
        True,
        False,
        (0.92, 0.03, 0.0, 0.05),
    ),
    "CAMSP": _Profile(
        280,
        40,
        (205, 215),
        (15e3, 25e3),
        (0.25, 0.40),
        (0.60, 0.75),
        (1.3, 1.8),
        0.40,
        700,
        0.002,
        False,
        True,
        True,
        True,
        (0.92, 0.03, 0.0, 0.05),
    ),
    "CMPP": _Profile(
        300,
        40,
        (205, 215),
        (15e3, 25e3),
        (0.20, 0.35),
        (0.60, 0.75),
        (1.3, 1.8),
        0.40,
        600,
        0.002,
        False,
        True,
        True,
        False,
        (0.92, 0.03, 0.0, 0.05),
    ),
    "MAS": _Profile(
        740,
        50,
        (365, 365),
        (85e3, 110e3),
        (1.10, 1.40),
        (0.60, 0.75),
        (1.0, 1.1),
        0.05,
        3500,
        0.020,
        True,
        False,
        False,
        True,
        (0.60, 0.35, 0.0, 0.05),
    ),
    "FAM": _Profile(
        1000,
        40,
        (365, 365),
        (60e3, 80e3),
        (0.80, 1.00),
        (0.60, 0.75),
        (1.0, 1.1),
        0.07,
        3000,
        0.015,
        True,
        False,
        False,
        True,
        (0.05, 0.65, 0.28, 0.02),
    ),
    "ESAT": _Profile(
        1450,
        70,
        (222, 230),
        (15e3, 22e3),
        (0.20, 0.30),
        (0.60, 0.75),
        (1.0, 1.15),
        0.07,
        3600,
        0.002,
        False,
        False,
        True,
        False,
        (0.92, 0.03, 0.0, 0.05),
    ),
    "FV": _Profile(
        700,
        35,
        (365, 365),
        (45e3, 60e3),
        (0.60, 0.80),
        (0.60, 0.75),
        (1.0, 1.1),
        0.10,
        3000,
        0.010,
        True,
        False,
        False,
        False,
        (0.30, 0.65, 0.0, 0.05),
    ),
    "SAVS": _Profile(
        650,
        50,
        (245, 253),
        (5e3, 9e3),
        (0.08, 0.15),
        (0.60, 0.75),
        (1.1, 1.4),
        0.25,
        900,
        0.005,
        False,
        True,
        False,
        False,
        (0.90, 0.05, 0.0, 0.05),
    ),
    "SAMSAH": _Profile(
        250,
        25,
        (245, 253),
        (15e3, 22e3),
        (0.25, 0.35),
        (0.60, 0.75),
        (1.1, 1.4),
        0.25,
        800,
        0.010,
        False,
        True,
        False,
        True,
        (0.45, 0.0, 0.50, 0.05),
    ),
    "EHPAD": _Profile(
        7400,
        80,
        (365, 365),
        (38e3, 50e3),
        (0.55, 0.70),
        (0.55, 0.68),
        (1.2, 1.45),
        0.38,
        1000,
        0.020,
        True,
        False,
        False,
        True,
        (0.02, 0.55, 0.38, 0.05),
    ),
    "SSIAD": _Profile(
        2100,
        45,
        (365, 365),
        (12e3, 16e3),
        (0.30, 0.40),
        (0.56, 0.70),
        (1.3, 1.8),
        0.80,
        90,
        0.020,
        False,
        True,
        False,
        True,
        (0.93, 0.0, 0.02, 0.05),
    ),
}

CATEGORIES: tuple[str, ...] = tuple(_PROFILES)
_CHILDREN = {"IME", "ITEP", "SESSAD", "CAMSP", "CMPP"}
_PA = {"EHPAD", "SSIAD"}


def _profile_array(attribute: str, index: int | None = None) -> np.ndarray:
    values = [getattr(p, attribute) for p in _PROFILES.values()]
    if index is not None:
        values = [v[index] for v in values]
    return np.asarray(values, dtype=float)


# --------------------------------------------------------------------------------------------------
# Elements
# --------------------------------------------------------------------------------------------------

ACTIVITY_ELEMENTS: tuple[str, ...] = (
    "journees_realisees",
    "jours_ouverture",
    "places_installees",
    "places_autorisees",
    "places_financees",
    "personnes_accompagnees",
    "journees_prevues",
    "journees_hospitalisation",
    "sorties_definitives",
    "duree_sejour_sortants",
)
# Counts of people behind the grid's quality indicators (i-1, i-2, i-9, i-10, i-12 to i-15, i-22, i-23).
PEOPLE_ELEMENTS: tuple[str, ...] = (
    "personnes_hors_autorisation",
    "personnes_20_ans_et_plus",
    "personnes_projet_personnalise",
    "personnes_trajet_plus_1h",
    "sorties_milieu_ordinaire",
    "travailleurs_temps_partiel",
    "personnes_plus_45_ans",
    "enfants_scolarises_milieu_ordinaire",
    "personnes_18_ans_et_plus",
    "projets_revises_avant_18_ans",
    "evenements_indesirables",
)
STAFF_ELEMENTS: tuple[str, ...] = (
    "etp_payes",
    "etp_budgetes",
    "etp_vacants",
    "jours_absence",
    "effectif_debut_annee",
    "entrees_permanents",
    "sorties_permanents",
    "effectif_total",
    "jours_formation",
    "cadres_total",
    "cadres_diplome_niveau_1",
    "etp_qualifies",
    "etp_finances",
    "etp_direction_encadrement",
    "etp_administration_gestion",
    "etp_services_generaux",
    "etp_accompagnement",
)

# Class 6 groups: (account, base weight within the group, probability that an establishment never uses it,
# probability that a given year has nothing on it). The first account of each group is always used.
_STAFF_ACCOUNTS = [
    ("6411", 0.50, 0.0, 0.0),
    ("621", 0.010, 0.2, 0.0),
    ("6211", 0.020, 0.3, 0.1),
    ("641", 0.06, 0.3, 0.0),
    ("6413", 0.040, 0.0, 0.0),
    ("645", 0.020, 0.3, 0.0),
    ("6451", 0.16, 0.0, 0.0),
    ("6453", 0.080, 0.0, 0.0),
    ("647", 0.010, 0.2, 0.0),
    ("648", 0.015, 0.3, 0.0),
]
_DEPRECIATION_ACCOUNTS = [
    ("6811", 0.85, 0.0, 0.0),
    ("6812", 0.03, 0.5, 0.0),
    ("6815", 0.07, 0.3, 0.2),
    ("686", 0.01, 0.7, 0.3),
    ("687", 0.03, 0.6, 0.3),
    ("689", 0.02, 0.7, 0.2),
]
_OTHER_EXPENSE_ACCOUNTS = [
    ("6288", 0.020, 0.0, 0.0),  # anchor: autres prestations diverses
    ("6021", 0.020, 0.2, 0.0),
    ("6022", 0.020, 0.1, 0.0),
    ("6023", 0.100, 0.05, 0.0),
    ("60611", 0.030, 0.0, 0.0),
    ("60612", 0.030, 0.0, 0.0),
    ("60621", 0.015, 0.2, 0.0),
    ("60628", 0.020, 0.0, 0.0),
    ("6066", 0.010, 0.2, 0.0),
    ("6068", 0.020, 0.0, 0.0),
    ("611", 0.010, 0.3, 0.0),
    ("6111", 0.040, 0.5, 0.0),
    ("6112", 0.010, 0.4, 0.0),
    ("6132", 0.030, 0.3, 0.0),
    ("6135", 0.020, 0.1, 0.0),
    ("6152", 0.030, 0.0, 0.0),
    ("6155", 0.015, 0.1, 0.0),
    ("616", 0.015, 0.0, 0.0),
    ("618", 0.010, 0.1, 0.0),
    ("6223", 0.010, 0.5, 0.0),
    ("6226", 0.015, 0.1, 0.0),
    ("6231", 0.005, 0.3, 0.0),
    ("6241", 0.010, 0.3, 0.0),
    ("6242", 0.030, 0.2, 0.0),
    ("6251", 0.010, 0.0, 0.0),
    ("6261", 0.005, 0.0, 0.0),
    ("6262", 0.008, 0.0, 0.0),
    ("6281", 0.015, 0.3, 0.0),
    ("6311", 0.050, 0.1, 0.0),
    ("6313", 0.010, 0.3, 0.0),
    ("6333", 0.020, 0.0, 0.0),
    ("654", 0.003, 0.5, 0.4),
    ("658", 0.005, 0.0, 0.0),
    ("661", 0.002, 0.6, 0.0),
    ("671", 0.003, 0.2, 0.5),
    ("675", 0.002, 0.3, 0.8),
    ("678", 0.003, 0.2, 0.5),
    ("695", 0.001, 0.95, 0.0),
]
# Category multipliers on the other expenses' base weights.
_OTHER_EXPENSE_BOOSTS = {
    "6023": {"residential": 2.5, "home_based": 0.05, "transport": 1.2},  # alimentation
    "6281": {"residential": 2.0, "home_based": 0.2},  # blanchissage
    "6021": {"medical": 3.0},
    "6022": {"medical": 3.0},
    "6066": {"medical": 4.0},
    "6132": {"home_based": 5.0, "residential": 0.3},  # locations immobilières
    "60612": {"home_based": 0.5},
    "6242": {"transport": 4.0, "residential": 0.3},  # transports d'usagers
    "6251": {"home_based": 3.0},  # déplacements des intervenants
}
_TARIFF_ACCOUNTS = ("7311", "7312", "7313", "7318")
_OTHER_INCOME_ACCOUNTS = [
    ("758", 0.15, 0.0, 0.0),  # anchor: produits divers de gestion courante
    ("7471", 0.10, 0.6, 0.0),
    ("7478", 0.15, 0.5, 0.0),
    ("752", 0.03, 0.7, 0.0),
    ("761", 0.02, 0.3, 0.0),
    ("768", 0.01, 0.5, 0.0),
    ("771", 0.05, 0.3, 0.3),
    ("775", 0.02, 0.3, 0.8),
    ("777", 0.08, 0.2, 0.0),
    ("778", 0.05, 0.2, 0.4),
    ("781", 0.15, 0.1, 0.0),
    ("787", 0.05, 0.6, 0.3),
    ("789", 0.12, 0.6, 0.3),
]

# Balance sheet.
_FIXED_ASSETS = [
    # account, base weight, never-used probability, depreciation account, depreciation kind
    ("203", 0.005, 0.3, "2805", "equipment"),
    ("205", 0.010, 0.1, "2805", "equipment"),
    ("211", 0.050, 0.2, None, None),
    ("212", 0.030, 0.4, "2812", "building"),
    ("213", 0.330, 0.0, "2813", "building"),
    ("2131", 0.100, 0.3, "2813", "building"),
    ("214", 0.080, 0.5, "2814", "building"),
    ("215", 0.070, 0.2, "2815", "equipment"),
    ("218", 0.040, 0.1, "2818", "equipment"),
    ("2181", 0.060, 0.0, "2818", "equipment"),
    ("2183", 0.040, 0.0, "2818", "equipment"),
    ("2184", 0.050, 0.0, "2818", "equipment"),
    ("223", 0.030, 0.8, "2823", "building"),
    ("224", 0.020, 0.8, "2824", "equipment"),
    ("231", 0.020, 0.6, None, None),
    ("2313", 0.030, 0.7, None, None),
    ("2314", 0.010, 0.8, None, None),
    ("238", 0.005, 0.85, None, None),
    ("261", 0.005, 0.9, None, None),
    ("275", 0.005, 0.3, None, None),
]
_BUILDINGS = {"211", "212", "213", "2131", "214"}
_DEPRECIATION_TOTALS = ("2805", "2812", "2813", "2814", "2815", "2818", "2823", "2824")
_EQUITY_SPLIT = [
    ("102", 0.25, 0.0),
    ("1021", 0.15, 0.5),
    ("106", 0.10, 0.5),
    ("10682", 0.25, 0.2),
    ("10685", 0.10, 0.4),
    ("10686", 0.05, 0.5),
    ("10687", 0.05, 0.6),
    ("142", 0.05, 0.7),
    ("145", 0.03, 0.85),
    ("148", 0.03, 0.7),
]
_OTHER_BALANCE_SHEET = (
    "11",
    "110",
    "119",
    "12",
    "120",
    "129",
    "131",
    "139",
    "151",
    "157",
    "16",
    "164",
    "1641",
    "165",
    "1688",
    "31",
    "32",
    "401",
    "409",
    "411",
    "4111",
    "421",
    "428",
    "431",
    "437",
    "438",
    "4386",
    "441",
    "443",
    "445",
    "4456",
    "4457",
    "467",
    "468",
    "486",
    "487",
    "491",
    "512",
    "5121",
    "53",
    "58",
)

ACCOUNTS: tuple[str, ...] = tuple(
    sorted(
        {a for a, *_ in _STAFF_ACCOUNTS + _DEPRECIATION_ACCOUNTS + _OTHER_EXPENSE_ACCOUNTS + _OTHER_INCOME_ACCOUNTS}
        | {"655", "6611", *_TARIFF_ACCOUNTS}
        | {a for a, *_ in _FIXED_ASSETS}
        | set(_DEPRECIATION_TOTALS)
        | {a for a, *_ in _EQUITY_SPLIT}
        | set(_OTHER_BALANCE_SHEET)
    )
)
ELEMENTS: tuple[str, ...] = (
    ACTIVITY_ELEMENTS + PEOPLE_ELEMENTS + STAFF_ELEMENTS + tuple(f"compte:{a}" for a in ACCOUNTS)
)

# FINESS numbers: prefix + 6 digits + key. The 6 digits scramble the sequence number k (finess_offset + i) by
# a bijection of [0, 900,000), so they look irregular but stay unique; they start at 100000 because the
# demo's own establishments use low numbers.
_FINESS_NUMBER_START = 100_000
_FINESS_SEQUENCE_SIZE = 900_000
_FINESS_SCRAMBLE = 7919  # prime to 900,000, so k ↦ k × 7919 mod 900,000 is a bijection
_OCCUPANCY_ERROR_RATE = 0.001


# --------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------


def generate_population(
    n_establishments: int,
    years: list[int],
    seed: int = 0,
    *,
    departments: list[str] | None = None,
    categories: list[str] | None = None,
    finess_offset: int = 0,
) -> Population:
    """A synthetic population of ``n_establishments`` establishments and their elements for ``years``.

    ``departments`` (INSEE codes such as "44", "2A", "974") and ``categories`` (codes of ``CATEGORIES``)
    restrict the draw; categories keep their national relative frequencies. The i-th establishment gets the
    FINESS sequence number ``finess_offset + i``, so calls whose ranges [offset, offset + n) do not overlap
    never produce the same FINESS number.

    ``establishments`` columns: finess, name, category, sector, audience, department, region (Utf8),
    authorised_places, installed_places, opening_days (Int32). ``elements``: see ``generate_elements``.
    """
    if n_establishments < 0:
        raise ValueError("n_establishments must be zero or positive.")
    if finess_offset < 0 or finess_offset + n_establishments > _FINESS_SEQUENCE_SIZE:
        raise ValueError(f"finess_offset + n_establishments must stay within {_FINESS_SEQUENCE_SIZE}.")
    registry = registry_departments()
    department_codes = list(registry) if departments is None else list(dict.fromkeys(departments))
    unknown = [code for code in department_codes if code not in registry]
    if unknown or not department_codes:
        raise ValueError(f"Unknown or no départements: {unknown}.")
    category_codes = list(CATEGORIES) if categories is None else list(dict.fromkeys(categories))
    unknown = [code for code in category_codes if code not in _PROFILES]
    if unknown or not category_codes:
        raise ValueError(f"Unknown or no categories: {unknown}; expected some of {', '.join(CATEGORIES)}.")

    rng = np.random.default_rng([seed, 0])
    n = n_establishments
    frequencies = np.array([_PROFILES[c].frequency for c in category_codes])
    category_pick = rng.choice(len(category_codes), size=n, p=frequencies / frequencies.sum())
    category_index = np.array([CATEGORIES.index(c) for c in category_codes])[category_pick]
    department_pick = rng.integers(0, len(department_codes), size=n)

    median_places = _profile_array("places")[category_index]
    authorised = np.clip(np.rint(median_places * rng.lognormal(0.0, 0.45, n)), 5, 600).astype(np.int32)
    reduced = np.floor(authorised * rng.uniform(0.75, 1.0, n)).astype(np.int32)
    installed = np.where(rng.random(n) < 0.8, authorised, np.maximum(reduced, 1)).astype(np.int32)
    low = _profile_array("opening_days", 0)[category_index].astype(np.int64)
    high = _profile_array("opening_days", 1)[category_index].astype(np.int64)
    opening_days = rng.integers(low, high + 1).astype(np.int32)

    sequence = finess_offset + np.arange(n, dtype=np.int64)
    sequence = _FINESS_NUMBER_START + sequence * _FINESS_SCRAMBLE % _FINESS_SEQUENCE_SIZE
    prefixes = [registry[code].finess_prefix for code in department_codes]
    prefix_digits = np.array([[int(c) if c.isdigit() else 0 for c in p] for p in prefixes], dtype=np.int64)
    digits = np.empty((n, 8), dtype=np.int64)
    digits[:, :2] = prefix_digits[department_pick]
    for position in range(6):  # six digits of the sequence number, most significant first
        digits[:, 2 + position] = sequence // 10 ** (5 - position) % 10
    keys = _luhn_keys(digits)

    frame = pl.DataFrame(
        {
            "prefix": pl.Series(prefixes, dtype=pl.Utf8).gather(department_pick),
            "sequence": pl.Series(sequence, dtype=pl.Int64),
            "key": pl.Series(keys, dtype=pl.Int64),
            "category": pl.Series(CATEGORIES, dtype=pl.Utf8).gather(category_index),
            "department": pl.Series(department_codes, dtype=pl.Utf8).gather(department_pick),
            "authorised_places": authorised,
            "installed_places": installed,
            "opening_days": opening_days,
        }
    )
    region_of = {code: registry[code].region for code in department_codes}
    establishments = frame.select(
        finess=pl.concat_str(
            pl.col("prefix"), pl.col("sequence").cast(pl.Utf8).str.zfill(6), pl.col("key").cast(pl.Utf8)
        ),
        name=pl.concat_str(pl.col("category"), pl.lit(" "), pl.col("sequence").cast(pl.Utf8)),
        category=pl.col("category"),
        sector=pl.when(pl.col("category").is_in(list(_PA))).then(pl.lit("PA")).otherwise(pl.lit("PH")),
        audience=pl.when(pl.col("category").is_in(list(_CHILDREN)))
        .then(pl.lit("children"))
        .otherwise(pl.lit("adults")),
        department=pl.col("department"),
        region=pl.col("department").replace_strict(region_of, return_dtype=pl.Utf8),
        authorised_places=pl.col("authorised_places").cast(pl.Int32),
        installed_places=pl.col("installed_places").cast(pl.Int32),
        opening_days=pl.col("opening_days").cast(pl.Int32),
    )
    return Population(establishments=establishments, elements=generate_elements(establishments, years, seed))


def generate_elements(establishments: pl.DataFrame, years: list[int], seed: int = 0) -> pl.DataFrame:
    """Elements for given establishments (same columns as Population.establishments); used by the demo for its own named establishments.

    Only finess, category, authorised_places, installed_places and opening_days are read. Years are
    deduplicated and sorted. Returns a frame sorted by establishment (in the input order), year, element:

    - finess: Categorical (polars' global categories: it joins directly with other Categorical columns; cast
      a Utf8 key to pl.Categorical, or this column to pl.Utf8, before joining with a Utf8 column);
    - year: Int16;
    - element: Categorical, the codes of ``ELEMENTS`` (activity, staff, then "compte:<number>" balances,
      debit − credit);
    - value: Float64 (counts are whole numbers, ETP rounded to 0.01, amounts to the cent).

    Every establishment-year has every element, so the frame has len(establishments) × len(years) ×
    len(ELEMENTS) rows.
    """
    years = sorted({int(y) for y in years})
    n, n_years = establishments.height, len(years)
    unknown = set(establishments["category"].unique().to_list()) - set(CATEGORIES)
    if unknown:
        raise ValueError(
            f"No synthetic profile for categories {sorted(unknown)}; expected some of {', '.join(CATEGORIES)}."
        )
    rng = np.random.default_rng([seed, 1])
    category_index = (
        establishments["category"]
        .cast(pl.Utf8)
        .replace_strict({c: i for i, c in enumerate(CATEGORIES)}, return_dtype=pl.Int64)
        .to_numpy()
    )
    authorised = establishments["authorised_places"].to_numpy().astype(float)
    installed = establishments["installed_places"].to_numpy().astype(float)
    opening_days = establishments["opening_days"].to_numpy().astype(float)
    model = _Model(rng, category_index, authorised, installed, opening_days, np.asarray(years, dtype=float))

    values = np.empty((len(ELEMENTS), n * n_years), dtype=np.float64)
    for row, element in enumerate(ELEMENTS):
        values[row] = model.columns.pop(element).ravel()
    assert not model.columns, f"unexpected elements {sorted(model.columns)}"
    flat = values.T.ravel()  # row-major (establishment, year, element)
    del values

    n_elements = len(ELEMENTS)
    finess = establishments["finess"].cast(pl.Utf8).cast(pl.Categorical)
    element_names = pl.Series(ELEMENTS).cast(pl.Categorical)
    return pl.DataFrame(
        {
            "finess": finess.gather(np.repeat(np.arange(n, dtype=np.uint32), n_years * n_elements)),
            "year": np.tile(np.repeat(np.asarray(years, dtype=np.int16), n_elements), n),
            "element": element_names.gather(np.tile(np.arange(n_elements, dtype=np.uint32), n * n_years)),
            "value": flat,
        },
        schema={"finess": pl.Categorical, "year": pl.Int16, "element": pl.Categorical, "value": pl.Float64},
    )


# --------------------------------------------------------------------------------------------------
# Internals
# --------------------------------------------------------------------------------------------------


def _luhn_keys(digits: np.ndarray) -> np.ndarray:
    """Luhn check digits of rows of 8 digits (letters already counted as 0).

    The key only depends on the Luhn sum modulo 10; the table from sum to key comes from the registry's own
    ``luhn_check_digit`` on representative numbers, then applies to all rows at once.
    """
    doubled = digits[:, 1::2] * 2  # the check digit is appended, so positions 2, 4, 6, 8 get doubled
    total = digits[:, 0::2].sum(axis=1) + np.where(doubled > 9, doubled - 9, doubled).sum(axis=1)
    table = np.empty(10, dtype=np.int64)
    for last in range(10):
        weighted = last * 2 - 9 if last > 4 else last * 2
        table[weighted % 10] = int(luhn_check_digit(f"0000000{last}"))
    return table[total % 10]


class _Model:
    """Draws every element as an (establishments × years) array, in ``columns`` keyed by element code."""

    def __init__(self, rng, category, authorised, installed, opening_days, years):
        self.rng = rng
        self.category = category
        self.n = len(category)
        self.n_years = len(years)
        middle = years[(len(years) - 1) // 2] if len(years) else 0.0
        self.elapsed = (years - middle)[None, :]  # years from the middle year, (1, Y)
        self.steps = np.diff(years, prepend=years[:1] if len(years) else years)[None, :]
        self.authorised = authorised[:, None]
        self.installed = installed[:, None]
        self.opening_days = opening_days[:, None]
        self.flags = {
            name: np.array([getattr(p, name) for p in _PROFILES.values()])[category]
            for name in ("residential", "home_based", "transport", "medical")
        }
        self.columns: dict[str, np.ndarray] = {}
        self._activity()
        self._people()
        self._staff()
        self._accounts()

    # helpers -------------------------------------------------------------------------------------

    def _shape(self) -> tuple[int, int]:
        return self.n, self.n_years

    def _uniform(self, bounds_attribute: str) -> np.ndarray:
        low = _profile_array(bounds_attribute, 0)[self.category]
        high = _profile_array(bounds_attribute, 1)[self.category]
        return self.rng.uniform(low, high)[:, None]

    def _est(self, low: float, high: float, never: float = 0.0) -> np.ndarray:
        """Establishment-level uniform factor, zero for a share ``never`` of establishments, (n, 1)."""
        value = self.rng.uniform(low, high, self.n)
        if never:
            value = value * (self.rng.random(self.n) >= never)
        return value[:, None]

    def _noise(self, sigma: float) -> np.ndarray:
        """Yearly multiplicative noise, (n, Y)."""
        return self.rng.lognormal(0.0, sigma, self._shape())

    def _set(self, name: str, value: np.ndarray, decimals: int = 0) -> None:
        # + 0.0 turns the -0.0 of zero credit balances into 0.0
        self.columns[name] = np.round(np.broadcast_to(value, self._shape()).astype(np.float64), decimals) + 0.0

    def _allocate(self, total, accounts, base=None, est_sigma=0.3, year_sigma=0.08) -> None:
        """Spreads ``total`` (n, Y) over ``accounts`` [(code, weight, never, some_years_zero)] with noisy weights."""
        codes = [a[0] for a in accounts]
        weights = np.broadcast_to(np.array([a[1] for a in accounts]) if base is None else base, (self.n, len(codes)))
        never = np.array([a[2] for a in accounts])
        yearly_zero = np.array([a[3] for a in accounts])
        weights = weights * self.rng.lognormal(0.0, est_sigma, weights.shape)
        weights = weights * (self.rng.random(weights.shape) >= never)
        weights = weights[:, None, :] * self.rng.lognormal(0.0, year_sigma, (self.n, self.n_years, len(codes)))
        if yearly_zero.any():
            weights *= self.rng.random(weights.shape) >= yearly_zero
        weights[:, :, 0] = np.maximum(weights[:, :, 0], 1e-9)  # the anchor account is always used
        shares = weights / weights.sum(axis=2, keepdims=True)
        for position, code in enumerate(codes):
            self._set(f"compte:{code}", total * shares[:, :, position], 2)

    def _total(self, codes) -> np.ndarray:
        return sum(self.columns[f"compte:{code}"] for code in codes)

    # activity --------------------------------------------------------------------------------------

    def _activity(self) -> None:
        rng, shape = self.rng, self._shape()
        self._set("jours_ouverture", self.opening_days)
        self._set("places_installees", self.installed)
        self._set("places_autorisees", self.authorised)
        draw = rng.random(self.n)[:, None]
        partly = np.maximum(np.floor(self.installed * rng.uniform(0.85, 1.0, self.n)[:, None]), 1)
        financed = np.where(draw < 0.85, self.installed, np.where(draw < 0.95, self.authorised, partly))
        self._set("places_financees", financed)

        # Occupancy: mostly 85-100 %, a tail down to 60 %.
        usual = 0.85 + 0.15 * rng.beta(3.0, 2.0, self.n)
        low = rng.uniform(0.60, 0.88, self.n)
        occupancy = np.where(rng.random(self.n) < 0.85, usual, low)[:, None] + rng.normal(0.0, 0.015, shape)
        occupancy = np.clip(occupancy, 0.5, 1.05)
        possible = self.opening_days * self.installed
        days = np.rint(occupancy * possible)
        error = rng.random(shape) < _OCCUPANCY_ERROR_RATE  # data-entry errors: an extra digit or a double count
        wrong = np.where(rng.random(shape) < 0.5, occupancy * 10, rng.uniform(1.55, 3.0, shape))
        self._set("journees_realisees", np.where(error, np.rint(wrong * possible), days))
        self._set("journees_prevues", days / np.clip(rng.normal(0.97, 0.04, shape), 0.8, 1.15))

        self._set(
            "personnes_accompagnees",
            np.maximum(self.installed * self._uniform("people_per_place") * rng.normal(1.0, 0.03, shape), 1),
        )
        hospital = _profile_array("hospital_rate")[self.category][:, None]
        hospital = hospital * rng.lognormal(0.0, 0.5, self.n)[:, None]
        self._set("journees_hospitalisation", days * hospital * self._noise(0.2))
        turnover = _profile_array("turnover")[self.category][:, None] * rng.lognormal(0.0, 0.25, self.n)[:, None]
        self._set("sorties_definitives", np.maximum(rng.poisson(self.installed * turnover * self._noise(0.15)), 1))
        stay = _profile_array("stay_days")[self.category][:, None] * rng.lognormal(0.0, 0.25, self.n)[:, None]
        self._set("duree_sejour_sortants", stay * self._noise(0.15))

    def _people(self) -> None:
        """Each count is a binomial draw among the people accompanied, at an establishment-level rate."""
        people = self.columns["personnes_accompagnees"].astype(np.int64)

        def among(total, low, high):
            rate = self.rng.uniform(low, high, self.n)[:, None]
            return self.rng.binomial(np.maximum(total, 0), np.broadcast_to(rate, total.shape))

        self._set("personnes_hors_autorisation", among(people, 0.0, 0.08))
        self._set("personnes_20_ans_et_plus", among(people, 0.0, 0.10))
        self._set("personnes_projet_personnalise", among(people, 0.70, 1.0))
        self._set("personnes_trajet_plus_1h", among(people, 0.0, 0.20))
        self._set("sorties_milieu_ordinaire", among(people, 0.0, 0.04))
        self._set("travailleurs_temps_partiel", among(people, 0.05, 0.35))
        self._set("personnes_plus_45_ans", among(people, 0.15, 0.45))
        self._set("enfants_scolarises_milieu_ordinaire", among(people, 0.05, 0.40))
        adults = among(people, 0.10, 0.30)
        self._set("personnes_18_ans_et_plus", adults)
        self._set("projets_revises_avant_18_ans", among(adults, 0.50, 1.0))
        self._set("evenements_indesirables", self.rng.poisson(np.maximum(people, 1) * self._est(0.05, 0.4)))

    # staff -----------------------------------------------------------------------------------------

    def _staff(self) -> None:
        rng, shape = self.rng, self._shape()
        etp = self.installed * self._uniform("etp_per_place") * rng.normal(1.0, 0.02, shape)
        etp = np.round(np.maximum(etp, 0.5), 2)
        self._set("etp_payes", etp, 2)
        direction = np.round(etp * self._est(0.05, 0.08) * rng.normal(1.0, 0.03, shape), 2)
        administration = np.round(etp * self._est(0.08, 0.12) * rng.normal(1.0, 0.03, shape), 2)
        general = np.round(etp * self._est(0.10, 0.20) * rng.normal(1.0, 0.03, shape), 2)
        support = np.round(etp - direction - administration - general, 2)
        self._set("etp_direction_encadrement", direction, 2)
        self._set("etp_administration_gestion", administration, 2)
        self._set("etp_services_generaux", general, 2)
        self._set("etp_accompagnement", support, 2)
        qualified = support * self._est(0.55, 0.9) * rng.normal(1.0, 0.02, shape)
        self._set("etp_qualifies", np.minimum(qualified, support), 2)

        gap = np.abs(rng.normal(0.03, 0.02, self.n)[:, None] + rng.normal(0.0, 0.015, shape))
        budgeted = np.round(etp * (1 + gap), 2)
        self._set("etp_budgetes", budgeted, 2)
        self._set("etp_vacants", np.maximum(budgeted - etp, 0), 2)
        self._set("etp_finances", budgeted * rng.uniform(0.97, 1.02, self.n)[:, None], 2)

        absence = rng.normal(0.08, 0.025, self.n)[:, None] + rng.normal(0.0, 0.015, shape)
        self._set("jours_absence", np.maximum(etp * 365 * absence, 0))
        start = np.maximum(np.rint(etp * 1.15 * rng.normal(1.0, 0.05, shape)), 1).astype(np.int64)
        arrivals = rng.binomial(start, np.clip(self._est(0.05, 0.15) * self._noise(0.2), 0, 1))
        departures = rng.binomial(start, np.clip(self._est(0.05, 0.15) * self._noise(0.2), 0, 1))
        headcount = start + arrivals - departures
        self._set("effectif_debut_annee", start)
        self._set("entrees_permanents", arrivals)
        self._set("sorties_permanents", departures)
        self._set("effectif_total", headcount)
        self._set("jours_formation", headcount * self._est(1.5, 4.0) * self._noise(0.2))
        managers = np.maximum(np.rint(etp * self._est(0.05, 0.10)), 1).astype(np.int64)
        self._set("cadres_total", managers)
        self._set("cadres_diplome_niveau_1", rng.binomial(managers, np.broadcast_to(self._est(0.3, 0.8), shape)))

    # accounts --------------------------------------------------------------------------------------

    def _accounts(self) -> None:
        rng, shape = self.rng, self._shape()
        flags = self.flags

        # Class 6 total: cost per authorised place, growing 1-3 % a year, level at the middle year.
        low = _profile_array("cost_per_place", 0)[self.category]
        high = _profile_array("cost_per_place", 1)[self.category]
        sigma = np.log(high / low) / 2 / 1.2816  # ~80 % of establishments inside the category's range
        cost_per_place = np.sqrt(low * high) * np.exp(rng.normal(0.0, 1.0, self.n) * sigma)
        growth_rate = rng.uniform(0.01, 0.03, self.n)[:, None] + rng.normal(0.0, 0.004, shape)
        log_growth = np.cumsum(np.log1p(growth_rate) * self.steps, axis=1)
        if self.n_years:
            log_growth -= log_growth[:, [(self.n_years - 1) // 2]]
        level = self.authorised * cost_per_place[:, None]  # at the middle year
        expenses = level * np.exp(log_growth) * self._noise(0.015)

        staff_share = self._uniform("staff_share") + rng.normal(0.0, 0.008, shape)
        depreciation_share = np.clip(self._est(0.03, 0.06) + rng.normal(0.0, 0.002, shape), 0.01, None)
        head_office_share = self._est(0.01, 0.04, never=0.6) * rng.normal(1.0, 0.03, shape)

        # Fixed assets follow from the depreciation: gross value = annual depreciation × useful life.
        life = self._est(18.0, 32.0)
        gross_total = (
            depreciation_share.mean(axis=1, keepdims=True)
            * 0.85
            * level
            * life
            * np.exp(0.02 * self.elapsed)
            * self._noise(0.01)
        )
        base = np.array([a[1] for a in _FIXED_ASSETS])
        buildings = np.isin([a[0] for a in _FIXED_ASSETS], list(_BUILDINGS))
        base = np.where(buildings[None, :] & flags["home_based"][:, None], base * 0.15, base)  # rented premises
        weights = base * rng.lognormal(0.0, 0.3, base.shape) * (rng.random(base.shape) >= [a[2] for a in _FIXED_ASSETS])
        weights /= weights.sum(axis=1, keepdims=True)
        worn = {
            "building": np.clip(0.1 + 0.8 * rng.beta(4, 4, self.n)[:, None] + self.elapsed * 0.8 / life, 0.02, 0.97),
            "equipment": np.clip(0.15 + 0.8 * rng.beta(5, 3, self.n)[:, None] + self.elapsed * 1.5 / life, 0.02, 0.98),
        }
        depreciation = {code: np.zeros(shape) for code in _DEPRECIATION_TOTALS}
        for position, (code, _, _, depreciation_code, kind) in enumerate(_FIXED_ASSETS):
            gross = np.round(gross_total * weights[:, [position]], 2)
            self._set(f"compte:{code}", gross, 2)
            if depreciation_code:
                depreciation[depreciation_code] += gross * worn[kind]
        for code, value in depreciation.items():
            self._set(f"compte:{code}", -value, 2)
        net_fixed_assets = self._total([a[0] for a in _FIXED_ASSETS] + list(_DEPRECIATION_TOTALS))

        subsidy_share = 0.35 * rng.beta(1.2, 3.0, self.n)[:, None] * (rng.random(self.n) >= 0.2)[:, None]
        subsidies = np.round(subsidy_share * gross_total, 2)
        set_ = self._set
        set_("compte:131", -subsidies, 2)
        set_("compte:139", subsidies * np.clip(worn["building"] * self._est(0.8, 1.1), 0, 1), 2)

        # Income = expenses × (1 + N(0.5 %, 2 %)); staff costs = expenses × staff share.
        income = expenses * (1 + rng.normal(0.005, 0.014, self.n)[:, None] + rng.normal(0.0, 0.014, shape))
        staff_costs = expenses * staff_share

        # Working capital and provisions.
        set_(
            "compte:31",
            expenses * np.where(flags["residential"], 1.0, 0.2)[:, None] * self._est(0.001, 0.006) * self._noise(0.15),
            2,
        )
        set_("compte:32", expenses * self._est(0, 0.003, never=0.4) * self._noise(0.15), 2)
        set_("compte:409", expenses * self._est(0, 0.003, never=0.6) * self._noise(0.3), 2)
        set_("compte:411", income * self._est(0.01, 0.07) * self._noise(0.2), 2)
        set_("compte:4111", income * self._est(0, 0.03, never=0.5) * self._noise(0.2), 2)
        receivables = self.columns["compte:411"] + self.columns["compte:4111"]
        set_("compte:491", -receivables * self._est(0, 0.08, never=0.5), 2)
        set_("compte:441", expenses * self._est(0, 0.02, never=0.5) * self._noise(0.3), 2)
        set_("compte:443", expenses * rng.normal(0, 0.003, shape) * (rng.random(self.n) >= 0.8)[:, None], 2)
        set_("compte:445", expenses * rng.normal(0, 0.001, shape) * (rng.random(self.n) >= 0.8)[:, None], 2)
        set_("compte:4456", expenses * self._est(0, 0.004, never=0.7) * self._noise(0.2), 2)
        set_("compte:4457", -expenses * self._est(0, 0.003, never=0.75) * self._noise(0.2), 2)
        set_("compte:467", expenses * rng.normal(0, 0.008, shape), 2)
        set_("compte:468", expenses * rng.normal(-0.002, 0.006, shape), 2)
        set_("compte:486", expenses * self._est(0, 0.008) * self._noise(0.3), 2)
        set_("compte:487", -expenses * self._est(0, 0.01, never=0.6) * self._noise(0.3), 2)
        set_("compte:401", -expenses * self._est(0.02, 0.06) * self._noise(0.15), 2)
        for code, low, high, never in (
            ("421", 0, 0.015, 0.0),
            ("428", 0.05, 0.10, 0.0),
            ("431", 0.03, 0.06, 0.0),
            ("437", 0.005, 0.02, 0.0),
            ("438", 0.01, 0.04, 0.0),
            ("4386", 0, 0.02, 0.4),
        ):
            set_(f"compte:{code}", -staff_costs * self._est(low, high, never) * self._noise(0.1), 2)
        set_("compte:151", -expenses * self._est(0, 0.02, never=0.3) * self._noise(0.2), 2)
        set_("compte:157", -expenses * self._est(0, 0.03, never=0.5) * self._noise(0.1), 2)
        deposits = np.where(flags["residential"], 1.0, 0.1)[:, None] * self._est(500, 2000, never=0.3)
        set_("compte:165", -self.installed * deposits * self._noise(0.05), 2)

        # Cash, in days of expenses; a few establishments run an overdraft.
        overdraft = rng.random(self.n) < 0.04
        cash_days = np.where(overdraft, -rng.uniform(5, 30, self.n), rng.lognormal(np.log(45), 0.6, self.n))
        cash = np.round(expenses * cash_days[:, None] / 365 * self._noise(0.2), 2)
        positive = np.maximum(cash, 0)
        till = np.round(np.minimum(expenses * self._est(0, 0.0005), positive), 2)
        transfers = np.round(np.minimum(expenses * self._est(0, 0.002, never=0.9), positive - till), 2)
        secondary = np.round((positive - till - transfers) * self._est(0.1, 0.5), 2)
        set_("compte:53", till, 2)
        set_("compte:58", transfers, 2)
        set_("compte:5121", secondary, 2)
        set_("compte:512", cash - till - transfers - secondary, 2)

        # Borrowings: a share of the net fixed assets (none for ~15 %, repaid over the years), capped so that
        # equity keeps at least 5 to 20 % of a year's expenses when the rest of the balance sheet allows it.
        before_debt = [a for a in ACCOUNTS if a[0] in "2345" or a.startswith(("13", "15", "165"))]
        equity_before_debt = self._total(before_debt)
        debt_share = rng.beta(1.2, 1.8, self.n)[:, None] * (rng.random(self.n) >= 0.15)[:, None]
        debt_share = np.clip(debt_share * (1 - 0.06 * self.elapsed), 0, None)
        accrued_rate = self._est(0.002, 0.01, never=0.5)
        room = (equity_before_debt - expenses * self._est(0.05, 0.20)) / (1 + accrued_rate)
        borrowings = np.clip(np.minimum(debt_share * np.maximum(net_fixed_assets, 0), room), 0, None)
        loan_split = np.stack(
            [self._est(0, 0.1, never=0.7)[:, 0], self._est(0.2, 0.6, never=0.3)[:, 0], self._est(0.4, 0.8)[:, 0]],
            axis=1,
        )
        loan_split /= loan_split.sum(axis=1, keepdims=True)
        for position, code in enumerate(("16", "164", "1641")):
            set_(f"compte:{code}", -borrowings * loan_split[:, [position]], 2)
        set_("compte:1688", -borrowings * accrued_rate, 2)

        # Class 6.
        interest = np.minimum(borrowings * self._est(0.012, 0.035), 0.05 * expenses)
        set_("compte:6611", interest, 2)
        set_("compte:655", expenses * head_office_share, 2)
        self._allocate(staff_costs, _STAFF_ACCOUNTS, year_sigma=0.03)
        self._allocate(expenses * depreciation_share, _DEPRECIATION_ACCOUNTS, year_sigma=0.05)
        other_base = np.tile(np.array([a[1] for a in _OTHER_EXPENSE_ACCOUNTS]), (self.n, 1))
        for position, (code, *_rest) in enumerate(_OTHER_EXPENSE_ACCOUNTS):
            for flag, factor in _OTHER_EXPENSE_BOOSTS.get(code, {}).items():
                other_base[:, position] *= np.where(flags[flag], factor, 1.0)
        other = expenses * (1 - staff_share - depreciation_share - head_office_share) - interest
        self._allocate(other, _OTHER_EXPENSE_ACCOUNTS, base=other_base)

        # Class 7, mostly tariff.
        tariff_share = np.clip(self._est(0.86, 0.95) + rng.normal(0.0, 0.005, shape), 0.5, 0.99)
        tariff_base = np.array([p.tariff for p in _PROFILES.values()])[self.category]
        tariff_accounts = [("7318", 0, 0.0, 0.0)] + [(code, 0, 0.0, 0.0) for code in _TARIFF_ACCOUNTS[:3]]
        tariff_base = tariff_base[:, [3, 0, 1, 2]]  # anchor (7318) first
        self._allocate(-income * tariff_share, tariff_accounts, base=tariff_base, est_sigma=0.2, year_sigma=0.03)
        self._allocate(-income * (1 - tariff_share), _OTHER_INCOME_ACCOUNTS)
        result = -self._total(a for a in ACCOUNTS if a[0] in "67")  # income − expenses

        # Equity closes the balance sheet: Σ classes 1-5 = 0, with the year's result in 120 / 129 and a
        # carry-forward (either sign) in 110 / 119; reserves and funds share the rest.
        non_equity = [
            a
            for a in ACCOUNTS
            if a[0] in "12345"
            and a not in {e[0] for e in _EQUITY_SPLIT}
            and a not in {"11", "110", "119", "12", "120", "129"}
        ]
        equity = self._total(non_equity)  # = assets − liabilities, the equity amount (credit)
        result = np.round(result, 2)
        carried = np.round(
            np.maximum(equity, 0)
            * np.clip(rng.normal(0.05, 0.2, self.n)[:, None] + rng.normal(0, 0.03, shape), -0.5, 0.5),
            2,
        )
        set_("compte:11", 0.0)
        set_("compte:12", 0.0)
        set_("compte:110", -np.maximum(carried, 0), 2)
        set_("compte:119", np.maximum(-carried, 0), 2)
        set_("compte:120", -np.maximum(result, 0), 2)
        set_("compte:129", np.maximum(-result, 0), 2)
        rest = equity - result - carried
        split = np.array([e[1] for e in _EQUITY_SPLIT]) * rng.lognormal(0, 0.3, (self.n, len(_EQUITY_SPLIT)))
        split *= rng.random(split.shape) >= np.array([e[2] for e in _EQUITY_SPLIT])
        split[:, 0] = np.maximum(split[:, 0], 1e-9)
        split /= split.sum(axis=1, keepdims=True)
        for position, (code, *_rest) in enumerate(_EQUITY_SPLIT[1:], start=1):
            set_(f"compte:{code}", -rest * split[:, [position]], 2)
        others = self._total([e[0] for e in _EQUITY_SPLIT[1:]] + ["110", "119", "120", "129"])
        set_("compte:102", -equity - others, 2)  # takes the rounding remainder too
