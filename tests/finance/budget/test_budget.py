"""The reference budget's rules: a hand-worked budget (envelopes, shares, douzièmes, daily prices), the pre-fill from
hand-made balances, the growth modes over five years, who may change what, and refused writes that change nothing."""

from datetime import UTC
from decimal import Decimal

import pytest

from cpom.audit.services import entries_for
from cpom.finance.accounting.services import load_chart
from cpom.finance.budget import services as service
from cpom.finance.models import BudgetLine, FunderKind, GrowthMode, ReferenceBudget, Side
from cpom.indicators.models import DataValue
from cpom.registry.models import Establishment

AM, ETAT, CD, OTHER = FunderKind.ARS_HEALTH_INSURANCE, FunderKind.ARS_STATE, FunderKind.CD, FunderKind.OTHER
E, I = Side.EXPENSE, Side.INCOME  # noqa: E741 - E and I read as the budget's two sides in the tables below
D = Decimal


@pytest.fixture
def contract(association_contract):
    """The association's contract without any reference budget, whatever the demo put there."""
    ReferenceBudget.objects.filter(contract=association_contract).delete()
    return association_contract


@pytest.fixture
def sites(db):
    names = {
        "fam": "FAM Le Clos Fleuri",
        "fv": "Foyer de vie La Roselière",
        "ime": "IME Les Grands Chênes",
        "esat": "ESAT Les Ateliers de l'Erdre",
        "mas": "MAS Les Hauts de Sèvre",
    }
    return {key: Establishment.objects.get(name=name) for key, name in names.items()}


# The FAM is funded by the ARS (care) and the département (accommodation); the foyer de vie by the département,
# its residents paying a part of the tariff (« other »: in no authority's envelope).
FAM_LINES = {
    (AM, E, 1): D("20000.00"),
    (AM, E, 2): D("330000.00"),
    (AM, E, 3): D("30000.00"),
    (AM, I, 1): D("380000.00"),
    (CD, E, 1): D("50000.00"),
    (CD, E, 2): D("80000.00"),
    (CD, E, 3): D("23450.00"),
    (CD, I, 1): D("123450.00"),
    (CD, I, 2): D("20000.00"),
    (CD, I, 3): D("10000.00"),
}
FV_LINES = {
    (CD, E, 1): D("150000.00"),
    (CD, E, 2): D("700000.00"),
    (CD, E, 3): D("86550.00"),
    (CD, I, 1): D("876550.00"),
    (CD, I, 2): D("60000.00"),
    (OTHER, I, 1): D("60000.00"),
}


@pytest.fixture
def hand_worked(contract, sites, users):
    budget = service.reference_budget(contract)
    budget = service.save_lines(budget, users["asso"], sites["fam"], FAM_LINES, 11000, expected_version=1)
    return service.save_lines(budget, users["asso"], sites["fv"], FV_LINES, None, expected_version=2)


def _envelopes(budget):
    return {e.funder: e for e in service.common_envelopes(budget, service.perimeter(budget.contract))}


def test_each_funder_has_its_envelope_of_tariff_income(hand_worked, sites):
    envelopes = _envelopes(hand_worked)
    assert list(envelopes) == [AM, CD]  # the residents' part (« other ») is in no authority's envelope
    assert envelopes[AM].amount == D("380000.00")
    assert envelopes[CD].amount == D("123450.00") + D("876550.00") == D("1000000.00")
    assert [(s.establishment, s.amount) for s in envelopes[CD].shares] == [
        (sites["fam"], D("123450.00")),
        (sites["fv"], D("876550.00")),
    ]
    assert envelopes[CD].places == 32 + 28


def test_shares_in_percent_add_up_to_exactly_100(hand_worked):
    shares = _envelopes(hand_worked)[CD].shares
    assert [s.percentage for s in shares] == [D("12.345"), D("87.655")]
    # Rounding each one half up would show 12,35 % + 87,66 % = 100,01 %; the largest remainder shows 100,00 %.
    assert [s.shown_percentage for s in shares] == [D("12.35"), D("87.65")]
    assert sum(s.shown_percentage for s in _envelopes(hand_worked)[AM].shares) == 100


def test_douziemes_add_up_exactly_to_the_year(hand_worked):
    envelopes = _envelopes(hand_worked)
    am = envelopes[AM].instalments  # 380 000 / 12 = 31 666,666…
    assert (am.regular, am.last) == (D("31666.67"), D("31666.63"))
    assert am.regular * 11 + am.last == am.year_total == D("380000.00")
    cd = envelopes[CD].instalments  # 1 000 000 / 12 = 83 333,333…
    assert (cd.regular, cd.last) == (D("83333.33"), D("83333.37"))
    fv_share = envelopes[CD].shares[1].instalments  # 876 550 / 12 = 73 045,8333…
    assert (fv_share.regular, fv_share.last, fv_share.year_total) == (D("73045.83"), D("73045.87"), D("876550.00"))


@pytest.mark.parametrize("amount", ["0.05", "11.00", "1000000.00", "2345678.91", "12.34"])
def test_a_year_of_douziemes_is_the_amount_to_the_cent(amount):
    instalments = service.monthly_instalment(D(amount))
    assert instalments.year_total == D(amount)
    assert instalments.regular == instalments.regular.quantize(D("0.01"))
    assert abs(instalments.last - instalments.regular) <= D("0.06")  # at most the rounding of eleven instalments


def test_largest_remainder_gives_the_lost_hundredth_to_the_largest_remainder():
    assert service.apportion(D(100), [D(1), D(1), D(1)]) == [D("33.34"), D("33.33"), D("33.33")]
    assert service.apportion(D("10.00"), [D(2), D(1)]) == [D("6.67"), D("3.33")]


def test_daily_prices_by_hand(hand_worked, sites):
    prices = {
        (p.establishment.name, p.funder): p
        for p in service.daily_prices(hand_worked, service.perimeter(hand_worked.contract))
    }
    fam_care = prices[(sites["fam"].name, AM)]  # (380 000 − 0) / 11 000
    assert fam_care.net_expenses == D("380000.00") and fam_care.price == D("380000") / 11000
    assert round(fam_care.price, 2) == D("34.55")
    fam_accommodation = prices[(sites["fam"].name, CD)]  # (153 450 − 20 000 − 10 000) / 11 000 = 11,2227…
    assert fam_accommodation.net_expenses == D("123450.00") and round(fam_accommodation.price, 2) == D("11.22")
    fv = prices[(sites["fv"].name, CD)]  # no forecast days
    assert fv.price is None and fv.reason == "non calculable : journées prévisionnelles non renseignées"
    # The IME bills per day but has no line yet; the SESSAD and the ESAT are funded by dotation: no daily price.
    assert prices[(sites["ime"].name, AM)].price is None
    assert not any(p.establishment.category in ("SESSAD", "ESAT", "SAVS") for p in prices.values())


def test_the_table_adds_up_per_establishment_and_for_the_perimeter(hand_worked, sites):
    columns = service.budget_columns(hand_worked, service.perimeter(hand_worked.contract))
    fam = next(c.amounts for c in columns if c.establishment == sites["fam"])
    assert fam.expenses == {1: D("70000.00"), 2: D("410000.00"), 3: D("53450.00")}
    assert fam.tariff == {AM: D("380000.00"), CD: D("123450.00")}
    total = columns[-1]
    assert total.establishment is None
    assert total.amounts.total_expenses == D("1470000.00")
    assert total.amounts.total_income == D("1530000.00")
    assert total.amounts.result == D("60000.00")


# --- Growth over the contract's five years ------------------------------------------------------------------


@pytest.mark.parametrize(
    "mode, rate, zero_years, expected_rates, expected_amounts",
    [
        # 1 000 000 × 1,015 = 1 015 000; × 1,015 = 1 030 225; × 1,015 = 1 045 678,375 → ,38; …
        (
            GrowthMode.AUTHORITY_RATE,
            "1.5",
            0,
            ["1.5"] * 5,
            ["1015000.00", "1030225.00", "1045678.38", "1061363.56", "1077284.01"],
        ),
        (
            GrowthMode.ZERO_RATE,
            "1",
            2,
            ["0", "0", "1", "1", "1"],
            ["1000000.00", "1000000.00", "1010000.00", "1020100.00", "1030301.00"],
        ),
        (GrowthMode.ANNUAL_AMENDMENT, "0", 0, [None] * 5, [None] * 5),
        # × 1,012 = 1 012 000; 1 024 144; 1 036 433,728 → ,73; 1 048 870,934… → ,93; 1 061 457,381… → ,38
        (
            GrowthMode.REGIONAL_RATE,
            "1.2",
            0,
            ["1.2"] * 5,
            ["1012000.00", "1024144.00", "1036433.73", "1048870.93", "1061457.38"],
        ),
    ],
)
def test_growth_modes_over_five_years(mode, rate, zero_years, expected_rates, expected_amounts):
    growth = service.GrowthChoice(None, mode, D(rate), zero_years, None)
    years = service.envelope_growth(D("1000000.00"), service.yearly_rates(growth, 5), 2027)
    assert [y.label for y in years] == ["N", "N+1", "N+2", "N+3", "N+4"]
    assert [y.year for y in years] == [2027, 2028, 2029, 2030, 2031]
    assert [y.rate for y in years] == [None if r is None else D(r) for r in expected_rates]
    assert [y.amount for y in years] == [None if a is None else D(a) for a in expected_amounts]


def _ars(users):
    return users["ars"].membership.authority


def _cd44(users):
    return users["cd44"].membership.authority


def test_zero_rate_years_beyond_the_contract_are_refused(contract, users):
    with pytest.raises(service.BudgetRefused, match="Le taux zéro porte sur 1 à 5 années"):
        service.set_growth(
            service.reference_budget(contract), users["ars"], _ars(users), GrowthMode.ZERO_RATE, D("1"), 6, True, 1
        )
    assert not ReferenceBudget.objects.filter(contract=contract).exists()


def test_the_zero_and_regional_rates_ask_about_the_contradictory_procedure(contract, users):
    for mode in (GrowthMode.ZERO_RATE, GrowthMode.REGIONAL_RATE):
        with pytest.raises(service.BudgetRefused, match="Procédure contradictoire : précisez si la fixation"):
            service.set_growth(service.reference_budget(contract), users["ars"], _ars(users), mode, D("1"), 2, None, 1)
    assert not ReferenceBudget.objects.filter(contract=contract).exists()
    # Asked by these two modes only: the authority's rate keeps no answer to a question it does not ask.
    growth = service.set_growth(
        service.reference_budget(contract), users["ars"], _ars(users), GrowthMode.AUTHORITY_RATE, D("1"), 0, True, 1
    )
    assert growth.contradictory_procedure is None


# --- Pre-fill from the accounts -------------------------------------------------------------------------------

# A chart of the ARS's own, so that the test does not depend on the national file's details.
CHART = """
[chart]
code = "test-budget-ars"
label = "Regroupement d'essai"
version = "1"

[[rule]]
prefix = "60"
side = "expense"
group = 1
[[rule]]
prefix = "64"
side = "expense"
group = 2
[[rule]]
prefix = "68"
side = "expense"
group = 3
[[rule]]
prefix = "73"
side = "income"
group = 1
[[rule]]
prefix = "75"
side = "income"
group = 2
[[rule]]
prefix = "78"
side = "income"
group = 3
"""


def _balances(establishment, year, balances):
    DataValue.objects.bulk_create(
        DataValue(establishment=establishment, year=year, element=f"compte:{a}", value=D(v))
        for a, v in balances.items()
    )


@pytest.fixture
def accounts_2026(contract, sites, tmp_path):
    """Hand-made 2026 balances (debit − credit) for the IME (ARS only) and the FAM (ARS and département)."""
    path = tmp_path / "chart.toml"
    path.write_text(CHART, encoding="utf-8")
    load_chart(path, contract.parties.get(is_lead=True).authority)
    _balances(
        sites["ime"],
        2026,
        {
            "606": "10000",
            "6411": "500000",
            "6811": "40000.004",
            "6999": "1234",  # no rule covers it
            "7311": "-560000",
            "758": "-5000",
            "7811": "-2000",
            "512": "80000",  # balance sheet: not grouped
        },
    )
    _balances(
        sites["fam"],
        2026,
        {
            "606": "50000",
            "6411": "300000",
            "6811": "20000",
            "7311": "-100000",  # dotation globale: the ARS
            "7312": "-240000",  # prix de journée: the département
            "7313": "-30000",  # forfait soins: the ARS
            "7318": "-5000",  # other tariff income: cannot be attributed, to the lead (ARS), flagged
            "758": "-10000",
        },
    )


def _lines(budget, establishment):
    return {
        (line.funder, line.side, line.group): line.amount
        for line in BudgetLine.objects.filter(budget=budget, establishment=establishment)
    }


def test_prefill_groups_the_accounts_and_splits_a_jointly_funded_establishment(contract, sites, users, accounts_2026):
    mas_line = {(AM, E, 2): D("999.00")}
    budget = service.save_lines(service.reference_budget(contract), users["asso"], sites["mas"], mas_line, None, 1)
    plan = service.prefill_from_accounts(budget, 2026, users["asso"], expected_version=2, accept_partial=True)
    budget.refresh_from_db()
    assert budget.base_year == 2026 and budget.version == 3
    assert _lines(budget, sites["ime"]) == {
        (AM, E, 1): D("10000.00"),
        (AM, E, 2): D("500000.00"),
        (AM, E, 3): D("40000.00"),
        (AM, I, 1): D("560000.00"),
        (AM, I, 2): D("5000.00"),
        (AM, I, 3): D("2000.00"),
    }
    # Tariff: ARS 100 000 + 30 000 + 5 000 = 135 000 (36 %), département 240 000 (64 %); the rest pro rata.
    assert _lines(budget, sites["fam"]) == {
        (AM, I, 1): D("135000.00"),
        (CD, I, 1): D("240000.00"),
        (AM, E, 1): D("18000.00"),
        (CD, E, 1): D("32000.00"),
        (AM, E, 2): D("108000.00"),
        (CD, E, 2): D("192000.00"),
        (AM, E, 3): D("7200.00"),
        (CD, E, 3): D("12800.00"),
        (AM, I, 2): D("3600.00"),
        (CD, I, 2): D("6400.00"),
    }
    assert _lines(budget, sites["mas"]) == mas_line  # no 2026 accounts: its lines are kept
    by_site = {p.establishment: p for p in plan.establishments}
    assert by_site[sites["ime"]].unmapped == {"6999": D("1234")}
    assert any("7318" in note for note in by_site[sites["fam"]].notes)
    assert sites["mas"] in plan.without_accounts
    entry = entries_for(budget).first()
    assert entry.action == "Budget de référence pré-rempli à partir des comptes 2026"
    assert entry.after["comptes non regroupés"] == f"{sites['ime'].finess} : 6999"


def test_an_esat_draws_on_the_state_envelope(contract, sites, users):
    assert service.funders_of(sites["esat"]) == [ETAT]
    assert service.funders_of(sites["fam"]) == [AM, CD]
    assert service.funders_of(sites["fv"]) == [CD]


def test_a_negative_group_refuses_the_whole_prefill(contract, sites, users, accounts_2026):
    _balances(sites["esat"], 2026, {"6411": "-5000", "7311": "-10000"})
    with pytest.raises(
        service.BudgetRefused,
        match="ESAT Les Ateliers de l'Erdre : Groupe II – Dépenses afférentes au personnel est négatif",
    ):
        service.prefill_from_accounts(service.reference_budget(contract), 2026, users["asso"], 1)
    assert not ReferenceBudget.objects.filter(contract=contract).exists()


def test_closed_years_are_told_from_partial_ones(contract, sites, users, accounts_2026):
    from datetime import date, datetime

    from cpom.indicators.models import ImportBatch

    years = {y.year: y for y in service.accounts_years(contract, today=date(2026, 12, 1))}
    assert sorted(years) == [2021, 2022, 2023, 2024, 2025, 2026]
    assert all(years[y].complete for y in range(2021, 2026))  # the demo's synthetic years, recorded in 2026
    assert years[2026].partial == (
        "FAM Le Clos Fleuri : exercice 2026 en cours",
        "IME Les Grands Chênes : exercice 2026 en cours",
    )
    assert service.accounts_years(contract, today=date(2027, 3, 1))[0].complete  # the year is over
    # A file taken before the end of its year stays partial, whenever one looks at it.
    batch = ImportBatch.objects.create(file_name="balance-juin.csv", kind="balance générale")
    ImportBatch.objects.filter(pk=batch.pk).update(at=datetime(2026, 6, 30, 10, tzinfo=UTC))
    DataValue.objects.filter(establishment=sites["ime"], year=2026).update(batch=batch)
    late = {y.year: y for y in service.accounts_years(contract, today=date(2027, 3, 1))}[2026]
    assert late.partial == (
        "IME Les Grands Chênes : comptes enregistrés le 30/06/2026, avant la fin de l'exercice 2026",
    )
    assert late.warning() == (
        "Les comptes 2026 sont partiels (IME Les Grands Chênes : comptes enregistrés le 30/06/2026, avant la fin de "
        "l'exercice 2026). Le budget de référence se calcule sur un exercice clos (N-1) : des comptes partiels "
        "sous-estiment les charges et les produits de l'année."
    )


def test_partial_accounts_are_taken_only_once_the_user_has_confirmed(contract, sites, users, accounts_2026):
    from datetime import date

    today = date(2026, 12, 1)
    with pytest.raises(service.BudgetRefused) as refused:
        service.prefill_from_accounts(service.reference_budget(contract), 2026, users["asso"], 1, today=today)
    assert str(refused.value).startswith(
        "Les comptes 2026 sont partiels (FAM Le Clos Fleuri : exercice 2026 en cours ;"
    )
    assert str(refused.value).endswith(
        "Cochez la case de confirmation pour les prendre malgré tout ; rien n'a été écrit."
    )
    assert not ReferenceBudget.objects.filter(contract=contract).exists()
    service.prefill_from_accounts(
        service.reference_budget(contract), 2026, users["asso"], 1, accept_partial=True, today=today
    )
    budget = ReferenceBudget.objects.get(contract=contract)
    assert budget.base_year == 2026 and _lines(budget, sites["ime"])
    # A closed year needs no confirmation.
    service.prefill_from_accounts(budget, 2025, users["asso"], budget.version, today=today)
    budget.refresh_from_db()
    assert budget.base_year == 2025


# --- Who may do what -------------------------------------------------------------------------------------------


def test_the_managing_body_proposes_the_lines_the_authorities_do_not(contract, sites, users):
    line = {(AM, E, 1): D("100.00")}
    for username in ("ars", "cd44"):
        with pytest.raises(service.BudgetRefused, match="Seul l'organisme gestionnaire"):
            service.save_lines(service.reference_budget(contract), users[username], sites["ime"], line, None, 1)
    assert not ReferenceBudget.objects.filter(contract=contract).exists()
    budget = service.save_lines(service.reference_budget(contract), users["asso"], sites["ime"], line, None, 1)
    assert _lines(budget, sites["ime"]) == line


def test_each_funder_sets_its_own_growth_and_no_one_else(contract, users):
    budget = service.reference_budget(contract)
    for username, authority in (
        ("asso", _ars(users)),
        ("cd44", _ars(users)),
        ("asso", _cd44(users)),
        ("ars", _cd44(users)),
    ):
        with pytest.raises(
            service.BudgetRefused, match="chaque financeur décide de l'évolution de ses propres crédits"
        ):
            service.set_growth(budget, users[username], authority, GrowthMode.AUTHORITY_RATE, D("2"), 0, None, 1)
    assert not ReferenceBudget.objects.filter(contract=contract).exists()
    service.set_growth(budget, users["ars"], _ars(users), GrowthMode.ZERO_RATE, D("1.25"), 2, False, 1)
    service.set_growth(budget, users["cd44"], _cd44(users), GrowthMode.AUTHORITY_RATE, D("0.8"), 0, None, 1)
    budget = service.reference_budget(contract)
    assert [
        (g.authority, g.mode, g.rate, g.zero_rate_years, g.contradictory) for g in service.growth_by_funder(budget)
    ] == [
        (_ars(users), GrowthMode.ZERO_RATE, D("1.25"), 2, False),
        (_cd44(users), GrowthMode.AUTHORITY_RATE, D("0.8"), 0, None),
    ]
    assert [(e.action, e.user, e.after) for e in entries_for(budget).filter(action__contains="mode d'évolution")] == [
        (
            "Budget de référence : mode d'évolution de la dotation du Conseil départemental de Loire-Atlantique",
            users["cd44"],
            {
                "mode": "Taux d'évolution annuel fixé par l'autorité",
                "taux (%)": "0.8",
                "années à taux zéro": "0",
                "procédure contradictoire": "sans objet",
            },
        ),
        (
            "Budget de référence : mode d'évolution de la dotation de l'ARS Pays de la Loire",
            users["ars"],
            {
                "mode": "Taux zéro sur plusieurs années",
                "taux (%)": "1.25",
                "années à taux zéro": "2",
                "procédure contradictoire": "non",
            },
        ),
    ]


def test_an_authority_that_funds_nothing_has_no_growth_to_set(contract, users):
    from cpom.contracts.parties import set_parties
    from cpom.contracts.services import accept_party

    cd49 = users["cd49"].membership.authority
    set_parties(contract, users["ars"], _ars(users), [_cd44(users), cd49])
    accept_party(contract, contract.parties.get(authority=cd49).pk, users["asso"])
    assert [g.authority for g in service.growth_by_funder(service.reference_budget(contract))] == [
        _ars(users),
        _cd44(users),
    ]
    with pytest.raises(service.BudgetRefused, match="Aucun établissement du contrat n'est financé par le Conseil"):
        service.set_growth(
            service.reference_budget(contract), users["cd49"], cd49, GrowthMode.AUTHORITY_RATE, D("1"), 0, None, 1
        )


def test_a_stale_growth_is_refused_and_changes_nothing(contract, users):
    budget = service.reference_budget(contract)
    service.set_growth(budget, users["cd44"], _cd44(users), GrowthMode.AUTHORITY_RATE, D("0.8"), 0, None, 1)
    with pytest.raises(service.StaleBudget):
        service.set_growth(budget, users["cd44"], _cd44(users), GrowthMode.AUTHORITY_RATE, D("3"), 0, None, 1)
    assert service.growth_of(service.reference_budget(contract), _cd44(users)).growth_rate == D("0.8")


def test_each_envelope_grows_at_its_own_funder_rate(hand_worked, users):
    """The FAM's care (ARS) and accommodation (council) parts, and the foyer de vie's: each envelope follows the
    growth its funder chose; an envelope whose funder has not chosen yet has no projection."""
    budget = service.set_growth(
        hand_worked, users["cd44"], _cd44(users), GrowthMode.AUTHORITY_RATE, D("0.5"), 0, None, 1
    ).budget
    envelopes = _envelopes(budget)
    # 123 450 + 876 550 = 1 000 000 € for the council, × 1,005 a year; the ARS has not chosen: no projection.
    assert envelopes[CD].authority == _cd44(users)
    assert [y.amount for y in envelopes[CD].years] == [
        D("1005000.00"),
        D("1010025.00"),
        D("1015075.13"),
        D("1020150.51"),
        D("1025251.26"),
    ]
    assert envelopes[AM].authority == _ars(users) and envelopes[AM].growth is None and envelopes[AM].years == []
    service.set_growth(budget, users["ars"], _ars(users), GrowthMode.AUTHORITY_RATE, D("2"), 0, None, 1)
    assert [y.amount for y in _envelopes(budget)[AM].years][:2] == [D("387600.00"), D("395352.00")]


def test_a_signed_contract_budget_is_read_only(ehpad_contract, users):
    budget = service.reference_budget(ehpad_contract)
    lines = sorted(budget.lines.values_list("establishment", "funder", "side", "group", "amount"))
    ehpad = ehpad_contract.establishments.get(category="EHPAD")
    with pytest.raises(service.BudgetRefused, match="ne se modifie qu'avant la signature"):
        service.save_lines(budget, users["ehpad"], ehpad, {(AM, E, 1): D("1.00")}, None, budget.version)
    ars = _ars(users)
    version = service.growth_of(budget, ars).version
    with pytest.raises(service.BudgetRefused, match="ne se modifie qu'avant la signature"):
        service.set_growth(budget, users["ars"], ars, GrowthMode.REGIONAL_RATE, D("1"), 0, True, version)
    budget.refresh_from_db()
    assert sorted(budget.lines.values_list("establishment", "funder", "side", "group", "amount")) == lines
    growth = service.growth_of(budget, ars)
    assert (growth.growth_mode, growth.growth_rate) == (GrowthMode.AUTHORITY_RATE, D("1.5"))


def test_a_stale_version_is_refused_and_changes_nothing(contract, sites, users):
    first = service.save_lines(
        service.reference_budget(contract), users["asso"], sites["ime"], {(AM, E, 1): D("100.00")}, None, 1
    )
    with pytest.raises(service.StaleBudget, match="Quelqu'un d'autre a enregistré une modification"):
        service.save_lines(first, users["asso"], sites["ime"], {(AM, E, 1): D("200.00")}, None, expected_version=1)
    assert _lines(first, sites["ime"]) == {(AM, E, 1): D("100.00")}
    assert ReferenceBudget.objects.get(pk=first.pk).version == 2


def test_negative_amounts_are_refused_by_the_service_too(contract, sites, users):
    with pytest.raises(service.BudgetRefused, match="ne peut pas être négatif"):
        service.save_lines(
            service.reference_budget(contract), users["asso"], sites["ime"], {(AM, E, 1): D("-1.00")}, None, 1
        )
    assert not ReferenceBudget.objects.filter(contract=contract).exists()


# --- The demo ------------------------------------------------------------------------------------------------


def test_demo_budgets_come_from_the_demo_accounts(association_contract, ehpad_contract, sites):
    from cpom.demo.finance_data import load_demo_budgets

    contracts = {"association": association_contract, "ehpad": ehpad_contract}
    load_demo_budgets(contracts)
    first = sorted(
        BudgetLine.objects.filter(budget__contract__in=contracts.values()).values_list(
            "establishment", "funder", "side", "group", "amount"
        )
    )
    load_demo_budgets(contracts)  # idempotent
    assert (
        sorted(
            BudgetLine.objects.filter(budget__contract__in=contracts.values()).values_list(
                "establishment", "funder", "side", "group", "amount"
            )
        )
        == first
    )
    budget = ReferenceBudget.objects.get(contract=association_contract)
    assert budget.base_year == 2025
    assert [(g.authority.name, g.mode, g.rate, g.contradictory) for g in service.growth_by_funder(budget)] == [
        ("ARS Pays de la Loire", GrowthMode.REGIONAL_RATE, D("1.2"), True),
        ("Conseil départemental de Loire-Atlantique", GrowthMode.AUTHORITY_RATE, D("0.8"), None),
    ]
    envelopes = _envelopes(budget)
    assert list(envelopes) == [AM, ETAT, CD]
    assert [s.establishment for s in envelopes[ETAT].shares] == [sites["esat"]]
    assert {s.establishment.category for s in envelopes[CD].shares} == {"FAM", "FV", "SAVS"}
    for envelope in envelopes.values():
        assert envelope.instalments.year_total == envelope.amount
        assert sum(s.shown_percentage for s in envelope.shares) == 100
    prices = service.daily_prices(budget, service.perimeter(association_contract))
    assert {p.establishment.category for p in prices} == {"IME", "MAS", "FAM", "FV"}
    assert all(p.price is not None and p.price > 0 for p in prices)
    ehpad_budget = ReferenceBudget.objects.get(contract=ehpad_contract)
    assert ehpad_budget.base_year == 2023
    assert {g.mode for g in service.growth_by_funder(ehpad_budget)} == {GrowthMode.AUTHORITY_RATE}
    assert list(_envelopes(ehpad_budget)) == [AM, CD]
