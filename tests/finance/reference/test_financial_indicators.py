"""The financial indicators of the grid (i-31, i-41 … i-47) and of the ANAP dashboard (FRNG in days), computed by
the real engine on the shipped catalogue, against a small trial balance worked out by hand.

Balances are debit − credit, as imported: expenses and assets positive; income, equity, debts and
depreciation negative. The establishment's balance sheet (classes 1 to 5) closes at zero with the year's
result in 129 (a deficit, debit), as the project's data do. Definitions: the seed's « guide de
remplissage » (seeds/000, lines 1115-1134) and, for the FRNG, the ANAP dashboard (q910).
"""

from decimal import Decimal

import polars as pl
import pytest

from cpom.finance.reference import services as reference_costs
from cpom.indicators import services
from cpom.indicators.catalogues import NATIONAL_FILES, read_element_codes, read_specs
from cpom.indicators.engine import compile_catalogue, compute
from cpom.indicators.models import DataValue, IndicatorValue
from cpom.registry.models import Establishment

CATALOGUE = compile_catalogue(read_specs(*NATIONAL_FILES), read_element_codes())

BALANCE_2025 = {
    # Class 6 = 495 000: 50 000 + 400 000 − 10 000 + 20 000 + 30 000 + 5 000
    "compte:6011": 50000,  # achats alimentation
    "compte:6411": 400000,  # salaires
    "compte:6419": -10000,  # remboursements sur rémunérations (IJSS): credit balance, reduces class 6
    "compte:655": 20000,  # quote-part des frais de siège
    "compte:6811": 30000,  # dotations aux amortissements
    "compte:675": 5000,  # valeur comptable des éléments d'actif cédés
    # Class 7 = 490 000: 474 000 + 8 000 + 6 000 + 4 000 − 2 000
    "compte:7311": -474000,  # dotation globale
    "compte:775": -8000,  # produits des cessions d'éléments d'actif
    "compte:777": -6000,  # quote-part des subventions d'investissement virée au résultat
    "compte:7815": -4000,  # reprises sur provisions
    "compte:7091": 2000,  # rabais accordés: debit balance, reduces class 7
    # Class 2 (net 450 000): buildings 600 000 + works 100 000 − depreciation 280 000; furniture 50 000 − 20 000
    "compte:2131": 600000,
    "compte:2313": 100000,
    "compte:2813": -280000,
    "compte:2184": 50000,
    "compte:28184": -20000,
    # Class 3: stock 5 000, its provision 1 000 (credit)
    "compte:31": 5000,
    "compte:391": -1000,
    # Class 4: debit balances 411 usagers 60 000 + 4091 avances fournisseurs 2 000 = 62 000;
    #          credit balances 401 fournisseurs 35 000 + 421 personnel 15 000 + 431 URSSAF 12 000 = 62 000;
    #          491 provision for doubtful debts 4 000 (credit)
    "compte:411": 60000,
    "compte:4091": 2000,
    "compte:401": -35000,
    "compte:421": -15000,
    "compte:431": -12000,
    "compte:491": -4000,
    # Class 5: bank 40 000, bank overdraft 10 000 (credit), cash 500 → net cash 30 500
    "compte:512": 40000,
    "compte:519": -10000,
    "compte:531": 500,
    # Class 1 closes classes 2 to 5 (450 000 + 4 000 − 4 000 + 30 500 = 480 500):
    "compte:102": -107500,
    "compte:10682": -50000,
    "compte:119": 30000,  # report à nouveau déficitaire: debit balance
    "compte:129": 5000,  # the year's deficit (490 000 − 495 000): debit balance
    "compte:131": -120000,
    "compte:139": 40000,  # investment subsidies, 40 000 already taken to income (debit)
    "compte:142": -10000,
    "compte:151": -15000,
    "compte:164": -250000,
    "compte:1688": -3000,
    "places_autorisees": 45,
    "cout_moyen_national": 12500,
}
BALANCE_2021 = {"compte:6011": 100000, "compte:6411": 300000, "compte:7311": -400000, "places_autorisees": 40}
# A service whose suppliers and staff debts exceed its receivables: negative working-capital need.
NEGATIVE_NEED_2025 = {"compte:411": 10000, "compte:401": -25000, "compte:512": 15000}
# The same establishment as E, without the national mean cost for its category and year.
WITHOUT_MEAN_COST = {k: v for k, v in BALANCE_2025.items() if k != "cout_moyen_national"}

HAND_WORKED = {
    # Résultat = classe 7 − classe 6 = 490 000 − 495 000
    "i-41": -5000,
    # Coût à la place au début (2021) ÷ à la fin (2025) × 100 = (400 000 / 40) ÷ (495 000 / 45) × 100
    "i-42": 10000 / 11000 * 100,
    # CAF = −5 000 + 30 000 (68) − 4 000 (78) − 8 000 (775) + 5 000 (675) − 6 000 (777) = 12 000 ; ÷ classe 7
    "i-43": 12000 / 490000 * 100,
    # Amortissements des constructions 280 000 ÷ valeur brute 600 000 + 100 000 (2184 / 28184 are not buildings)
    "i-44": 280000 / 700000,
    # 16 sauf 1688 = 250 000 ; 10 = 157 500, 13 = 120 000 − 40 000 = 80 000, 14 = 10 000, 15 = 15 000,
    # 16 sauf 1688 = 250 000 → 512 500 ; 11 and 12 are debit: −30 000 − 5 000 → capitaux permanents 477 500
    "i-45": 250000 / 477500 * 100,
    # Trésorerie nette 40 000 − 10 000 + 500 = 30 500 ; BFR = debit balances of 3 and 4 (5 000 + 60 000 + 2 000)
    # − credit balances of 4 except 49 (35 000 + 15 000 + 12 000) = 5 000 (391 and 491 are left out)
    "i-46": 30500 / 5000 * 100,
    # Frais de siège 20 000 ÷ (classe 6 495 000 − 20 000)
    "i-31": 20000 / 475000 * 100,
    # Coût à la place 495 000 / 45 = 11 000 ÷ coût moyen national 12 500
    "i-47": 11000 / 12500 * 100,
    # FRNG = classe 1 (480 500 créditeur) − classe 2 (450 000 débiteur) = 30 500 ;
    # charges courantes = 495 000 − 30 000 (68) − 5 000 (675) = 460 000 ; × 365 jours
    "tdb-frng-jours": 30500 / 460000 * 365,
    "tdb-caf": 12000 / 490000 * 100,
    "tdb-vetuste": 280000 / 600000 * 100,  # the dashboard leaves works in progress (2313) out
}


def _compute(data: dict[tuple[str, int], dict]) -> pl.DataFrame:
    rows = [(e, y, k, float(v)) for (e, y), values in data.items() for k, v in values.items()]
    elements = pl.DataFrame(rows, schema=["establishment", "year", "element", "value"], orient="row")
    establishments = pl.DataFrame({"establishment": sorted({e for e, _ in data}), "category": "IME"})
    return compute(establishments, elements, CATALOGUE).with_columns(
        pl.col("establishment").cast(pl.Utf8), pl.col("code").cast(pl.Utf8), pl.col("reason").cast(pl.Utf8)
    )


VALUES = _compute(
    {
        ("E", 2025): BALANCE_2025,
        ("E", 2021): BALANCE_2021,
        ("N", 2025): NEGATIVE_NEED_2025,
        ("M", 2025): WITHOUT_MEAN_COST,
    }
)


def _row(establishment: str, code: str, year: int = 2025) -> dict:
    rows = VALUES.filter(
        (pl.col("establishment") == establishment) & (pl.col("code") == code) & (pl.col("year") == year)
    )
    assert rows.height == 1
    return rows.row(0, named=True)


@pytest.mark.parametrize("code,expected", sorted(HAND_WORKED.items()))
def test_financial_indicator_matches_the_hand_computation(code, expected):
    row = _row("E", code)
    assert row["reason"] == ""
    assert row["value"] == pytest.approx(expected, rel=1e-12)


def test_working_capital_need_takes_supplier_debts_as_liabilities_and_receivables_as_assets():
    row = _row("E", "i-46")
    # 401, 421, 431 (credit) lower the need; 411 and the supplier advance 4091 (debit) raise it.
    assert row["denominator"] == pytest.approx(67000 - 62000)
    assert row["numerator"] == pytest.approx(30500)


def test_cash_coverage_does_not_apply_to_a_negative_working_capital_need():
    # BFR = 10 000 − 25 000 = −15 000: suppliers finance the operating cycle, there is no need for cash to
    # cover, and a ratio to a negative number would read as a negative coverage. The guide restricts the
    # indicator to « structures dont le BFR est positif ».
    row = _row("N", "i-46")
    assert row["denominator"] == pytest.approx(-15000)
    assert row["value"] is None
    assert row["reason"] == "dénominateur négatif ou nul : l'indicateur ne s'applique pas"


def test_debit_balances_of_carry_forward_and_result_reduce_permanent_capital():
    # 119 and 129 are debit: counted as −35 000, not +35 000 (which would give 547 500).
    assert _row("E", "i-45")["denominator"] == pytest.approx(477500)
    # Same accounts in the FRNG: class 1 is 480 500 net of the two debit balances.
    assert _row("E", "tdb-frng-jours")["numerator"] == pytest.approx(30500)


def test_contra_accounts_are_netted_in_their_class():
    # 6419 (credit) lowers class 6, 7091 (debit) lowers class 7. Counted the other way round, class 6
    # would be 505 000 and class 7 492 000.
    row = _row("E", "i-41")
    assert row["numerator"] == pytest.approx(490000 - 495000)


def test_cost_against_national_mean_without_the_mean_cost_is_non_calculable():
    row = _row("M", "i-47")
    assert row["value"] is None and row["reason"] == "donnée manquante : cout_moyen_national"


def test_cost_evolution_without_the_first_contract_year_is_non_calculable():
    row = _row("M", "i-42")
    assert row["value"] is None and row["reason"] == "aucune donnée pour 2021 (4 ans plus tôt)"


def test_mean_cost_entered_for_the_category_and_year_feeds_i47_in_the_stored_values(users):
    """End to end: balances as data values, the mean cost entered per category and year, the stored run."""
    ime = Establishment.objects.get(finess="440005015")
    year = 2030  # a year of its own, so that the demo's data do not interfere
    for element, value in BALANCE_2025.items():
        if element != "cout_moyen_national":
            DataValue.objects.create(establishment=ime, year=year, element=element, value=Decimal(value))

    services.compute_and_store([year])
    missing = IndicatorValue.objects.get(establishment=ime, year=year, indicator__code="i-47")
    assert missing.value is None and missing.reason == "donnée manquante : cout_moyen_national"

    reference_costs.save_mean_costs(users["ars"], year, {"IME": "12 500"}, reference_costs.read_as(year))
    services.compute_and_store([year])
    stored = IndicatorValue.objects.get(establishment=ime, year=year, indicator__code="i-47")
    assert stored.value == pytest.approx(88.0)
    assert DataValue.objects.get(category="IME", year=year, element="cout_moyen_national").establishment is None
