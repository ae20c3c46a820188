"""The contract's reference budget and its envelope (Titre 3 of the model contract).

Who may change what: the managing body proposes the budget lines (by hand or pre-filled from the base year's
accounts), each funding authority sets how its own envelope grows; both only before signature. Every write is all or
nothing, checks the version the user read (no silent lost update) and is journaled.

What is computed from the lines:

- the common envelope (dotation globalisée commune) of each funder: the tariff income (income group I) it pays
  over the perimeter. The model contract keeps separate envelopes: health insurance (ARS), State (ARS, the ESAT)
  and the département;
- each establishment's share (quote-part) of an envelope, in euros and in percent;
- the monthly instalment (douzième);
- an indicative daily price for the establishments that bill per day;
- the envelope year by year under the growth mode its funder chose.

Amounts are Decimal. The lines are in cents. A yearly envelope is rounded to the cent, half up, when it is set
(an arrêté fixes an amount in euros and cents, and the next year's rate applies to that amount); shares, daily
prices and percentages are exact and rounded only for display, except where this module says how the cents are
shared so that a total adds up exactly.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction

from cpom.audit.services import record
from cpom.contracts.models import Contract
from cpom.core.formatting import money
from cpom.core.locking import StaleWrite, check_version
from cpom.core.text import of
from cpom.finance.accounting.balances import year_balances
from cpom.finance.accounting.grouping import Chart, group_balances
from cpom.finance.accounting.services import balances_for, chart_for
from cpom.finance.budget.envelope import (
    GROUPS,
    HUNDRED,
    TARIFF_GROUP,
    ZERO,
    BudgetAmounts,
    EnvelopeShare,
    EnvelopeYear,
    MonthlyInstalments,
    apportion,
    booked,
    envelope_growth,
    envelope_shares,
    growth_rates,
    monthly_instalment,
)
from cpom.finance.models import (
    CONTRADICTORY_MODES,
    GROUP_LABELS,
    ActivityForecast,
    BudgetLine,
    FunderGrowth,
    FunderKind,
    GrowthMode,
    ReferenceBudget,
    Side,
)
from cpom.finance.rules import funder_authorities, growth_refusal, lines_refusal
from cpom.registry.models import Authority, AuthorityKind, Establishment

ENVELOPE_FUNDERS = (FunderKind.ARS_HEALTH_INSURANCE, FunderKind.ARS_STATE, FunderKind.CD)

# Categories whose authority sets a daily price (prix de journée), and so get an indicative one in the contract:
# children's establishments (IME, ITEP, IEM, IES, EEAP) and adults' accommodation (MAS, FAM, foyer de vie, foyer
# d'hébergement), paid by health insurance or the département per day of presence; the EHPAD and the autonomous
# day care (AJ) bill their accommodation per day. Services (SESSAD, SAVS, SAMSAH, SSIAD, SAD), ESAT, CAMSP and
# CRP are funded by dotation; the CMPP bills per session, not per day; a résidence autonomie charges a rent.
PER_DAY_CATEGORIES = frozenset({"IME", "ITEP", "IEM", "IES", "EEAP", "MAS", "FAM", "FV", "FH", "EHPAD", "AJ"})

# Splitting the tariff income of an establishment funded by both an ARS and a département. The accounts follow
# the tariff modes of the ESSMS charts (7311 dotation globale, 7312 prix de journée, 7313 forfaits, 7318 other):
# the ARS pays the care part as a dotation or a forfait soins, the département sets the daily price of the
# accommodation. Longest prefix wins; an account no prefix covers cannot be attributed and goes to the lead
# funder, flagged for the user.
TARIFF_ACCOUNT_AUTHORITY = {"7311": AuthorityKind.ARS, "7312": AuthorityKind.CD, "7313": AuthorityKind.ARS}
# In an EHPAD the forfaits mix the forfait global de soins (ARS) and the forfait dépendance (département).
MIXED_TARIFF_ACCOUNTS = {"EHPAD": frozenset({"7313"})}

LineKey = tuple[int, str, str, int]  # establishment id, funder, side, group
Amounts = dict[tuple[str, str, int], Decimal]  # one establishment's lines: (funder, side, group) → amount


class BudgetRefused(Exception):
    """The rules forbid this change now; the message says why, in French."""


class StaleBudget(StaleWrite, BudgetRefused):
    """Someone changed the budget since the user read it."""


# --- The budget and its lines -------------------------------------------------------------------------------


def default_base_year(contract: Contract) -> int:
    """The model contract computes the reference on the accounts of the year before the contract (N-1)."""
    return contract.start_date.year - 1


def _new_budget(contract: Contract) -> dict:
    return {"base_year": default_base_year(contract)}


def reference_budget(contract: Contract) -> ReferenceBudget:
    """The contract's budget, or an unsaved empty one: reading a page never writes."""
    return ReferenceBudget.objects.filter(contract=contract).first() or ReferenceBudget(
        contract=contract, **_new_budget(contract)
    )


def get_or_create_budget(contract: Contract) -> ReferenceBudget:
    """The contract's budget, created on first write and locked until the end of the transaction."""
    budget, _ = ReferenceBudget.objects.select_for_update().get_or_create(
        contract=contract, defaults=_new_budget(contract)
    )
    return budget


def _locked(contract: Contract) -> tuple[ReferenceBudget, Contract]:
    """The budget and the contract as they are now, locked: the contract cannot be signed under a write."""
    current = Contract.objects.select_for_update().get(pk=contract.pk)
    return get_or_create_budget(current), current


def perimeter(contract: Contract) -> list[Establishment]:
    return list(contract.establishments.prefetch_related("funders").order_by("name"))


def lines_of(budget: ReferenceBudget) -> list[BudgetLine]:
    return list(budget.lines.all()) if budget.pk else []


def forecast_days(budget: ReferenceBudget) -> dict[int, int]:
    """Forecast days per establishment id."""
    return dict(budget.activity.values_list("establishment_id", "days")) if budget.pk else {}


def funder_of(authority_kind: str, establishment: Establishment) -> str:
    """The envelope the money of an authority of this kind (ARS or CD) for this establishment belongs to.

    The model contract fixes a separate common envelope for the ESAT, funded by the State through the ARS; every
    other ARS funding is health insurance.
    """
    if authority_kind == AuthorityKind.CD:
        return FunderKind.CD
    return FunderKind.ARS_STATE if establishment.category == "ESAT" else FunderKind.ARS_HEALTH_INSURANCE


def funders_of(establishment: Establishment) -> list[str]:
    """The envelopes an establishment draws on, in the order of FunderKind."""
    kinds = {funder_of(authority.kind, establishment) for authority in establishment.funders.all()}
    return [kind for kind in FunderKind.values if kind in kinds]


def _line_label(finess: str, funder: str, side: str, group: int) -> str:
    return f"{finess} · {FunderKind(funder).label} · {Side(side).label} · groupe {group}"


def _snapshot(lines: dict[LineKey, Decimal], finess: dict[int, str]) -> dict[str, str]:
    return {_line_label(finess[e], f, s, g): str(booked(amount)) for (e, f, s, g), amount in sorted(lines.items())}


def _changes(before: dict[str, str], after: dict[str, str]) -> tuple[dict, dict]:
    """Only what changed, so that the journal reads as a list of edits."""
    keys = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    return {k: before.get(k, "—") for k in keys}, {k: after.get(k, "—") for k in keys}


def _check_write(current: ReferenceBudget, expected_version: int, refusal: str | None) -> None:
    if refusal:
        raise BudgetRefused(refusal)
    try:
        check_version(current.version, expected_version)
    except StaleWrite:
        raise StaleBudget from None


def _bump(current: ReferenceBudget, *fields: str) -> ReferenceBudget:
    current.bump_version(*fields)
    return current


def _check_amounts(establishment: Establishment, amounts: Amounts) -> None:
    for (funder, side, group), amount in amounts.items():
        if funder not in FunderKind.values or side not in Side.values or group not in GROUPS:
            raise BudgetRefused("Ligne de budget inconnue : financeur, sens ou groupe invalide.")
        if amount < 0:
            raise BudgetRefused(
                f"{establishment.name} : un montant du budget ne peut pas être négatif ({GROUP_LABELS[(side, group)]})."
            )
        if amount != booked(amount):
            raise BudgetRefused(
                f"{establishment.name} : les montants s'arrêtent au centime ({GROUP_LABELS[(side, group)]})."
            )


def save_lines(
    budget: ReferenceBudget,
    user,
    establishment: Establishment,
    amounts: Amounts,
    days: int | None,
    expected_version: int,
) -> ReferenceBudget:
    """Replaces one establishment's lines and forecast days; a zero amount is no line."""
    contract = budget.contract
    if not contract.establishments.filter(pk=establishment.pk).exists():
        raise BudgetRefused(f"{establishment.name} n'est pas dans le périmètre du contrat.")
    _check_amounts(establishment, amounts)
    if days is not None and days <= 0:
        raise BudgetRefused("Le nombre de journées prévisionnelles doit être positif.")
    with transaction.atomic():
        current, contract = _locked(contract)
        _check_write(current, expected_version, lines_refusal(user, contract))
        old = {
            (e, f, s, g): a
            for e, f, s, g, a in current.lines.filter(establishment=establishment).values_list(
                "establishment_id", "funder", "side", "group", "amount"
            )
        }
        new = {(establishment.pk, *key): amount for key, amount in amounts.items() if amount}
        current.lines.filter(establishment=establishment).delete()
        BudgetLine.objects.bulk_create(
            BudgetLine(budget=current, establishment_id=e, funder=f, side=s, group=g, amount=a)
            for (e, f, s, g), a in new.items()
        )
        old_days = forecast_days(current).get(establishment.pk)
        _set_days(current, establishment, days)
        finess = {establishment.pk: establishment.finess}
        before, after = _changes(
            {**_snapshot(old, finess), **_days_snapshot(establishment, old_days)},
            {**_snapshot(new, finess), **_days_snapshot(establishment, days)},
        )
        _bump(current)
        record(user, current, f"Budget de référence : lignes {of(establishment.name)}", before, after)
    return current


def _set_days(budget: ReferenceBudget, establishment: Establishment, days: int | None) -> None:
    if days is None:
        budget.activity.filter(establishment=establishment).delete()
    else:
        ActivityForecast.objects.update_or_create(budget=budget, establishment=establishment, defaults={"days": days})


def _days_snapshot(establishment: Establishment, days: int | None) -> dict[str, str]:
    return {f"{establishment.finess} · journées prévisionnelles": str(days)} if days else {}


# --- Each funder's growth ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrowthChoice:
    """How one funder's envelope evolves, as the contract document prints it (Titre 3.8); mode None: not chosen yet."""

    authority: Authority
    mode: str | None
    rate: Decimal
    zero_rate_years: int
    contradictory: bool | None  # None where the mode does not ask (see CONTRADICTORY_MODES)

    @property
    def label(self) -> str:
        return GrowthMode(self.mode).label if self.mode else "Mode d'évolution non fixé"


def stored_growths(budget: ReferenceBudget) -> dict[int, FunderGrowth]:
    """The growth rows of the budget by authority id (none before the budget is saved)."""
    return {g.authority_id: g for g in budget.growths.select_related("authority")} if budget.pk else {}


def growth_of(budget: ReferenceBudget, authority: Authority) -> FunderGrowth:
    """``authority``'s growth as stored, or the model's default (the regional rate, 0 %) it has not changed yet."""
    return stored_growths(budget).get(authority.pk) or FunderGrowth(
        budget=budget, authority=authority, growth_rate=ZERO, contradictory_procedure=True
    )


def growth_by_funder(budget: ReferenceBudget) -> list[GrowthChoice]:
    """Each funder of the contract (the lead first) with the growth it chose for its envelope, or mode None."""
    stored = stored_growths(budget)
    choices = []
    for authority in funder_authorities(budget.contract):
        growth = stored.get(authority.pk)
        if growth is None:
            choices.append(GrowthChoice(authority, None, ZERO, 0, None))
        else:
            choices.append(
                GrowthChoice(
                    authority,
                    growth.growth_mode,
                    growth.growth_rate,
                    growth.zero_rate_years,
                    growth.contradictory_procedure,
                )
            )
    return choices


def set_growth(
    budget: ReferenceBudget,
    user,
    authority: Authority,
    mode: str,
    rate: Decimal,
    zero_rate_years: int,
    contradictory: bool | None,
    expected_version: int,
) -> FunderGrowth:
    """``authority``'s choice among the model contract's growth options for its own envelope, by one of its members."""
    contract = budget.contract
    rate, zero_rate_years, contradictory = _checked_growth(contract, mode, rate, zero_rate_years, contradictory)
    with transaction.atomic():
        current, contract = _locked(contract)
        refusal = growth_refusal(user, contract, authority)
        if refusal:
            raise BudgetRefused(refusal)
        growth, created = FunderGrowth.objects.select_for_update().get_or_create(
            budget=current,
            authority=authority,
            defaults={"growth_rate": ZERO, "contradictory_procedure": True},
        )
        try:
            check_version(growth.version, expected_version)
        except StaleWrite:
            raise StaleBudget from None
        before = None if created else _growth_snapshot(growth)  # a first choice replaces no earlier one
        growth.growth_mode, growth.growth_rate, growth.zero_rate_years = mode, rate, zero_rate_years
        growth.contradictory_procedure = contradictory
        growth.bump_version("growth_mode", "growth_rate", "zero_rate_years", "contradictory_procedure")
        record(
            user,
            current,
            f"Budget de référence : mode d'évolution de la dotation {of(str(authority))}",
            before,
            _growth_snapshot(growth),
        )
    return growth


def _checked_growth(
    contract: Contract, mode: str, rate: Decimal, zero_rate_years: int, contradictory: bool | None
) -> tuple[Decimal, int, bool | None]:
    """The rate, zero-rate years and contradictory flag that mean something for ``mode`` (the others are reset, not
    kept stale)."""
    if mode not in GrowthMode.values:
        raise BudgetRefused("Choisissez l'un des modes d'évolution du modèle de contrat.")
    if mode in CONTRADICTORY_MODES and contradictory is None:
        raise BudgetRefused(
            "Procédure contradictoire : précisez si la fixation annuelle du tarif y est soumise ou non "
            "(le modèle de contrat le demande pour ce mode)."
        )
    contradictory = contradictory if mode in CONTRADICTORY_MODES else None
    if mode == GrowthMode.ANNUAL_AMENDMENT:
        return ZERO, 0, contradictory
    if rate <= -HUNDRED or rate >= 1000:
        raise BudgetRefused("Le taux d'évolution doit être compris entre −100 % et 1 000 % (exclus).")
    if rate != rate.quantize(Decimal("0.0001")):
        raise BudgetRefused("Le taux d'évolution s'écrit avec quatre décimales au plus (par exemple 1,25).")
    if mode != GrowthMode.ZERO_RATE:
        return rate, 0, contradictory
    if not 1 <= zero_rate_years <= contract.duration_years:
        raise BudgetRefused(f"Le taux zéro porte sur 1 à {contract.duration_years} années du contrat.")
    return rate, zero_rate_years, contradictory


def _growth_snapshot(growth: FunderGrowth) -> dict[str, str]:
    # normalize(): the same rate reads the same whether it comes from the form (1.25) or the database (1.2500).
    procedure = {True: "oui", False: "non", None: "sans objet"}[growth.contradictory_procedure]
    return {
        "mode": GrowthMode(growth.growth_mode).label,
        "taux (%)": f"{Decimal(growth.growth_rate).normalize():f}",
        "années à taux zéro": str(growth.zero_rate_years),
        "procédure contradictoire": procedure,
    }


# --- Pre-filling from the base year's accounts --------------------------------------------------------------


@dataclass
class EstablishmentPrefill:
    """What the pre-fill writes for one establishment, and what the user must know about it."""

    establishment: Establishment
    amounts: Amounts = field(default_factory=dict)
    unmapped: dict[str, Decimal] = field(default_factory=dict)  # account → balance (debit − credit)
    notes: list[str] = field(default_factory=list)

    @property
    def funders(self) -> list[str]:
        return [kind for kind in FunderKind.values if any(f == kind for f, _, _ in self.amounts)]


@dataclass
class PrefillPlan:
    year: int
    chart: Chart
    establishments: list[EstablishmentPrefill] = field(default_factory=list)
    without_accounts: list[Establishment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def lines(self) -> dict[LineKey, Decimal]:
        return {(e.establishment.pk, *key): amount for e in self.establishments for key, amount in e.amounts.items()}

    @property
    def unmapped_count(self) -> int:
        return sum(len(e.unmapped) for e in self.establishments)


@dataclass(frozen=True)
class AccountsYear:
    """A year for which the perimeter has balances; partial when some may not cover the whole year."""

    year: int
    partial: tuple[str, ...]  # « IME Les Grands Chênes : exercice 2026 en cours », one per establishment

    @property
    def complete(self) -> bool:
        return not self.partial

    def warning(self) -> str:
        """What the user reads before taking partial accounts as the reference."""
        return (
            f"Les comptes {self.year} sont partiels ({' ; '.join(self.partial)}). Le budget de référence se calcule "
            "sur un exercice clos (N-1) : des comptes partiels sous-estiment les charges et les produits de l'année."
        )


def accounts_years(contract: Contract, today: date | None = None) -> list[AccountsYear]:
    """The years for which some establishment of the perimeter has account balances, latest first.

    A year is partial when one of its establishments' balances may not cover the whole fiscal year (the rule is in
    :mod:`cpom.finance.accounting.balances`): the current year, or a file imported before the year's end.
    """
    partial: dict[int, list[str]] = {}
    for row in year_balances(contract.establishments.all(), today):
        reasons = partial.setdefault(row.year, [])
        if row.partial:
            reasons.append(f"{row.establishment.name} : {row.partial}")
    return [AccountsYear(year, tuple(partial[year])) for year in sorted(partial, reverse=True)]


def plan_prefill(contract: Contract, year: int) -> PrefillPlan:
    """What pre-filling from ``year``'s accounts would write, computed without writing anything."""
    lead = next((p.authority for p in contract.parties.select_related("authority") if p.is_lead), None)
    plan = PrefillPlan(year, chart_for(lead))
    for establishment in perimeter(contract):
        balances = {a: b for a, b in balances_for(establishment, year).items() if a.startswith(("6", "7"))}
        if not balances:
            plan.without_accounts.append(establishment)
            continue
        prefill = _prefill_establishment(establishment, balances, plan.chart, lead)
        plan.problems += _negative_groups(establishment, prefill)
        plan.establishments.append(prefill)
    return plan


def _lead_funder(establishment: Establishment, funders: list[str], lead: Authority | None) -> str:
    """Where money that cannot be attributed goes: the lead authority's envelope if it funds the establishment."""
    if lead is not None:
        preferred = funder_of(lead.kind, establishment)
        if preferred in funders or not funders:
            return preferred
    return funders[0] if funders else FunderKind.OTHER


def _prefill_establishment(
    establishment: Establishment, balances: dict[str, Decimal], chart: Chart, lead: Authority | None
) -> EstablishmentPrefill:
    grouped = group_balances(balances, chart)
    prefill = EstablishmentPrefill(establishment, unmapped=grouped.unmapped)
    funders = funders_of(establishment)
    fallback = _lead_funder(establishment, funders, lead)
    if not funders:
        prefill.notes.append(
            "Aucune autorité de tarification n'est enregistrée pour cet établissement : "
            f"tout est rattaché à « {FunderKind(fallback).label} ». Vérifiez."
        )
    tariff = _tariff_by_funder(establishment, balances, chart, funders, fallback, prefill.notes)
    shares = {funder: tariff.get(funder, ZERO) for funder in (funders or [fallback])}
    for funder, amount in tariff.items():
        prefill.amounts[(funder, Side.INCOME, TARIFF_GROUP)] = amount
    for side, totals, groups in ((Side.EXPENSE, grouped.expenses, GROUPS), (Side.INCOME, grouped.income, (2, 3))):
        for group in groups:
            for funder, amount in _shared(booked(totals[group]), shares, fallback).items():
                prefill.amounts[(funder, side, group)] = amount
    if len(shares) > 1:
        prefill.notes.append(
            "Financé par plusieurs autorités : les dépenses, et les recettes des groupes II et III, sont "
            "réparties entre elles au prorata de leurs produits de la tarification. Vérifiez."
        )
    prefill.amounts = {key: amount for key, amount in prefill.amounts.items() if amount}
    return prefill


def _tariff_by_funder(
    establishment: Establishment,
    balances: dict[str, Decimal],
    chart: Chart,
    funders: list[str],
    fallback: str,
    notes: list[str],
) -> dict[str, Decimal]:
    """Income group I per funder: all to the only funder, or by account when several fund the establishment."""
    tariff_accounts = {}
    for account, balance in balances.items():
        rule = chart.rule_for(account)
        if rule is not None and rule.side == Side.INCOME and rule.group == TARIFF_GROUP:
            tariff_accounts[account] = -balance  # an income is a credit balance
    totals: dict[str, Decimal] = defaultdict(Decimal)
    unattributed = []
    for account, amount in sorted(tariff_accounts.items()):
        funder = _tariff_funder(establishment, account, funders) if len(funders) > 1 else (funders or [fallback])[0]
        if funder is None:
            unattributed.append(account)
            funder = fallback
        totals[funder] += amount
    if unattributed:
        notes.append(
            f"Produits de la tarification non attribuables par compte ({', '.join(unattributed)}) : rattachés par "
            f"défaut à « {FunderKind(fallback).label} ». Répartissez-les entre financeurs."
        )
    return {funder: booked(amount) for funder, amount in totals.items()}


def _tariff_funder(establishment: Establishment, account: str, funders: list[str]) -> str | None:
    prefixes = [p for p in TARIFF_ACCOUNT_AUTHORITY if account.startswith(p)]
    prefix = max(prefixes, key=len, default=None)
    if prefix is None or prefix in MIXED_TARIFF_ACCOUNTS.get(establishment.category, ()):
        return None
    funder = funder_of(TARIFF_ACCOUNT_AUTHORITY[prefix], establishment)
    return funder if funder in funders else None


def _shared(amount: Decimal, shares: dict[str, Decimal], fallback: str) -> dict[str, Decimal]:
    """``amount`` split between funders in proportion to their tariff income (all to ``fallback`` without any)."""
    if len(shares) == 1 or sum(shares.values(), ZERO) <= 0 or amount < 0:
        only = next(iter(shares)) if len(shares) == 1 else fallback
        return {only: amount}
    return dict(zip(shares, apportion(amount, list(shares.values())), strict=True))


def _negative_groups(establishment: Establishment, prefill: EstablishmentPrefill) -> list[str]:
    return [
        f"{establishment.name} : {GROUP_LABELS[(side, group)]} est négatif ({money(amount)}) dans les comptes ; "
        "corrigez la balance ou saisissez ce budget à la main."
        for (_, side, group), amount in prefill.amounts.items()
        if amount < 0
    ]


def prefill_from_accounts(
    budget: ReferenceBudget,
    year: int,
    user,
    expected_version: int,
    accept_partial: bool = False,
    today: date | None = None,
) -> PrefillPlan:
    """Replaces the lines of every establishment that has accounts for ``year``, and makes ``year`` the base year.

    All or nothing: a negative group anywhere refuses the whole pre-fill. Establishments without accounts that
    year keep their lines. Unmapped accounts are not written but returned, for the user to place by hand. Partial
    accounts (an open year, a file taken before the year's end) are taken only when ``accept_partial`` says the
    user has read the warning.
    """
    contract = budget.contract
    plan = plan_prefill(contract, year)
    if not plan.establishments:
        raise BudgetRefused(f"Aucun établissement du périmètre n'a de comptes pour {year} : rien à pré-remplir.")
    if plan.problems:
        raise BudgetRefused(" ".join(plan.problems))
    chosen = next((y for y in accounts_years(contract, today) if y.year == year), None)
    if chosen is not None and not chosen.complete and not accept_partial:
        raise BudgetRefused(
            f"{chosen.warning()} Cochez la case de confirmation pour les prendre malgré tout ; rien n'a été écrit."
        )
    with transaction.atomic():
        current, contract = _locked(contract)
        _check_write(current, expected_version, lines_refusal(user, contract))
        replaced = [e.establishment for e in plan.establishments]
        finess = {e.pk: e.finess for e in replaced}
        old_lines = current.lines.filter(establishment__in=replaced)
        old = {
            (e, f, s, g): a
            for e, f, s, g, a in old_lines.values_list("establishment_id", "funder", "side", "group", "amount")
        }
        old_lines.delete()
        BudgetLine.objects.bulk_create(
            BudgetLine(budget=current, establishment_id=e, funder=f, side=s, group=g, amount=a)
            for (e, f, s, g), a in plan.lines.items()
        )
        before, after = _changes(_snapshot(old, finess), _snapshot(plan.lines, finess))
        before["exercice de référence"], after["exercice de référence"] = str(current.base_year), str(year)
        unmapped = [f"{e.establishment.finess} : {account}" for e in plan.establishments for account in e.unmapped]
        after["comptes non regroupés"] = ", ".join(unmapped) or "aucun"
        current.base_year = year
        _bump(current, "base_year")
        record(user, current, f"Budget de référence pré-rempli à partir des comptes {year}", before, after)
    return plan


# --- What the lines add up to --------------------------------------------------------------------------------


def amounts_of(lines: list[BudgetLine]) -> BudgetAmounts:
    expenses, income = dict.fromkeys(GROUPS, ZERO), dict.fromkeys(GROUPS, ZERO)
    tariff: dict[str, Decimal] = {}
    for line in lines:
        (expenses if line.side == Side.EXPENSE else income)[line.group] += line.amount
        if line.side == Side.INCOME and line.group == TARIFF_GROUP:
            tariff[line.funder] = tariff.get(line.funder, ZERO) + line.amount
    ordered = {kind: tariff[kind] for kind in FunderKind.values if kind in tariff}
    return BudgetAmounts(expenses, income, ordered)


@dataclass(frozen=True)
class BudgetColumn:
    """One column of the reference budget table: an establishment, or the whole perimeter (establishment None)."""

    establishment: Establishment | None
    amounts: BudgetAmounts


def budget_columns(budget: ReferenceBudget, establishments: list[Establishment]) -> list[BudgetColumn]:
    lines = lines_of(budget)
    ids = {e.pk for e in establishments}
    columns = [
        BudgetColumn(e, amounts_of([line for line in lines if line.establishment_id == e.pk])) for e in establishments
    ]
    return columns + [BudgetColumn(None, amounts_of([line for line in lines if line.establishment_id in ids]))]


def funder_amounts(budget: ReferenceBudget, establishments: list[Establishment], funder: str) -> BudgetAmounts:
    """One funder's reference budget over the perimeter: the table the model contract gives per envelope."""
    ids = {e.pk for e in establishments}
    return amounts_of([line for line in lines_of(budget) if line.funder == funder and line.establishment_id in ids])


def envelope_amounts(
    budget: ReferenceBudget, establishments: list[Establishment], envelope: "CommonEnvelope"
) -> BudgetAmounts:
    """The reference budget of one envelope: its funder kind's lines at the establishments its authority pays."""
    funders = funder_authorities(budget.contract)
    paid = [e for e in establishments if paying_authority(e, envelope.funder, funders) == envelope.authority]
    return funder_amounts(budget, paid, envelope.funder)


def lines_outside(budget: ReferenceBudget, establishments: list[Establishment]) -> list[Establishment]:
    """Establishments left the perimeter whose lines are still stored: they count in no total, the page says so."""
    ids = {e.pk for e in establishments}
    outside = {line.establishment_id for line in lines_of(budget)} - ids
    return list(Establishment.objects.filter(pk__in=outside).order_by("name"))


# --- The common envelope, the shares, the monthly instalment --------------------------------------------------


@dataclass(frozen=True)
class CommonEnvelope:
    """A funder's dotation globalisée commune over the perimeter: the money of one kind (health insurance, State,
    département) one authority pays, grown under that authority's own choice (``growth`` None: not chosen yet, so
    no projection)."""

    funder: str
    authority: Authority | None  # None: no party to the contract pays this money
    amount: Decimal
    shares: list[EnvelopeShare]
    instalments: MonthlyInstalments
    growth: GrowthChoice | None
    years: list[EnvelopeYear]

    @property
    def label(self) -> str:
        return FunderKind(self.funder).label

    @property
    def places(self) -> int:
        return sum(share.establishment.authorised_places for share in self.shares)


def paying_authority(establishment: Establishment, funder: str, funders: list[Authority]) -> Authority | None:
    """Which of the contract's funders pays ``establishment``'s money of kind ``funder``: the council for the
    département's money, the ARS for health insurance and the State; among several of that kind, the one the
    registry records as the establishment's funder (the lead first, as ``funders`` comes)."""
    kind = AuthorityKind.CD if funder == FunderKind.CD else AuthorityKind.ARS
    candidates = [a for a in funders if a.kind == kind]
    own = {a.pk for a in establishment.funders.all()}
    return next((a for a in candidates if a.pk in own), candidates[0] if candidates else None)


def common_envelopes(budget: ReferenceBudget, establishments: list[Establishment]) -> list[CommonEnvelope]:
    """One envelope per funder kind and paying authority with tariff income in the perimeter, each establishment's
    share in it, and its years under the paying authority's growth."""
    contract = budget.contract
    columns = budget_columns(budget, establishments)[:-1]
    funders = funder_authorities(contract)
    choices = {choice.authority.pk: choice for choice in growth_by_funder(budget)}
    envelopes = []
    for funder in ENVELOPE_FUNDERS:
        by_payer: dict[Authority | None, list[tuple[Establishment, Decimal]]] = {}
        for column in columns:
            if column.amounts.tariff.get(funder):
                payer = paying_authority(column.establishment, funder, funders)
                by_payer.setdefault(payer, []).append((column.establishment, column.amounts.tariff[funder]))
        for payer, amounts in by_payer.items():
            total = sum((amount for _, amount in amounts), ZERO)
            growth = choices.get(payer.pk) if payer else None
            growth = growth if growth is not None and growth.mode else None
            years = (
                envelope_growth(total, yearly_rates(growth, contract.duration_years), contract.start_date.year)
                if growth
                else []
            )
            envelopes.append(
                CommonEnvelope(funder, payer, total, envelope_shares(amounts), monthly_instalment(total), growth, years)
            )
    return envelopes


# --- Growth --------------------------------------------------------------------------------------------------


def yearly_rates(growth: GrowthChoice, duration: int) -> list[Decimal | None]:
    """The rate (%) applied each contract year under a funder's growth mode; None where an amendment sets it."""
    return growth_rates(growth.mode, growth.rate, growth.zero_rate_years, duration)


# --- Indicative daily prices ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DailyPrice:
    """(Expenses − income of groups II and III) ÷ forecast days, for one establishment and one funder."""

    establishment: Establishment
    funder: str
    net_expenses: Decimal
    days: int | None
    price: Decimal | None  # exact; None when it cannot be computed
    reason: str = ""

    @property
    def funder_label(self) -> str:
        return FunderKind(self.funder).label


def daily_prices(budget: ReferenceBudget, establishments: list[Establishment]) -> list[DailyPrice]:
    lines, days = lines_of(budget), forecast_days(budget)
    prices = []
    for establishment in establishments:
        if establishment.category not in PER_DAY_CATEGORIES:
            continue
        own = [line for line in lines if line.establishment_id == establishment.pk]
        funders = [f for f in ENVELOPE_FUNDERS if any(line.funder == f for line in own)] or funders_of(establishment)
        for funder in funders:
            amounts = amounts_of([line for line in own if line.funder == funder])
            prices.append(daily_price(establishment, funder, amounts.net_expenses, days.get(establishment.pk)))
    return prices


def daily_price(establishment: Establishment, funder: str, net_expenses: Decimal, days: int | None) -> DailyPrice:
    if not days:
        reason = "non calculable : journées prévisionnelles non renseignées"
        return DailyPrice(establishment, funder, net_expenses, None, None, reason)
    if net_expenses <= 0:
        reason = "non calculable : aucune dépense nette à couvrir (dépenses moins recettes des groupes II et III)"
        return DailyPrice(establishment, funder, net_expenses, days, None, reason)
    return DailyPrice(establishment, funder, net_expenses, days, net_expenses / days)
