"""Every computed indicator of the shipped catalogues, against values worked out by hand.

The fixture is one IME ("A") with round figures, its 2024 and 2021 figures for the
indicators that look back, an ESAT ("B") for ESAT-only indicators, and establishments
whose data make values non calculable. Each expected value shows its arithmetic.
"""

import polars as pl
import pytest

from cpom.indicators.catalogues import NATIONAL_FILES, read_element_codes, read_specs
from cpom.indicators.engine import compile_catalogue, compute, consolidate

pytestmark = pytest.mark.pure

SPECS = read_specs(*NATIONAL_FILES)
CATALOGUE = compile_catalogue(SPECS, read_element_codes())

A_2025 = {
    "journees_realisees": 9000,
    "jours_ouverture": 200,
    "places_installees": 50,
    "places_autorisees": 60,
    "places_financees": 50,
    "personnes_accompagnees": 80,
    "personnes_hors_autorisation": 4,
    "personnes_20_ans_et_plus": 2,
    "personnes_trajet_plus_1h": 8,
    "enfants_scolarises_milieu_ordinaire": 20,
    "personnes_18_ans_et_plus": 10,
    "projets_revises_avant_18_ans": 7,
    "personnes_projet_personnalise": 60,
    "evenements_indesirables": 12,
    "journees_prevues": 10000,
    "journees_hospitalisation": 90,
    "sorties_definitives": 10,
    "duree_sejour_sortants": 12000,
    "etp_payes": 40,
    "etp_budgetes": 44,
    "etp_vacants": 4,
    "jours_absence": 1460,
    "effectif_debut_annee": 50,
    "entrees_permanents": 3,
    "sorties_permanents": 2,
    "effectif_total": 48,
    "jours_formation": 96,
    "cadres_total": 5,
    "cadres_diplome_niveau_1": 4,
    "etp_qualifies": 27,
    "etp_finances": 30,
    "etp_direction_encadrement": 3,
    "etp_administration_gestion": 4.5,
    "etp_services_generaux": 6,
    "etp_accompagnement": 27,
    "cout_moyen_national": 50000,
    # Balances, debit − credit: expenses (class 6 = 1 760 000, of which 68 = 90 000, 675 = 10 000, 655 = 60 000)
    "compte:6011": 100000,
    "compte:6411": 1500000,
    "compte:655": 60000,
    "compte:6811": 90000,
    "compte:675": 10000,
    # income (class 7 = 1 840 000, of which 775 = 5 000, 777 = 15 000, 78 = 20 000)
    "compte:7311": -1800000,
    "compte:775": -5000,
    "compte:777": -15000,
    "compte:781": -20000,
    # fixed assets: buildings 2 000 000 + works 500 000, depreciation 1 000 000
    "compte:213": 2000000,
    "compte:2313": 500000,
    "compte:2813": -1000000,
    # equity and debts (class 1 credit = 2 090 000)
    "compte:102": -800000,
    "compte:106": -400000,
    "compte:110": -50000,
    "compte:120": -80000,
    "compte:131": -100000,
    "compte:142": -20000,
    "compte:151": -30000,
    "compte:164": -600000,
    "compte:1688": -10000,
    # current assets and liabilities: debit balances 411 + 467 = 310 000; credit balances 401 + 421 + 4386 = 270 000
    "compte:411": 300000,
    "compte:467": 10000,
    "compte:401": -150000,
    "compte:421": -100000,
    "compte:4386": -20000,
    "compte:491": -30000,
    "compte:512": 250000,
    "compte:53": 5000,
}
A_2024 = {"journees_realisees": 8000}
A_2021 = {"compte:6011": 1600000, "places_autorisees": 60}
B_2025 = {
    "personnes_accompagnees": 100,
    "sorties_milieu_ordinaire": 3,
    "travailleurs_temps_partiel": 25,
    "personnes_plus_45_ans": 40,
}
# C: a MAS with holes. D: an IME whose working-capital need is negative. A2: a second IME for consolidation.
C_2025 = {"journees_realisees": 10000, "jours_ouverture": 365, "places_financees": 0}
D_2025 = {"compte:411": 100, "compte:401": -500, "compte:512": 1000}
A2_2025 = {"journees_realisees": 4000, "jours_ouverture": 200, "places_installees": 25}

ESTABLISHMENTS = pl.DataFrame(
    {
        "establishment": ["A", "B", "C", "D", "A2"],
        "category": ["IME", "ESAT", "MAS", "IME", "IME"],
    }
)


def _long(data):
    rows = [(e, y, k, float(v)) for (e, y), values in data.items() for k, v in values.items()]
    return pl.DataFrame(rows, schema=["establishment", "year", "element", "value"], orient="row")


ELEMENTS = _long(
    {
        ("A", 2025): A_2025,
        ("A", 2024): A_2024,
        ("A", 2021): A_2021,
        ("B", 2025): B_2025,
        ("C", 2025): C_2025,
        ("D", 2025): D_2025,
        ("A2", 2025): A2_2025,
    }
)
VALUES = compute(ESTABLISHMENTS, ELEMENTS, CATALOGUE).with_columns(
    pl.col("establishment").cast(pl.Utf8), pl.col("code").cast(pl.Utf8), pl.col("reason").cast(pl.Utf8)
)


def value(establishment, code, year=2025):
    rows = VALUES.filter(
        (pl.col("establishment") == establishment) & (pl.col("code") == code) & (pl.col("year") == year)
    )
    assert rows.height == 1, f"{code} for {establishment} {year}: {rows.height} rows"
    return rows.row(0, named=True)


HAND_WORKED_A = {
    "i-1": 4 / 80 * 100,  # 5 %
    "i-2": 2 / 80 * 100,  # 2,5 %
    "i-9": 8 / 80 * 100,  # 10 %
    "i-12": 20 / 80 * 100,  # 25 %
    "i-14": 7 / 10 * 100,  # 70 %
    "i-22": 12,
    "i-23": 60 / 80 * 100,  # 75 %
    "i-25": 9000 / (200 * 50) * 100,  # 90 %
    "i-26": 200,
    "i-27": 3 / 60,  # 0,05 ETP par place
    "i-29": (3 + 2) / (2 * 50) * 100,  # 5 %
    "i-30": 1460 / (40 * 365) * 100,  # 10 %
    "i-31": 60000 / (1760000 - 60000) * 100,  # 3,53 %
    "i-33": 4.5 / 60,
    "i-34": 6 / 60,
    "i-36": 27 / 60,
    "i-37": 96 / 48,  # 2 jours par salarié
    "i-38": 4 / 5 * 100,
    "i-39": 27 / 30 * 100,
    "i-41": 1840000 - 1760000,  # 80 000 € d'excédent
    # CAF = 80 000 + 90 000 (68) − 20 000 (78) − 5 000 (775) + 10 000 (675) − 15 000 (777) = 140 000
    "i-43": 140000 / 1840000 * 100,
    "i-42": (1600000 / 60) / (1760000 / 60) * 100,  # coût à la place 2021 / 2025
    "i-44": 1000000 / (2000000 + 500000),  # 0,4
    # 16 sauf 1688 = 600 000 ; 10, 13, 14, 15, 16 sauf 1688 = 1 950 000 ; 11 et 12 = 130 000
    "i-45": 600000 / (1950000 + 130000) * 100,
    # trésorerie 255 000 ; BFR = 310 000 − 270 000 (491 exclu) = 40 000
    "i-46": 255000 / 40000 * 100,
    "i-47": (1760000 / 60) / 50000 * 100,
    "tdb-realisation-activite": 9000 / 10000 * 100,
    "tdb-occupation": 9000 / (50 * 200) * 100,
    "tdb-evolution-activite": (9000 - 8000) / 8000 * 100,
    "tdb-dms": 12000 / 10,
    "tdb-hospitalisation": 90 / 9000 * 100,
    "tdb-rotation-places": 80 / 50 * 100,
    "tdb-absenteisme": 1460 / (40 * 365) * 100,
    "tdb-rotation-personnel": (3 + 2) / (2 * 48) * 100,
    "tdb-etp-vacants": 4 / 44 * 100,
    "tdb-encadrement": 40 / 50 * 100,
    "tdb-caf": 140000 / 1840000 * 100,
    "tdb-vetuste": 1000000 / 2000000 * 100,
    # 10, 11, 12, 13, 14 = 800 000 + 400 000 + 50 000 + 80 000 + 100 000 + 20 000 = 1 450 000
    "tdb-endettement": 600000 / (600000 + 1450000) * 100,
    # FRNG = 2 090 000 − (2 500 000 − 1 000 000) = 590 000 ; charges courantes = 1 760 000 − 90 000 − 10 000
    "tdb-frng-jours": 590000 / 1660000 * 365,
}
HAND_WORKED_B = {"i-10": 3 / 100 * 100, "i-13": 25 / 100 * 100, "i-15": 40 / 100 * 100}


def test_every_computed_indicator_has_a_hand_worked_value():
    assert {s.code for s in SPECS} == set(HAND_WORKED_A) | set(HAND_WORKED_B)


@pytest.mark.parametrize("code,expected", sorted(HAND_WORKED_A.items()))
def test_ime_value_matches_the_hand_computation(code, expected):
    row = value("A", code)
    assert row["reason"] == ""
    assert row["value"] == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("code,expected", sorted(HAND_WORKED_B.items()))
def test_esat_value_matches_the_hand_computation(code, expected):
    assert value("B", code)["value"] == pytest.approx(expected, rel=1e-9)


def test_indicators_apply_only_to_their_categories():
    esat_codes = set(VALUES.filter(pl.col("establishment") == "B")["code"])
    assert "i-10" in esat_codes and "i-2" not in esat_codes and "i-12" not in esat_codes
    assert "i-10" not in set(VALUES.filter(pl.col("establishment") == "A")["code"])


def test_missing_element_is_non_calculable_never_zero():
    row = value("C", "i-25")
    assert row["value"] is None and row["reason"] == "donnée manquante : places_installees"


def test_no_accounts_is_non_calculable():
    row = value("C", "i-41")
    assert row["value"] is None and row["reason"] == "aucun solde de compte pour 2025"


def test_zero_denominator_is_non_calculable():
    row = value("C", "tdb-occupation")
    assert row["value"] is None and row["reason"] == "dénominateur nul"


def test_negative_working_capital_need_makes_cash_coverage_inapplicable():
    row = value("D", "i-46")
    assert row["denominator"] == pytest.approx(100 - 500)
    assert row["value"] is None and row["reason"].startswith("dénominateur négatif ou nul")


def test_looking_back_without_history_is_non_calculable():
    row = value("A", "i-42", 2024)
    assert row["value"] is None and "aucune donnée pour 2020 (4 ans plus tôt)" in row["reason"]


def test_consolidation_sums_numerators_and_denominators():
    groups = pl.DataFrame({"establishment": ["A", "A2"], "group": ["contrat IME", "contrat IME"]})
    result = consolidate(VALUES.filter(pl.col("year") == 2025), groups, SPECS)
    occupancy = result.filter(pl.col("code") == "i-25").row(0, named=True)
    # (9 000 + 4 000) / (10 000 + 5 000) = 86,67 %, not the mean of 90 % and 80 %
    assert occupancy["value"] == pytest.approx(13000 / 15000 * 100)
    assert occupancy["members"] == 2
    opening = result.filter(pl.col("code") == "i-26").row(0, named=True)
    assert opening["value"] is None and opening["reason"].startswith("indicateur non consolidable")
    missing = result.filter(pl.col("code") == "i-41").row(0, named=True)
    assert missing["value"] is None and missing["reason"] == "1 établissement sans valeur"


def test_consolidation_of_an_additive_count_is_a_sum():
    groups = pl.DataFrame({"establishment": ["A"], "group": ["g"]})
    rows = consolidate(VALUES.filter(pl.col("year") == 2025), groups, SPECS)
    assert rows.filter(pl.col("code") == "i-41")["value"][0] == pytest.approx(80000)
