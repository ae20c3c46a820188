"""The contract's financial trajectory, year by year and establishment by establishment: a pure computation.

It knows nothing of Django. Every amount is a Decimal; every amount the simulation books is rounded to the cent
(half up) the moment it is booked, so that every total is the exact sum of the amounts shown.

Years are the contract's years, 0 (N) to duration − 1 (N+4 at most). Year −1 is the reference budget.

Inputs, per establishment, come from the reference budget: its places, its expenses (groups I to III), its tariff
income (income group I: its share of the envelope) and its other income (income groups II and III). Its cost per
place is its envelope divided by its places.

The rules, in plain words:

1. Growth. Each year the envelope is the previous year's envelope grown by that year's envelope rate, and the
   expenses are the previous year's expenses grown by that year's expense rate. A rate is a percentage; the rates are
   given per year and a year without a rate of its own takes the rate of the year before (year N without one: 0 %).
   Year N grows the reference budget. Other income stays at its reference amount: the scenario makes no assumption on
   it. Each funder sets the growth of its own envelope: the part of an establishment's envelope paid by a funder
   with rates of its own (``funder_envelope_rates``, e.g. a council beside the ARS) grows at that funder's rates; the
   rest grows at the scenario's envelope rates.

2. New measures. A new measure (the cost of an objective) starts in a given year at one establishment, with a yearly
   amount brought by the managing body and a yearly amount brought by the authorities. In its first year its whole
   cost (both amounts) is added to the establishment's expenses and the authorities' amount to its envelope. The
   measures are lasting (crédits reconductibles): from the next year on they are part of the expenses and of the
   envelope and grow with them. The managing body's share is therefore a cost the envelope does not cover: it lowers
   the result, which is what the managing body commits to bear.

3. Convergence. With a target cost per place, an establishment whose envelope, before convergence, exceeds
   target × places in one of the first ``convergence_years`` years gives back part of the excess that year: an equal
   share of what remains over the years left, that is excess ÷ (convergence years − year). With zero rates this is
   the same amount each year (a straight line); in the last convergence year the envelope lands exactly on
   target × places, and it is never brought below it. The excess is measured on the whole envelope and given back
   from the part at the scenario's rates (convergence is the scenario's assumption, not the other funders'). An establishment at or under the target is not raised.
   Convergence only touches the establishment's base envelope: the authorities' means for new measures fund new
   actions agreed in the contract and are kept whole. After the convergence years, the envelope grows again from
   where convergence left it.

4. Result. Each establishment's result is envelope + other income − expenses. In a CPOM the envelope is common to
   the establishments and the results are allocated once for the whole contract: the contract's result is the sum of
   the establishments' results, and the reserves are the contract's.

5. Allocation (affectation des résultats). The amount to allocate in a year is the contract's result plus what the
   year before carried forward (a surplus carried forward is an income of the year, a deficit carried forward a
   charge of the year: it adds to the year's financing need). Then:
   - a surplus goes, by the scenario's surplus rule, to the reserves (the balance grows), to investment (it leaves
     the operating accounts: counted, not kept in the reserves), or is carried forward to the next year;
   - a deficit is, by the deficit rule, carried forward to the next year, or covered by the reserves while they
     last: the reserves pay what they can and the uncovered rest is carried forward.
   What the last year carries forward is left to the next contract and shown as such.

Over the contract, the results add up to what went to the reserves + what went to investment − what the reserves
covered + what the last year carries forward; the closing reserves are the opening reserves + what went to them −
what they covered. The tests hold the computation to both.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from cpom.finance.budget.envelope import HUNDRED, ZERO, booked


class SurplusAllocation(StrEnum):
    RESERVES = "reserves"
    INVESTMENT = "investment"
    CARRY_FORWARD = "carry_forward"


class DeficitAllocation(StrEnum):
    CARRY_FORWARD = "carry_forward"
    RESERVE = "reserve"


def grown(amount: Decimal, rate: Decimal) -> Decimal:
    return booked(amount * (1 + rate / HUNDRED))


def shares(amount: Decimal, parts: int) -> list[Decimal]:
    """``amount`` split evenly in ``parts`` booked shares; the last takes the rounding rest so they add up exactly."""
    each = booked(amount / parts)
    return [each] * (parts - 1) + [booked(amount) - each * (parts - 1)]


def yearly_rates(given: Mapping[int, Decimal], duration: int) -> tuple[Decimal, ...]:
    """One rate per contract year: a year without a rate of its own repeats the last one given before it (or 0)."""
    rates, current = [], Decimal(0)
    for year in range(duration):
        current = given.get(year, current)
        rates.append(current)
    return tuple(rates)


@dataclass(frozen=True)
class EstablishmentBase:
    """One establishment's reference budget."""

    key: int
    name: str
    places: int
    expenses: Decimal
    envelope: Decimal
    other_income: Decimal
    # The parts of ``envelope`` each funder pays, by funder key; only those with rates of their own matter (rule 1).
    funder_envelopes: Mapping[str, Decimal] = field(default_factory=dict)

    @property
    def cost_per_place(self) -> Decimal | None:
        return booked(self.envelope / self.places) if self.places else None


@dataclass(frozen=True)
class Assumptions:
    """A scenario's assumptions; the rates are percentages, one per contract year (see :func:`yearly_rates`)."""

    envelope_rates: tuple[Decimal, ...]
    expense_rates: tuple[Decimal, ...]
    convergence_target: Decimal | None = None
    convergence_years: int = 5
    surplus: SurplusAllocation = SurplusAllocation.RESERVES
    deficit: DeficitAllocation = DeficitAllocation.RESERVE
    opening_reserves: Decimal = ZERO
    # Funder key → that funder's own envelope rates, one per contract year (rule 1).
    funder_envelope_rates: Mapping[str, tuple[Decimal, ...]] = field(default_factory=dict)

    @property
    def duration(self) -> int:
        return len(self.envelope_rates)

    def __post_init__(self):
        if len(self.expense_rates) != len(self.envelope_rates):
            raise ValueError("The envelope and expense rates must cover the same years.")
        if any(len(rates) != len(self.envelope_rates) for rates in self.funder_envelope_rates.values()):
            raise ValueError("Each funder's envelope rates must cover the contract's years.")


@dataclass(frozen=True)
class Measure:
    """A new measure: yearly amounts from ``start_year`` on, at one establishment."""

    establishment: int
    label: str
    start_year: int
    managing_body_means: Decimal
    authority_means: Decimal

    @property
    def cost(self) -> Decimal:
        """Its whole yearly cost: both shares, each booked."""
        return booked(self.managing_body_means) + booked(self.authority_means)


@dataclass(frozen=True)
class EstablishmentYear:
    """One establishment in one year. The envelope is its base (after convergence) plus the measures' envelope."""

    year: int
    base_envelope: Decimal
    convergence: Decimal  # this year's adjustment, zero or negative
    measures_envelope: Decimal  # the authorities' means for new measures, as grown so far
    other_income: Decimal
    base_expenses: Decimal
    measures_expenses: Decimal  # the new measures' whole cost, as grown so far

    @property
    def envelope(self) -> Decimal:
        return self.base_envelope + self.measures_envelope

    @property
    def expenses(self) -> Decimal:
        return self.base_expenses + self.measures_expenses

    @property
    def result(self) -> Decimal:
        return self.envelope + self.other_income - self.expenses


SUMMED = ("envelope", "convergence", "measures_envelope", "other_income", "expenses", "measures_expenses")


@dataclass(frozen=True)
class Sums:
    """Amounts added up over establishments or years; every part is booked, so every sum is exact."""

    envelope: Decimal
    convergence: Decimal
    measures_envelope: Decimal
    other_income: Decimal
    expenses: Decimal
    measures_expenses: Decimal

    @property
    def result(self) -> Decimal:
        return self.envelope + self.other_income - self.expenses

    @classmethod
    def of(cls, rows: Sequence) -> "Sums":
        return cls(*(sum((getattr(row, name) for row in rows), ZERO) for name in SUMMED))


@dataclass(frozen=True)
class ContractYear:
    """The contract in one year: the establishments' sums and the allocation of the result."""

    year: int
    sums: Sums
    carried_in: Decimal  # what the year before carried forward: positive a surplus, negative a deficit
    to_reserves: Decimal
    to_investment: Decimal
    covered_by_reserves: Decimal
    carried_out: Decimal
    reserves: Decimal  # balance at the end of the year

    @property
    def result(self) -> Decimal:
        return self.sums.result

    @property
    def to_allocate(self) -> Decimal:
        return self.result + self.carried_in


@dataclass(frozen=True)
class Trajectory:
    """What :func:`simulate` returns: each establishment's years, the contract's years, and the contract's totals."""

    assumptions: Assumptions
    establishments: tuple[EstablishmentBase, ...]
    rows: Mapping[int, tuple[EstablishmentYear, ...]]  # establishment key → its years
    years: tuple[ContractYear, ...]

    def establishment_totals(self, key: int) -> Sums:
        return Sums.of(self.rows[key])

    @property
    def totals(self) -> Sums:
        return Sums.of([year.sums for year in self.years])

    @property
    def to_reserves(self) -> Decimal:
        return sum((year.to_reserves for year in self.years), ZERO)

    @property
    def to_investment(self) -> Decimal:
        return sum((year.to_investment for year in self.years), ZERO)

    @property
    def covered_by_reserves(self) -> Decimal:
        return sum((year.covered_by_reserves for year in self.years), ZERO)

    @property
    def opening_reserves(self) -> Decimal:
        return booked(self.assumptions.opening_reserves)

    @property
    def closing_reserves(self) -> Decimal:
        return self.years[-1].reserves if self.years else self.opening_reserves

    @property
    def carried_to_next_contract(self) -> Decimal:
        return self.years[-1].carried_out if self.years else ZERO


def simulate(
    establishments: Sequence[EstablishmentBase], assumptions: Assumptions, measures: Sequence[Measure] = ()
) -> Trajectory:
    """The trajectory of every establishment and of the contract over the contract's years (see the module's rules)."""
    keys = {base.key for base in establishments}
    strangers = {measure.establishment for measure in measures} - keys
    if strangers:
        raise ValueError(f"Measures for establishments outside the simulation: {sorted(strangers)}")
    rows = {
        base.key: _establishment_years(base, assumptions, [m for m in measures if m.establishment == base.key])
        for base in establishments
    }
    return Trajectory(assumptions, tuple(establishments), rows, _allocate(rows, assumptions))


def _establishment_years(
    base: EstablishmentBase, a: Assumptions, measures: list[Measure]
) -> tuple[EstablishmentYear, ...]:
    target = booked(a.convergence_target * base.places) if a.convergence_target is not None else None
    # The base and the measures are booked apart: convergence touches only the base (rule 3). The base is split
    # between the funders with rates of their own and the rest, at the scenario's rates (rule 1).
    own = {key: booked(amount) for key, amount in base.funder_envelopes.items() if key in a.funder_envelope_rates}
    base_envelope, measures_envelope = booked(base.envelope) - sum(own.values(), ZERO), ZERO
    base_expenses, measures_expenses = booked(base.expenses), ZERO
    years = []
    for year in range(a.duration):
        starting = [m for m in measures if m.start_year == year]
        own = {key: grown(amount, a.funder_envelope_rates[key][year]) for key, amount in own.items()}
        before_convergence = grown(base_envelope, a.envelope_rates[year])
        convergence = _convergence(before_convergence + sum(own.values(), ZERO), target, year, a.convergence_years)
        base_envelope = before_convergence + convergence
        measures_envelope = grown(measures_envelope, a.envelope_rates[year]) + sum(
            (booked(m.authority_means) for m in starting), ZERO
        )
        base_expenses = grown(base_expenses, a.expense_rates[year])
        measures_expenses = grown(measures_expenses, a.expense_rates[year]) + sum((m.cost for m in starting), ZERO)
        years.append(
            EstablishmentYear(
                year,
                base_envelope + sum(own.values(), ZERO),
                convergence,
                measures_envelope,
                booked(base.other_income),
                base_expenses,
                measures_expenses,
            )
        )
    return tuple(years)


def _convergence(envelope: Decimal, target: Decimal | None, year: int, convergence_years: int) -> Decimal:
    """This year's share of the excess over the target envelope: the excess spread over the convergence years left."""
    if target is None or year >= convergence_years or envelope <= target:
        return ZERO
    # ZERO − share rather than −share: a share that rounds to nothing stays 0,00, never « -0,00 ».
    return ZERO - booked((envelope - target) / (convergence_years - year))


@dataclass(frozen=True)
class Allocation:
    """Where one year's amount to allocate goes (rule 5), and the reserves' balance after it."""

    to_reserves: Decimal
    to_investment: Decimal
    covered_by_reserves: Decimal
    carried_out: Decimal
    reserves: Decimal


def allocate(to_allocate: Decimal, reserves: Decimal, a: Assumptions) -> Allocation:
    """Rule 5 for one year: ``to_allocate`` (the result plus what the year before carried forward) by the scenario's
    surplus and deficit rules, with ``reserves`` the balance at the start of the year."""
    to_reserves = to_investment = covered = ZERO
    carried_out = to_allocate  # what no rule takes goes to the next year
    if to_allocate >= 0 and a.surplus == SurplusAllocation.RESERVES:
        to_reserves, carried_out = to_allocate, ZERO
    elif to_allocate >= 0 and a.surplus == SurplusAllocation.INVESTMENT:
        to_investment, carried_out = to_allocate, ZERO
    elif to_allocate < 0 and a.deficit == DeficitAllocation.RESERVE:
        covered = min(-to_allocate, max(reserves, ZERO))
        carried_out = to_allocate + covered
    return Allocation(to_reserves, to_investment, covered, carried_out, reserves + to_reserves - covered)


def _allocate(rows: Mapping[int, tuple[EstablishmentYear, ...]], a: Assumptions) -> tuple[ContractYear, ...]:
    reserves, carried = booked(a.opening_reserves), ZERO
    years = []
    for year in range(a.duration):
        sums = Sums.of([establishment_years[year] for establishment_years in rows.values()])
        done = allocate(sums.result + carried, reserves, a)
        reserves = done.reserves
        years.append(
            ContractYear(
                year,
                sums,
                carried,
                done.to_reserves,
                done.to_investment,
                done.covered_by_reserves,
                done.carried_out,
                reserves,
            )
        )
        carried = done.carried_out
    return tuple(years)
