"""The trajectory's pure core: every rule on a hand-worked example, then each allocation rule alone, then exactness.

Every expected figure below is worked out by hand in the comments, rounding half up to the cent at each booked amount.
"""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpom.finance.trajectory.projection import (
    Assumptions,
    DeficitAllocation,
    EstablishmentBase,
    Measure,
    SurplusAllocation,
    shares,
    simulate,
    yearly_rates,
)

pytestmark = pytest.mark.pure

IME = EstablishmentBase(1, "IME", places=50, expenses=D("1000000"), envelope=D("960000"), other_income=D("50000"))
MAS = EstablishmentBase(2, "MAS", places=40, expenses=D("1900000"), envelope=D("2000000"), other_income=D("20000"))


@pytest.fixture
def worked():
    """Two establishments over five years with growth, zero-rate years, a measure, convergence and reserves."""
    assumptions = Assumptions(
        # Envelope: 1 % in N, zero in N+1 and N+2, 0.5 % from N+3 (N+4 repeats it).
        envelope_rates=yearly_rates({0: D("1"), 1: D("0"), 3: D("0.5")}, 5),
        # Expenses: 1 % in N, 0.5 % in N+1 and N+2, 2 % from N+3.
        expense_rates=yearly_rates({0: D("1"), 1: D("0.5"), 3: D("2")}, 5),
        convergence_target=D("47000"),
        convergence_years=3,
        surplus=SurplusAllocation.RESERVES,
        deficit=DeficitAllocation.RESERVE,
        opening_reserves=D("10000"),
    )
    # From N+2 at the IME: 6 000 € a year from the managing body, 9 000 € a year from the authority.
    measures = [
        Measure(1, "Chargé de parcours", start_year=2, managing_body_means=D("6000"), authority_means=D("9000"))
    ]
    return simulate([IME, MAS], assumptions, measures)


def test_rates_repeat_the_last_one_given():
    assert yearly_rates({0: D("1"), 1: D("0"), 3: D("0.5")}, 5) == (D("1"), D("0"), D("0"), D("0.5"), D("0.5"))
    assert yearly_rates({2: D("1")}, 4) == (0, 0, D("1"), D("1"))
    assert yearly_rates({}, 3) == (0, 0, 0)


def test_growth_zero_rate_years_and_a_measure_with_split_means(worked):
    ime = worked.rows[1]
    # IME's cost per place, 960 000 ÷ 50 = 19 200, is under the target of 47 000: no convergence, ever.
    assert IME.cost_per_place == D("19200.00")
    assert [y.convergence for y in ime] == [0] * 5
    # Envelope: N 960 000 × 1.01 = 969 600; N+1 and N+2 at zero rate stay 969 600 (the base);
    # N+3 969 600 × 1.005 = 974 448; N+4 974 448 × 1.005 = 979 320.24.
    assert [y.base_envelope for y in ime] == [
        D("969600.00"),
        D("969600.00"),
        D("969600.00"),
        D("974448.00"),
        D("979320.24"),
    ]
    # The authority's 9 000 enters in N+2, then grows with the envelope: 9 000 × 1.005 = 9 045; 9 045 × 1.005 = 9 090.225 → 9 090.23.
    assert [y.measures_envelope for y in ime] == [0, 0, D("9000.00"), D("9045.00"), D("9090.23")]
    assert [y.envelope for y in ime] == [D("969600.00"), D("969600.00"), D("978600.00"), D("983493.00"), D("988410.47")]
    # Expenses: N 1 000 000 × 1.01 = 1 010 000; N+1 × 1.005 = 1 015 050; N+2 × 1.005 = 1 020 125.25;
    # N+3 × 1.02 = 1 040 527.755 → 1 040 527.76; N+4 × 1.02 = 1 061 338.3152 → 1 061 338.32.
    assert [y.base_expenses for y in ime] == [
        D("1010000.00"),
        D("1015050.00"),
        D("1020125.25"),
        D("1040527.76"),
        D("1061338.32"),
    ]
    # The measure's whole cost, 6 000 + 9 000 = 15 000, enters in N+2 then grows with expenses: 15 300, then 15 606.
    assert [y.measures_expenses for y in ime] == [0, 0, D("15000.00"), D("15300.00"), D("15606.00")]
    # Other income stays at 50 000. Results: 969 600 + 50 000 − 1 010 000 = 9 600; 969 600 + 50 000 − 1 015 050 = 4 550;
    # 978 600 + 50 000 − 1 035 125.25 = −6 525.25; 983 493 + 50 000 − 1 055 827.76 = −22 334.76;
    # 988 410.47 + 50 000 − 1 076 944.32 = −38 533.85.
    assert [y.other_income for y in ime] == [D("50000.00")] * 5
    assert [y.result for y in ime] == [D("9600.00"), D("4550.00"), D("-6525.25"), D("-22334.76"), D("-38533.85")]


def test_convergence_over_three_years_lands_on_the_target(worked):
    mas = worked.rows[2]
    # Target envelope: 47 000 × 40 places = 1 880 000; the MAS costs 2 000 000 ÷ 40 = 50 000 a place.
    # N: 2 000 000 × 1.01 = 2 020 000, excess 140 000, a third of it: 46 666.67 → 1 973 333.33.
    # N+1 (zero rate): excess 93 333.33, half of it 46 666.665 → 46 666.67 → 1 926 666.66.
    # N+2 (zero rate): the whole excess left, 46 666.66 → exactly 1 880 000.
    # N+3: convergence is over, growth resumes: 1 880 000 × 1.005 = 1 889 400; N+4: 1 898 847.
    assert [y.convergence for y in mas] == [D("-46666.67"), D("-46666.67"), D("-46666.66"), 0, 0]
    assert [y.envelope for y in mas] == [
        D("1973333.33"),
        D("1926666.66"),
        D("1880000.00"),
        D("1889400.00"),
        D("1898847.00"),
    ]
    # Expenses: 1 919 000; 1 928 595; 1 938 237.975 → 1 938 237.98; × 1.02 = 1 977 002.7396 → 1 977 002.74;
    # × 1.02 = 2 016 542.7948 → 2 016 542.79.
    assert [y.expenses for y in mas] == [
        D("1919000.00"),
        D("1928595.00"),
        D("1938237.98"),
        D("1977002.74"),
        D("2016542.79"),
    ]
    # Results with 20 000 of other income: 74 333.33; 18 071.66; −38 237.98; −67 602.74; −97 695.79.
    assert [y.result for y in mas] == [D("74333.33"), D("18071.66"), D("-38237.98"), D("-67602.74"), D("-97695.79")]


def test_surplus_to_reserves_then_deficits_covered_until_the_reserves_run_out(worked):
    years = worked.years
    # Contract results: 9 600 + 74 333.33 = 83 933.33; 4 550 + 18 071.66 = 22 621.66;
    # −6 525.25 − 38 237.98 = −44 763.23; −22 334.76 − 67 602.74 = −89 937.50; −38 533.85 − 97 695.79 = −136 229.64.
    assert [y.result for y in years] == [D("83933.33"), D("22621.66"), D("-44763.23"), D("-89937.50"), D("-136229.64")]
    # N and N+1: surpluses to the reserves: 10 000 + 83 933.33 = 93 933.33; + 22 621.66 = 116 554.99.
    assert [y.to_reserves for y in years] == [D("83933.33"), D("22621.66"), 0, 0, 0]
    # N+2: the reserves cover the whole deficit: 116 554.99 − 44 763.23 = 71 791.76.
    # N+3: they cover 71 791.76 of 89 937.50 and run out; the rest, −18 145.74, is carried forward.
    # N+4: −136 229.64 plus the −18 145.74 carried in: −154 375.38 to allocate, no reserves left: all carried forward.
    assert [y.covered_by_reserves for y in years] == [0, 0, D("44763.23"), D("71791.76"), 0]
    assert [y.reserves for y in years] == [D("93933.33"), D("116554.99"), D("71791.76"), D("0.00"), D("0.00")]
    assert [y.carried_in for y in years] == [0, 0, 0, 0, D("-18145.74")]
    assert [y.to_allocate for y in years] == [
        D("83933.33"),
        D("22621.66"),
        D("-44763.23"),
        D("-89937.50"),
        D("-154375.38"),
    ]
    assert [y.carried_out for y in years] == [0, 0, 0, D("-18145.74"), D("-154375.38")]
    assert worked.carried_to_next_contract == D("-154375.38")
    assert worked.closing_reserves == D("0.00")


def test_totals_are_the_sums_of_their_parts_to_the_cent(worked):
    for contract_year in worked.years:
        rows = [worked.rows[key][contract_year.year] for key in (1, 2)]
        assert contract_year.sums.envelope == sum(r.envelope for r in rows)
        assert contract_year.sums.expenses == sum(r.expenses for r in rows)
        assert contract_year.result == sum(r.result for r in rows)
    totals = worked.totals
    # Envelope over the contract: IME 4 889 703.47 + MAS 9 568 246.99 = 14 457 950.46.
    assert worked.establishment_totals(1).envelope == D("4889703.47")
    assert worked.establishment_totals(2).envelope == D("9568246.99")
    assert totals.envelope == D("14457950.46")
    assert totals.convergence == D("-140000.00")  # the whole excess at the reference, given back over three years
    # Results: 83 933.33 + 22 621.66 − 44 763.23 − 89 937.50 − 136 229.64 = −164 375.38.
    assert totals.result == sum(y.result for y in worked.years) == D("-164375.38")
    # Results = to reserves + to investment − covered by reserves + carried to the next contract:
    # 106 554.99 + 0 − 116 554.99 (44 763.23 + 71 791.76) − 154 375.38 = −164 375.38.
    assert (
        totals.result
        == worked.to_reserves + worked.to_investment - worked.covered_by_reserves + worked.carried_to_next_contract
    )
    assert worked.closing_reserves == worked.opening_reserves + worked.to_reserves - worked.covered_by_reserves


def _flat(envelope="100", expenses="90", **assumptions) -> tuple[EstablishmentBase, Assumptions]:
    """One establishment at zero rates, result +10 a year before any measure."""
    base = EstablishmentBase(7, "ESAT", places=10, expenses=D(expenses), envelope=D(envelope), other_income=D("0"))
    return base, Assumptions(envelope_rates=(D(0),) * 3, expense_rates=(D(0),) * 3, **assumptions)


def test_surplus_to_investment_leaves_the_reserves_alone():
    base, assumptions = _flat(surplus=SurplusAllocation.INVESTMENT, opening_reserves=D("50"))
    trajectory = simulate([base], assumptions)
    assert [y.to_investment for y in trajectory.years] == [D("10.00")] * 3
    assert [y.reserves for y in trajectory.years] == [D("50.00")] * 3
    assert trajectory.to_investment == D("30.00") and trajectory.carried_to_next_contract == 0


def test_a_surplus_carried_forward_lowers_the_next_years_need():
    base, assumptions = _flat(
        surplus=SurplusAllocation.CARRY_FORWARD, deficit=DeficitAllocation.RESERVE, opening_reserves=D("5")
    )
    # From N+1 a measure paid by the managing body alone (35 a year) turns the +10 into −25.
    trajectory = simulate([base], assumptions, [Measure(7, "Mesure", 1, D("35"), D("0"))])
    years = trajectory.years
    assert [y.result for y in years] == [D("10.00"), D("-25.00"), D("-25.00")]
    # N: +10 carried forward. N+1: −25 + 10 = −15; the reserves (5) cover 5, −10 carried forward.
    # N+2: −25 − 10 = −35, no reserves left: −35 carried forward.
    assert [y.carried_in for y in years] == [0, D("10.00"), D("-10.00")]
    assert [y.covered_by_reserves for y in years] == [0, D("5.00"), 0]
    assert [y.carried_out for y in years] == [D("10.00"), D("-10.00"), D("-35.00")]
    assert [y.reserves for y in years] == [D("5.00"), D("0.00"), D("0.00")]


def test_a_deficit_carried_forward_does_not_touch_the_reserves():
    base, assumptions = _flat(expenses="120", deficit=DeficitAllocation.CARRY_FORWARD, opening_reserves=D("1000"))
    years = simulate([base], assumptions).years
    # −20 a year, each year adding to the next: −20, −40, −60 carried forward; the reserves stay 1 000.
    assert [y.carried_out for y in years] == [D("-20.00"), D("-40.00"), D("-60.00")]
    assert [y.reserves for y in years] == [D("1000.00")] * 3


def test_convergence_is_a_straight_line_at_zero_rate_and_keeps_the_measures_whole():
    base = EstablishmentBase(3, "FAM", places=1, expenses=D("1300"), envelope=D("1300"), other_income=D("0"))
    assumptions = Assumptions(
        envelope_rates=(D(0),) * 5, expense_rates=(D(0),) * 5, convergence_target=D("1000"), convergence_years=3
    )
    rows = simulate([base], assumptions, [Measure(3, "Mesure", 0, D("0"), D("500"))]).rows[3]
    # Excess 300 over three years: 100 a year, then the base stays on the target; the measure's 500 is never cut.
    assert [y.convergence for y in rows] == [D("-100.00")] * 3 + [0, 0]
    assert [y.base_envelope for y in rows] == [D("1200.00"), D("1100.00"), D("1000.00"), D("1000.00"), D("1000.00")]
    assert [y.envelope for y in rows] == [D("1700.00"), D("1600.00"), D("1500.00"), D("1500.00"), D("1500.00")]


def test_convergence_never_goes_below_the_target_nor_raises_an_establishment_under_it():
    above = EstablishmentBase(4, "Au-dessus", places=2, expenses=D("0"), envelope=D("2100"), other_income=D("0"))
    under = EstablishmentBase(5, "En dessous", places=2, expenses=D("0"), envelope=D("1900"), other_income=D("0"))
    assumptions = Assumptions(
        envelope_rates=(D("-4"),) * 3, expense_rates=(D(0),) * 3, convergence_target=D("1000"), convergence_years=3
    )
    rows = simulate([above, under], assumptions).rows
    # Target 2 000. N: 2 100 × 0.96 = 2 016, excess 16, a third: 5.33 → 2 010.67.
    # N+1: 2 010.67 × 0.96 = 1 930.2432 → 1 930.24, under the target already: nothing taken, never raised.
    assert [y.convergence for y in rows[4]] == [D("-5.33"), 0, 0]
    assert [y.envelope for y in rows[4]] == [D("2010.67"), D("1930.24"), D("1853.03")]
    assert [y.convergence for y in rows[5]] == [0, 0, 0]


def test_each_funder_with_its_own_rates_grows_its_part_of_the_envelope():
    """A FAM whose envelope the ARS (600 000, at the scenario's 2 %) and the council (400 000, at its own 0 % then
    1 %) pay: each part grows at its own rate."""
    fam = EstablishmentBase(
        6, "FAM", 10, D("0"), D("1000000"), D("0"), funder_envelopes={"ars": D("600000"), "cd": D("400000")}
    )
    assumptions = Assumptions(
        envelope_rates=(D("2"),) * 3,
        expense_rates=(D(0),) * 3,
        funder_envelope_rates={"cd": (D("0"), D("1"), D("1"))},
    )
    rows = simulate([fam], assumptions).rows[6]
    # ARS: 612 000; 624 240; 636 724.80. Council: 400 000; 404 000; 408 040.
    assert [y.envelope for y in rows] == [D("1012000.00"), D("1028240.00"), D("1044764.80")]
    # A funder without rates of its own (the ARS here) follows the scenario's: the same as no split at all.
    alone = Assumptions(envelope_rates=(D("2"),) * 3, expense_rates=(D(0),) * 3)
    assert [y.envelope for y in simulate([fam], alone).rows[6]] == [
        D("1020000.00"),
        D("1040400.00"),
        D("1061208.00"),
    ]


def test_convergence_measures_the_whole_envelope_and_takes_from_the_scenario_part():
    fam = EstablishmentBase(7, "FAM", 1, D("0"), D("1300"), D("0"), funder_envelopes={"cd": D("300")})
    assumptions = Assumptions(
        envelope_rates=(D(0),) * 3,
        expense_rates=(D(0),) * 3,
        convergence_target=D("1000"),
        convergence_years=3,
        funder_envelope_rates={"cd": (D(0),) * 3},
    )
    rows = simulate([fam], assumptions).rows[7]
    # Excess 300 on the whole 1 300: 100 a year, as without a split; the council's 300 are not cut.
    assert [y.convergence for y in rows] == [D("-100.00")] * 3
    assert [y.envelope for y in rows] == [D("1200.00"), D("1100.00"), D("1000.00")]


def test_a_funder_s_rates_cover_the_contract_years():
    with pytest.raises(ValueError):
        Assumptions(envelope_rates=(D(0),) * 3, expense_rates=(D(0),) * 3, funder_envelope_rates={"cd": (D(0),)})


def test_shares_add_up_exactly():
    assert shares(D("100"), 3) == [D("33.33"), D("33.33"), D("33.34")]
    assert shares(D("0.02"), 3) == [D("0.01"), D("0.01"), D("0.00")]
    assert shares(D("12500.50"), 1) == [D("12500.50")]


def test_a_measure_outside_the_simulated_establishments_is_refused():
    base, assumptions = _flat()
    with pytest.raises(ValueError):
        simulate([base], assumptions, [Measure(99, "Ailleurs", 0, D("1"), D("1"))])


money = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False)
rate = st.decimals(min_value=-10, max_value=10, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    amounts=st.lists(st.tuples(st.integers(0, 200), money, money, money), min_size=1, max_size=4),
    envelope_rates=st.lists(rate, min_size=5, max_size=5),
    expense_rates=st.lists(rate, min_size=5, max_size=5),
    target=st.one_of(st.none(), money),
    convergence_years=st.integers(1, 5),
    surplus=st.sampled_from(list(SurplusAllocation)),
    deficit=st.sampled_from(list(DeficitAllocation)),
    opening=money,
    measures=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4), money, money), max_size=5),
)
def test_every_trajectory_balances_to_the_cent(
    amounts, envelope_rates, expense_rates, target, convergence_years, surplus, deficit, opening, measures
):
    bases = [
        EstablishmentBase(n, f"E{n}", places, expenses, envelope, other)
        for n, (places, expenses, envelope, other) in enumerate(amounts)
    ]
    assumptions = Assumptions(
        tuple(envelope_rates), tuple(expense_rates), target, convergence_years, surplus, deficit, opening
    )
    chosen = [Measure(n % len(bases), "M", start, body, authority) for n, start, body, authority in measures]
    trajectory = simulate(bases, assumptions, chosen)
    cents = [
        getattr(y, name)
        for rows in trajectory.rows.values()
        for y in rows
        for name in ("base_envelope", "convergence", "measures_envelope", "base_expenses", "measures_expenses")
    ]
    assert all(amount == amount.quantize(D("0.01")) for amount in cents)
    for year in trajectory.years:
        assert year.result == sum(trajectory.rows[b.key][year.year].result for b in bases)
        assert year.reserves >= 0 and year.to_reserves >= 0 and year.covered_by_reserves >= 0
    if target is not None:
        for base in bases:
            floor = (target * base.places).quantize(D("0.01"))
            for y in trajectory.rows[base.key]:
                assert y.convergence == 0 or y.base_envelope >= floor
    totals = trajectory.totals
    assert (
        totals.result
        == trajectory.to_reserves
        + trajectory.to_investment
        - trajectory.covered_by_reserves
        + trajectory.carried_to_next_contract
    )
    assert (
        trajectory.closing_reserves
        == trajectory.opening_reserves + trajectory.to_reserves - trajectory.covered_by_reserves
    )
